"""Right and wrong also sound after an answer, where the browser lets a page play one, and
only then: a later visit to the same step is silent."""

from .conftest import PHONE
from .test_lesson import sign_in_household

STEP = "/learn/online-safety/fake-police/7"  # a true/false quiz step


def test_an_answer_sounds_its_verdict_once(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale="vi-VN")
    page = context.new_page()
    sign_in_household(page, live_server, world["mine"].members[0].name)
    page.goto(live_server + STEP)
    assert page.locator("html").get_attribute("data-chimed") is None
    page.locator("input[name=choice]").first.check()
    page.locator("form.question button.btn").click()
    page.wait_for_selector("#feedback")
    verdict = "right" if page.locator("#feedback.right").count() else "wrong"
    assert page.locator("html").get_attribute("data-chimed") == verdict
    page.goto(live_server + STEP + "?feedback=1")  # back later: the verdict is shown, silent
    page.wait_for_selector("#feedback")
    assert page.locator("html").get_attribute("data-chimed") is None
    context.close()
