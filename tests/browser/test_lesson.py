"""A household member learns a whole lesson on a 360×740 phone, with and without JS."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from ..conftest import TEST_PIN
from ..learning_helpers import lesson_of, right_answer, wrong_answer
from .conftest import PHONE, assert_no_horizontal_scroll


def sign_in_household(page, base: str, member_name: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=phone]", "0911000001")
    page.fill("input[name=secret]", TEST_PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name=member_name).click()
    page.wait_for_url("**/learn")


def answer_on_page(page, question, answer) -> None:
    if question.kind == "order":
        for place, index in enumerate(answer):
            page.select_option(f"select[name=position-{place}]", str(index))
    else:
        for index in answer if isinstance(answer, list) else [answer]:
            page.locator(f"input[name=choice][value='{index}']").check()
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()


def take_lesson(page, base, course, lesson, quiz_right=True, checks=None,
                wrong=frozenset()) -> None:
    """Every step through the page; quiz answers right unless `quiz_right` is False, and
    the steps in `wrong` answered wrong (a passing attempt is expected when `quiz_right`)."""
    page.goto(f"{base}/learn/{course.slug}/{lesson.slug}")
    for step in lesson.texts["vi"].steps:
        page.wait_for_url(f"**/{lesson.slug}/{step.number}*")
        assert page.get_by_text(f"Bước {step.number}/{lesson.step_count}").is_visible()
        if checks:
            checks(page)
        if step.question is not None:
            good = (quiz_right or step.kind != "quiz") and step.number not in wrong
            answer = right_answer(step.question) if good else wrong_answer(step.question)
            answer_on_page(page, step.question, answer)
            page.get_by_role("heading", name="Chính xác!" if good else "Chưa chính xác.").wait_for()
        button = "Xong, xem kết quả" if step.number == lesson.step_count else "Tiếp theo"
        page.get_by_role("button", name=button).click()
    page.get_by_role("heading", name="Xong bài học!" if quiz_right else "Sắp được rồi").wait_for()


def test_member_completes_a_lesson_with_javascript(live_server, phone, world, tmp_path):
    course, lesson = lesson_of()
    member = world["mine"].members[0]
    sign_in_household(phone, live_server, member.name)

    def checks(page):
        assert_no_horizontal_scroll(page)

    take_lesson(phone, live_server, course, lesson, checks=checks)
    assert phone.get_by_role("heading", name="Xong bài học!").is_visible()
    phone.screenshot(path=str(tmp_path / "result.png"), full_page=True)
    phone.goto(live_server + "/learn")
    assert f"Đã học xong 1/{len(course.lessons)} bài" in phone.content()


def test_member_completes_a_lesson_with_javascript_off(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    course, lesson = lesson_of("digital-payments")
    sign_in_household(page, live_server, world["mine"].members[1].name)
    take_lesson(page, live_server, course, lesson)
    assert page.get_by_role("heading", name="Xong bài học!").is_visible()
    context.close()


def test_a_wrong_quiz_answer_explains_and_offers_a_retry(live_server, phone, world):
    course, lesson = lesson_of()
    sign_in_household(phone, live_server, world["mine"].members[2].name)
    take_lesson(phone, live_server, course, lesson, quiz_right=False)
    assert phone.get_by_role("heading", name="Sắp được rồi").is_visible()
    phone.get_by_role("link", name="Làm lại phần kiểm tra").click()
    first_quiz = lesson.texts["vi"].quiz_steps[0]
    phone.wait_for_url(f"**/{lesson.slug}/{first_quiz.number}")


def test_reload_resumes_at_the_same_step(live_server, phone, world):
    course, lesson = lesson_of()
    sign_in_household(phone, live_server, world["mine"].members[0].name)
    phone.goto(f"{live_server}/learn/{course.slug}/{lesson.slug}")
    phone.get_by_role("button", name="Tiếp theo").click()
    phone.wait_for_url(f"**/{lesson.slug}/2")
    phone.reload()
    phone.goto(live_server + "/learn")
    phone.get_by_role("link", name="Học tiếp").click()
    phone.wait_for_url(f"**/{lesson.slug}/2")


@pytest.mark.parametrize("path", ["/learn", "/learn/public-services",
                                  "/learn/public-services/vneid-two-levels/1",
                                  "/learn/public-services/activate-level-2/6",
                                  "/learn/public-services/activate-level-2/7"])
def test_learner_pages_fit_the_phone_and_pass_axe(live_server, phone, world, path):
    sign_in_household(phone, live_server, world["mine"].members[0].name)
    phone.goto(live_server + path)
    assert_no_horizontal_scroll(phone)
    results = Axe().run(phone)
    serious = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                           for v in serious]


def staff_page(browser, base: str, phone_number: str):
    from ..conftest import TEST_PASSWORD

    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=phone]", phone_number)
    page.fill("input[name=secret]", TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    return context, page


def test_a_finished_lesson_moves_the_ambassador_and_the_official(live_server, browser, phone,
                                                                 world, tmp_path):
    ambassador_context, ambassador = staff_page(browser, live_server, world["ambassador"].phone)
    official_context, official = staff_page(browser, live_server, world["official"].phone)
    member = world["mine"].members[0]
    ambassador.goto(f"{live_server}/ambassador/households/{world['mine'].id}")
    card = ambassador.locator("li.member", has_text=member.name)
    assert "0 bài đã xong" in card.inner_text()
    started = official.locator("tr", has_text="Dịch vụ công trực tuyến").locator("td").nth(1)
    assert started.inner_text() == "0"

    course, lesson = lesson_of()
    sign_in_household(phone, live_server, member.name)
    take_lesson(phone, live_server, course, lesson)

    ambassador.reload()
    assert "1 bài đã xong" in card.inner_text()
    official.reload()
    assert started.inner_text() == "<5"
    assert_no_horizontal_scroll(ambassador)
    assert_no_horizontal_scroll(official)
    ambassador.screenshot(path=str(tmp_path / "ambassador.png"), full_page=True)
    official.screenshot(path=str(tmp_path / "official.png"), full_page=True)
    ambassador_context.close()
    official_context.close()
