"""Every shipped lesson plays to its end on a 360×740 phone, with JavaScript on and off:
a step of each kind is shown and answered, every quiz question too, and the result page
says the lesson is done. (tests/browser/test_lesson.py walks one lesson step by step.)"""

from pathlib import Path

import pytest
import yaml

from lms.accounts.models import Role
from lms.content.catalog import catalog

from ..conftest import TEST_PASSWORD
from ..learning_helpers import right_answer
from .conftest import PHONE, assert_no_horizontal_scroll
from .test_lesson import answer_on_page

COURSES = Path(__file__).resolve().parents[2] / "courses"


def shipped_lessons():
    for path in sorted(COURSES.glob("*/course.yaml")):
        course = yaml.safe_load(path.read_text("utf-8"))
        for lesson in course["lessons"]:
            yield course["slug"], lesson["slug"]


def play(page, base: str, course, lesson) -> None:
    """The first card, the first practice question and every quiz question (which decide
    the result), each answered and left with the page's own button, then the result."""
    steps = lesson.texts["vi"].steps
    chosen = [next(s for s in steps if s.kind == "card"),
              next(s for s in steps if s.kind == "practice"),
              *(s for s in steps if s.kind == "quiz")]
    for step in chosen:
        page.goto(f"{base}/learn/{course.slug}/{lesson.slug}/{step.number}")
        assert page.get_by_text(f"Bước {step.number}/{lesson.step_count}").is_visible()
        assert_no_horizontal_scroll(page)
        if step.question is not None:
            answer_on_page(page, step.question, right_answer(step.question))
            page.get_by_role("heading", name="Chính xác!").wait_for()
        last = step.number == lesson.step_count
        page.get_by_role("button", name="Xong, xem kết quả" if last else "Tiếp theo").click()
        page.wait_for_url(f"**/{lesson.slug}/{'result' if last else step.number + 1}*")
    page.get_by_role("heading", name="Xong bài học!").wait_for()


def sign_in_staff(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=secret]", TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_every_lesson_plays_to_the_end(live_server, browser, world, make_staff, javascript):
    """One ambassador plays every lesson (ambassadors take the villager courses too), so
    the whole catalog costs one sign-in; a failing lesson is named, the others still run."""
    learner = world["ambassador"] if javascript else make_staff(
        Role.AMBASSADOR, "0911000014", world["home"])
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript,
                                  locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(8000)  # a broken lesson fails soon, and the others still run
    sign_in_staff(page, live_server, learner.phone)
    failures = []
    for course_slug, lesson_slug in shipped_lessons():
        course = catalog().course(course_slug)
        lesson = course.lesson(lesson_slug)
        assert {step.kind for step in lesson.texts["vi"].steps} == {"card", "practice", "quiz"}
        try:
            play(page, live_server, course, lesson)
        except AssertionError as error:  # also Playwright's timeouts, reported below
            failures.append(f"{course_slug}/{lesson_slug}: {error}")
        except Exception as error:  # noqa: BLE001 (named in the report, never swallowed)
            failures.append(f"{course_slug}/{lesson_slug}: {type(error).__name__}: {error}")
    context.close()
    assert failures == []
