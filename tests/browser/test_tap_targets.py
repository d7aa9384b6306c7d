"""Every link and button a thumb may need is at least 48 × 48 px, on the learner pages and
on the staff pages, at 360×740."""

import pytest

from ..conftest import TEST_PASSWORD
from ..learning_helpers import form_for, lesson_of, wrong_answer
from .conftest import PHONE
from .test_lesson import sign_in_household, take_lesson

MIN = 48
SMALL_TARGETS = """(min) => [...document.querySelectorAll("a[href], button, summary, select")]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
                 && getComputedStyle(e).visibility !== "hidden"; })
  .map(e => { const r = e.getBoundingClientRect();
              return {text: (e.innerText || e.getAttribute("aria-label") || e.tagName).trim(),
                      width: Math.round(r.width), height: Math.round(r.height)}; })
  .filter(t => t.width < min || t.height < min)"""


def _small(page, path: str) -> list:
    found = page.evaluate(SMALL_TARGETS, MIN)
    for menu in page.locator("details.menu summary").all():  # and inside each menu
        menu.click()
        found += page.evaluate(SMALL_TARGETS, MIN)
        menu.click()
    return [(path, t["text"][:30], t["width"], t["height"]) for t in found]


def test_every_learner_target_is_big_enough(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/login")
    small = _small(page, "/login")
    sign_in_household(page, live_server, world["mine"].members[0].name)
    course, lesson = lesson_of()
    take_lesson(page, live_server, course, lesson)
    practice = next(s for s in lesson.texts["vi"].steps if s.kind == "practice")
    quiz = lesson.texts["vi"].quiz_steps[0]
    base = f"/learn/{course.slug}/{lesson.slug}"
    small += _small(page, base + "/result")
    for path in ["/learn", f"/learn/{course.slug}", "/learn/digital-payments", "/who",
                 base + "/1", base + "/2", f"{base}/{quiz.number}",
                 f"/certificates/{course.slug}", "/offline"]:
        page.goto(live_server + path)
        small += _small(page, path)
    page.goto(f"{live_server}{base}/{practice.number}")
    for name, value in form_for(practice.question, wrong_answer(practice.question)).items():
        page.locator(f"input[name={name}][value='{value}']").check()
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()
    page.get_by_role("link", name="Thử lại").wait_for()
    small += _small(page, "practice feedback")
    assert small == [], "\n".join(map(str, small))
    context.close()


@pytest.mark.parametrize("who", ["ambassador", "official", "admin"])
def test_every_staff_target_is_big_enough(live_server, browser, world, who):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/login?with=password")
    page.fill("input[name=phone]", world[who].phone)
    page.fill("input[name=secret]", TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    paths = {"ambassador": ["/ambassador/", f"/ambassador/households/{world['mine'].id}",
                            f"/people/{world['mine'].members[0].id}"],
             "official": ["/official/", f"/official/villages/{world['village'].id}"],
             "admin": ["/admin/"]}[who]
    small = []
    for path in paths:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        small += _small(page, path)
    assert small == [], "\n".join(map(str, small))
    context.close()
