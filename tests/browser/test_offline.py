"""Offline: a saved course plays without a connection, and its progress arrives later,
exactly once, for the right person."""

from sqlalchemy import func, select

from lms.extensions import db
from lms.learning.models import EventType, LessonProgress, ProgressEvent, Status

from ..learning_helpers import lesson_of, right_answer
from .conftest import PHONE
from .test_lesson import answer_on_page, sign_in_household, staff_page, take_lesson

SAVED = "Mọi tiến độ của bạn đã được lưu."


def wait_until_sent(page) -> None:
    """The page's queue is empty: everything waiting has reached the server."""
    page.wait_for_selector("#sync-status[data-queued='0']", state="attached")
    page.get_by_text(SAVED).wait_for()


def save_course(page, base: str, slug: str) -> None:
    page.goto(f"{base}/learn/{slug}")
    page.get_by_role("button", name="Lưu để học không cần mạng").click()
    page.get_by_text("Đã lưu trên điện thoại").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def phone_with_a_saved_course(browser, base: str, member):
    """A household phone signed in for `member`, with the first course saved."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in_household(page, base, member.name)
    save_course(page, base, lesson_of()[0].slug)
    return context, page


def events_of(person_id: int) -> list[ProgressEvent]:
    db.session.commit()
    return db.session.scalars(select(ProgressEvent).where(ProgressEvent.person_id == person_id)
                              ).all()


def test_a_lesson_done_offline_arrives_once_when_the_connection_returns(
        live_server, browser, world):
    member = world["mine"].members[0]
    context, page = phone_with_a_saved_course(browser, live_server, member)
    course, lesson = lesson_of()

    context.set_offline(True)
    take_lesson(page, live_server, course, lesson)
    assert page.get_by_role("heading", name="Xong bài học!").is_visible()
    page.reload()  # still offline: the saved page comes back
    page.get_by_text("bài học đang chờ gửi").wait_for()  # read from IndexedDB by the page
    assert events_of(member.id) == []

    context.set_offline(False)
    page.reload()
    wait_until_sent(page)
    events = events_of(member.id)
    steps = lesson.texts["vi"].steps
    questions = sum(1 for s in steps if s.question is not None)
    assert len(events) == len(steps) + questions + 1
    assert len({e.event_id for e in events}) == len(events)
    assert sum(e.type == EventType.LESSON_COMPLETED for e in events) == 1
    summary = db.session.scalar(select(LessonProgress).filter_by(person_id=member.id))
    assert summary.status == Status.COMPLETED

    page.reload()  # nothing is sent twice
    wait_until_sent(page)
    assert len(events_of(member.id)) == len(events)

    ambassador_context, ambassador = staff_page(browser, live_server, world["ambassador"].phone)
    ambassador.goto(f"{live_server}/ambassador/households/{world['mine'].id}")
    card = ambassador.locator("li.member", has_text=member.name)
    assert "1 bài đã xong" in card.inner_text()
    ambassador_context.close()
    context.close()


def test_two_members_on_one_phone_keep_their_own_offline_progress(live_server, browser, world):
    first, second = world["mine"].members[0], world["mine"].members[1]
    context, page = phone_with_a_saved_course(browser, live_server, first)
    course, lesson = lesson_of()
    context.set_offline(True)
    take_lesson(page, live_server, course, lesson)
    context.set_offline(False)

    page.goto(live_server + "/who")
    page.get_by_role("button", name=second.name).click()
    page.wait_for_url("**/learn")
    other_course, other_lesson = lesson_of(index=1)
    page.goto(f"{live_server}/learn/{other_course.slug}/{other_lesson.slug}/1")
    context.set_offline(True)
    take_lesson(page, live_server, other_course, other_lesson)
    context.set_offline(False)
    page.reload()
    wait_until_sent(page)

    assert {e.lesson for e in events_of(first.id)} == {lesson.slug}
    assert {e.lesson for e in events_of(second.id)} == {other_lesson.slug}
    counts = dict(db.session.execute(select(ProgressEvent.person_id, func.count())
                                     .group_by(ProgressEvent.person_id)).all())
    assert set(counts) == {first.id, second.id}
    context.close()


def test_signing_out_sends_what_waits_and_forgets_the_saved_pages(live_server, browser, world):
    member = world["mine"].members[0]
    context, page = phone_with_a_saved_course(browser, live_server, member)
    course, lesson = lesson_of()
    context.set_offline(True)
    page.goto(f"{live_server}/learn/{course.slug}/{lesson.slug}/1")
    page.get_by_role("button", name="Tiếp theo").click()
    page.wait_for_url("**/2")
    context.set_offline(False)
    page.locator("details.account summary").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")
    # Only what is the same for everyone may come back: scripts, pictures and the
    # "no connection" notice; no page of the person who left.
    kept = page.evaluate("""caches.keys().then(names => Promise.all(names.map(
        name => caches.open(name).then(c => c.keys()).then(
            keys => keys.map(r => new URL(r.url).pathname)))).then(lists => lists.flat()))""")
    assert all(path.startswith(("/static/", "/content/")) or path == "/offline"
               for path in kept), kept
    assert page.evaluate("localStorage.getItem('person')") is None
    assert [e.step for e in events_of(member.id)] == [1]
    context.close()


def test_an_unsaved_page_offline_says_so_in_the_learners_language(live_server, browser, world):
    context, page = phone_with_a_saved_course(browser, live_server, world["mine"].members[0])
    page.goto(live_server + "/learn")  # every page visited online keeps the offline notice
    page.wait_for_function("caches.has('hocso-shell')")
    context.set_offline(True)
    page.goto(live_server + "/learn/digital-payments")
    page.get_by_role("heading", name="Không có kết nối").wait_for()
    context.close()


def test_a_quiz_answered_partly_online_and_partly_offline_is_one_attempt(
        live_server, browser, world):
    """The first quiz question online, the connection drops, the rest offline: the phone
    and the server grade the same attempt on all three answers."""
    member = world["mine"].members[0]
    context, page = phone_with_a_saved_course(browser, live_server, member)
    course, lesson = lesson_of(index=1)
    quiz = lesson.texts["vi"].quiz_steps
    assert len(quiz) == 3
    page.goto(f"{live_server}/learn/{course.slug}/{lesson.slug}/1")
    for step in lesson.texts["vi"].steps:
        page.wait_for_url(f"**/{lesson.slug}/{step.number}*")
        if step.question is not None:
            if step.number == quiz[1].number:
                context.set_offline(True)
            answer_on_page(page, step.question, right_answer(step.question))
            page.get_by_role("heading", name="Chính xác!").wait_for()
        last = step.number == lesson.step_count
        page.get_by_role("button", name="Xong, xem kết quả" if last else "Tiếp theo").click()
    page.get_by_role("heading", name="Xong bài học!").wait_for()
    assert page.get_by_text("Bạn trả lời đúng 3/3 câu.").is_visible()

    context.set_offline(False)
    page.reload()
    wait_until_sent(page)
    db.session.commit()
    summary = db.session.scalar(select(LessonProgress).filter_by(person_id=member.id,
                                                                lesson=lesson.slug))
    assert summary.status == Status.COMPLETED and summary.best_score == 1.0
    page.goto(f"{live_server}/learn/{course.slug}/{lesson.slug}/result")
    page.get_by_role("heading", name="Xong bài học!").wait_for()
    assert page.get_by_text("Bạn trả lời đúng 3/3 câu.").is_visible()
    context.close()


def test_offline_the_phone_grades_by_the_servers_rule(live_server, browser, world):
    """One slip in a three-question quiz finishes the lesson, on the phone and the server."""
    member = world["mine"].members[0]
    context, page = phone_with_a_saved_course(browser, live_server, member)
    course, lesson = lesson_of(index=1)
    slip = lesson.texts["vi"].quiz_steps[0].number
    context.set_offline(True)
    take_lesson(page, live_server, course, lesson, wrong=frozenset({slip}))
    assert page.get_by_text("Bạn trả lời đúng 2/3 câu.").is_visible()
    assert page.get_by_text("bạn cần trả lời đúng ít nhất 2 trong 3 câu").is_visible()
    context.set_offline(False)
    page.reload()
    wait_until_sent(page)
    db.session.commit()
    summary = db.session.scalar(select(LessonProgress).filter_by(person_id=member.id,
                                                                lesson=lesson.slug))
    assert summary.status == Status.COMPLETED
    context.close()


def test_a_saved_page_names_the_member_learning_now(live_server, browser, world):
    """Pages saved for one member, opened offline by another: the header names the second."""
    first, second = world["mine"].members[0], world["mine"].members[1]
    context, page = phone_with_a_saved_course(browser, live_server, first)
    course, lesson = lesson_of()
    page.goto(live_server + "/who")
    page.get_by_role("button", name=second.name).click()
    page.wait_for_url("**/learn")
    chip = page.locator("details.account summary")
    assert chip.locator(".first-name").inner_text() == second.first_name
    context.set_offline(True)
    page.goto(f"{live_server}/learn/{course.slug}/{lesson.slug}/2")
    page.wait_for_selector("body[data-saved-copy]", state="attached")
    page.wait_for_function(
        f"() => document.querySelector('.account .avatar').textContent === '{second.initials}'")
    assert chip.locator(".first-name").inner_text() == second.first_name
    box = chip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    context.close()
