"""The lesson player on small phones: the step's words on the first screen, nothing under
the Next bar, a language menu that fits, pictures that do not shift the page."""

import pytest

from lms.content.catalog import catalog

from .conftest import assert_no_horizontal_scroll
from .test_lesson import sign_in_household

SMALL = {"width": 320, "height": 640}
PHONE_360 = {"width": 360, "height": 740}

# Where the step's own words end, where the step's scrolling box ends, where the bar starts.
FIRST_SCREEN = """() => {
  const article = document.querySelector("article.step");
  const box = article.getBoundingClientRect();
  const visibleBottom = box.top + article.clientHeight;
  const words = [...article.querySelectorAll("h1, .text > *, .prompt")];
  const bar = document.querySelector(".next-bar").getBoundingClientRect();
  return {
    wordsBottom: Math.max(...words.map(w => w.getBoundingClientRect().bottom)),
    wordsTop: Math.min(...words.map(w => w.getBoundingClientRect().top)),
    visibleBottom: visibleBottom, articleBottom: box.bottom,
    barTop: bar.top, barBottom: bar.bottom, viewport: innerHeight,
    scrolled: scrollY,
  };
}"""


def _phone(browser, viewport):
    return browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=True,
                               has_touch=True, locale="vi-VN")


def _card_steps(course_slug):
    course = catalog().course(course_slug)
    return [(lesson, step) for lesson in course.lessons
            for step in lesson.texts["vi"].steps if step.kind == "card"]


@pytest.mark.parametrize("viewport", [PHONE_360, SMALL], ids=["360x740", "320x640"])
@pytest.mark.parametrize("language", ["vi", "blt"])
def test_every_card_steps_words_are_on_the_first_screen_above_the_next_bar(
        live_server, browser, world, viewport, language):
    context = _phone(browser, viewport)
    page = context.new_page()
    sign_in_household(page, live_server, world["mine"].members[0].name)
    page.goto(f"{live_server}/learn?lang={language}")
    hidden = []
    for lesson, step in _card_steps("public-services") + _card_steps("online-safety"):
        # `?lang=` on every page: on a shared phone it holds for the page it is on.
        page.goto(f"{live_server}/learn/{lesson.texts['vi'].course}/{lesson.slug}/{step.number}"
                  f"?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        page.evaluate("document.fonts.ready.then(() => true)")  # the Tai Viet font included
        found = page.evaluate(FIRST_SCREEN)
        assert found["scrolled"] == 0
        # Nothing sits under the bar: the step ends where the bar begins, the bar on screen.
        assert found["articleBottom"] <= found["barTop"] + 0.5, (lesson.slug, step.number)
        assert found["barBottom"] <= found["viewport"] + 0.5, (lesson.slug, step.number)
        if found["wordsBottom"] > found["visibleBottom"] + 0.5:
            hidden.append((lesson.slug, step.number, round(found["wordsBottom"]),
                           round(found["visibleBottom"])))
        assert_no_horizontal_scroll(page)
    assert hidden == [], f"step words below the first screen at {viewport}: {hidden}"
    context.close()


@pytest.mark.parametrize("viewport", [PHONE_360, SMALL], ids=["360x740", "320x640"])
def test_the_language_menu_fits_the_screen_and_every_language_can_be_chosen(
        live_server, browser, world, viewport):
    context = _phone(browser, viewport)
    page = context.new_page()
    sign_in_household(page, live_server, world["mine"].members[0].name)
    page.goto(live_server + "/learn/public-services/vneid-two-levels/1")
    page.locator("details.lang summary").click()
    buttons = page.locator("details.lang button")
    assert buttons.count() == 4
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
        assert box["height"] >= 48
    page.locator("details.account summary").click()  # one menu open at a time
    page.wait_for_function("() => !document.querySelector('details.lang').open")
    assert page.get_by_role("button", name="Đăng xuất").is_visible()
    page.locator("details.lang summary").click()
    page.wait_for_function("() => !document.querySelector('details.account').open")
    buttons.filter(has_text="English").click()
    page.get_by_role("heading", name="What is VNeID?").wait_for()
    assert_no_horizontal_scroll(page)
    context.close()


LAYOUT_SHIFT = """() => { window.__shift = 0;
  new PerformanceObserver(list => { for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__shift += entry.value; } })
  .observe({type: "layout-shift", buffered: true}); }"""


def test_a_slow_picture_does_not_shift_the_step(live_server, browser, world):
    """Pictures arrive last on slow 3G: their space is kept from the start (CLS ≈ 0)."""
    context = _phone(browser, PHONE_360)
    page = context.new_page()
    sign_in_household(page, live_server, world["mine"].members[0].name)
    page.add_init_script(f"({LAYOUT_SHIFT})()")

    def late(route):
        page.wait_for_timeout(800)
        route.continue_()

    page.route("**/content/**", late)
    for path in ["/learn/public-services/vneid-two-levels/1",
                 "/learn/public-services/activate-level-2/7"]:
        page.goto(live_server + path, wait_until="commit")
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        page.wait_for_timeout(200)
        shift = page.evaluate("window.__shift")
        assert shift < 0.01, (path, shift)
        sizes = page.evaluate("[...document.images].map(i => [i.getAttribute('width'), "
                              "i.getAttribute('height')])")
        assert sizes and all(w and h for w, h in sizes), sizes
    context.close()
