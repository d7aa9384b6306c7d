"""A household signs in on its shared phone, picks a member and reaches the learner home."""

from ..conftest import TEST_PIN
from .conftest import assert_no_horizontal_scroll


def test_household_member_signs_in_on_a_phone(live_server, phone, world, tmp_path):
    page = phone
    page.goto(live_server + "/")
    page.fill("input[name=phone]", "0911 000 001")
    page.fill("input[name=secret]", TEST_PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/who**")
    assert page.get_by_role("heading", name="Ai đang học?").is_visible()
    assert_no_horizontal_scroll(page)
    member = world["mine"].members[1]
    page.get_by_role("button", name=member.name).click()
    page.wait_for_url("**/learn")
    assert page.get_by_role("heading").first.inner_text() == f"Chào {member.first_name}"
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "learner-home.png"), full_page=True)
    assert (tmp_path / "learner-home.png").stat().st_size > 0


def test_wrong_pin_says_so_in_the_page(live_server, phone, world):
    phone.goto(live_server + "/login")
    phone.fill("input[name=phone]", "0911000001")
    phone.fill("input[name=secret]", "999999")
    phone.get_by_role("button", name="Đăng nhập").click()
    assert phone.get_by_role("alert").inner_text().strip().startswith("Số điện thoại")


def test_language_switcher_works_without_javascript(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.locator("details.lang summary").click()
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    context.close()
