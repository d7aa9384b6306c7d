"""The Tai Viet font: fetched by a Tai Dam page with Tai Viet text, never by a page in
another language, and drawing the Tai Viet letters (no boxes)."""

import subprocess

from .conftest import PHONE
from .test_lesson import sign_in_household

FONT = "fonts/noto-sans-tai-viet-subset.woff2"
STEP = "/learn/online-safety/fake-police/2"  # a step written in Tai Viet


def _installed_tai_viet_font() -> bool:
    """A phone (or this machine) that has a Tai Viet font uses it and fetches nothing."""
    try:
        found = subprocess.run(["fc-list", ":charset=aa80"], capture_output=True, text=True,
                               check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(found.stdout.strip())


def _visit(browser, live_server, world, language):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="vi-VN")
    page = context.new_page()
    fetched = []  # every response of the visit, the service worker's included
    context.on("response", lambda response: fetched.append(response))
    sign_in_household(page, live_server, world["mine"].members[0].name)
    # On a shared phone `?lang=` holds for the page it is on (the member's saved choice
    # holds otherwise), so every page of the visit asks for it.
    page.goto(f"{live_server}/learn?lang={language}")
    page.goto(f"{live_server}{STEP}?lang={language}", wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(200)
    return context, page, [r for r in fetched if FONT in r.url]


def test_a_tai_dam_page_loads_the_font_and_draws_tai_viet_with_it(live_server, browser, world):
    context, page, fonts = _visit(browser, live_server, world, "blt")
    assert page.locator("html").get_attribute("lang") == "blt"
    faces = page.evaluate("""() => [...document.fonts].map(f => ({
        family: f.family, status: f.status, range: f.unicodeRange}))""")
    assert faces == [{"family": '"Noto Sans Tai Viet"', "status": "loaded",
                      "range": "U+AA80-AADF"}] or faces == [
        {"family": "Noto Sans Tai Viet", "status": "loaded", "range": "U+AA80-AADF"}]
    if not _installed_tai_viet_font():
        assert fonts and all(font.status == 200 for font in fonts)
        assert fonts[0].headers["content-type"] == "font/woff2"
        assert "max-age=31536000" in fonts[0].headers.get("cache-control", "")
    # The page's Tai Viet words are drawn with it, not as boxes from no font at all.
    assert page.evaluate("document.fonts.check('18px \"Noto Sans Tai Viet\"', 'ꪵꪣꪙ')")
    context.close()


def test_pages_in_other_languages_never_fetch_it(live_server, browser, world):
    for language in ("vi", "hmn", "en"):
        context, page, fonts = _visit(browser, live_server, world, language)
        assert fonts == [], language
        assert page.evaluate("document.fonts.size") == 0, language
        context.close()
