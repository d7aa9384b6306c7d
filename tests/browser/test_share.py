"""Sharing a lesson: the phone's share sheet, else copying the link for Zalo, else nothing;
never a raw address printed on the page."""

from ..learning_helpers import lesson_of
from .conftest import PHONE
from .test_lesson import sign_in_household, take_lesson

NO_SHARE_SHEET = "delete Navigator.prototype.share; delete navigator.share;"
SHARE_SHEET = "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };"
NOTHING = NO_SHARE_SHEET + " Object.defineProperty(navigator, 'clipboard', {value: undefined});"


def _finished_lesson(browser, base, world, script, permissions=()):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", permissions=list(permissions))
    context.add_init_script(script)
    page = context.new_page()
    course, lesson = lesson_of()
    sign_in_household(page, base, world["mine"].members[0].name)
    take_lesson(page, base, course, lesson)
    return context, page, course, lesson


def _no_raw_address(page, base) -> None:
    assert base not in page.inner_text("body")


def test_without_a_share_sheet_the_link_is_copied_for_zalo(live_server, browser, world):
    context, page, course, lesson = _finished_lesson(
        browser, live_server, world, NO_SHARE_SHEET, ["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Chép đường dẫn để gửi").click()
    page.get_by_text("Đã chép đường dẫn").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server}/learn/{course.slug}/{lesson.slug}"
    assert not page.get_by_role("button", name="Chia sẻ bài học").is_visible()
    _no_raw_address(page, live_server)
    context.close()


def test_the_phones_share_sheet_is_used_where_there_is_one(live_server, browser, world):
    context, page, course, lesson = _finished_lesson(browser, live_server, world, SHARE_SHEET)
    page.get_by_role("button", name="Chia sẻ bài học").click()
    shared = page.evaluate("window.__shared")
    assert shared["url"] == f"{live_server}/learn/{course.slug}/{lesson.slug}"
    assert not page.get_by_role("button", name="Chép đường dẫn để gửi").is_visible()
    _no_raw_address(page, live_server)
    context.close()


def test_with_neither_nothing_is_offered(live_server, browser, world):
    context, page, _course, _lesson = _finished_lesson(browser, live_server, world, NOTHING)
    assert page.locator(".js-share").is_hidden()
    _no_raw_address(page, live_server)
    context.close()
