"""The province admin sets a commune up in the browser: villages from a CSV file, a new
ambassador, households given to them; the ambassador then finds them on their home."""

import os
import re
from pathlib import Path

import pytest

from ..conftest import TEST_PASSWORD
from .conftest import assert_no_horizontal_scroll

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "office": {"width": 1280, "height": 800}}
CSV = ("code;name;kind;commune\nCM-21;Bản Co Lóng;bản;Chiềng Mung\n"
       "CM-22;Tiểu khu 4;tiểu khu;Chiềng Mung\n")


def _shot(page, name: str) -> None:
    """Screenshots for a person to look at, when LMS_SCREENSHOTS names a folder."""
    folder = os.environ.get("LMS_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _sign_in(page, base: str, phone: str, secret: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=secret]", secret)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_admin_imports_villages_creates_an_ambassador_and_assigns_households(
        live_server, browser, world, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live_server, world["admin"].phone, TEST_PASSWORD)

    page.goto(live_server + "/admin/places/import")
    page.set_input_files("input[type=file]", files=[{
        "name": "ban.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + CSV).encode()}])
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_role("button", name="Thêm 2 bản này").wait_for()
    assert_no_horizontal_scroll(page)
    _shot(page, f"browser-import-{viewport}")
    page.get_by_role("button", name="Thêm 2 bản này").click()
    page.get_by_text("Đã thêm 2 bản.").wait_for()
    assert page.get_by_role("link", name="Chiềng Mung").is_visible()

    page.goto(live_server + "/admin/staff")
    page.fill("input[name=name]", "Lò Văn Tâm")
    page.fill("input[name=phone]", "0922 000 777")
    page.select_option("select[name=role]", "ambassador")
    page.select_option("select[name=commune]", str(world["home"].id))
    page.get_by_role("button", name="Thêm cán bộ này").click()
    secret = page.locator("code.secret").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", secret)
    _shot(page, f"browser-secret-{viewport}")

    page.get_by_role("link", name="Quay lại trang cán bộ").click()
    page.select_option("#assign-village", label="Bản Púng")
    page.get_by_role("button", name="Giao cả bản").click()
    page.get_by_text("Đã giao 1 hộ cho Lò Văn Tâm.").wait_for()
    page.select_option("#assign-one", label="Hộ Lò Văn Pọm (Bản Mé)")
    page.get_by_role("button", name="Giao hộ này").click()
    page.get_by_text("Đã giao 1 hộ cho Lò Văn Tâm.").wait_for()
    assert_no_horizontal_scroll(page)
    _shot(page, f"browser-staff-{viewport}")
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live_server, "0922000777", secret)
    page.wait_for_url("**/account/password")
    page.fill("input[name=current]", secret)
    page.fill("input[name=new]", "suối-trong-bản-xa")
    page.fill("input[name=repeat]", "suối-trong-bản-xa")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    page.wait_for_url("**/ambassador/")
    assert page.get_by_text("Hộ Cà Văn Chung").first.is_visible()
    assert page.get_by_text("Hộ Lò Văn Pọm").first.is_visible()
    assert page.get_by_text("Hộ Lường Văn Thanh").count() == 0
    assert_no_horizontal_scroll(page)
    _shot(page, f"browser-ambassador-home-{viewport}")
    context.close()
