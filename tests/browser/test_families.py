"""A household on its shared phone at 360×740 completes the last lesson its Digital Family
status was waiting for, then sees its badge and its certificate; anyone can check it."""

from lms.content.catalog import catalog
from lms.extensions import db
from lms.families.models import DigitalFamily

from ..family_helpers import VILLAGER_THREE, complete_online, decode_qr
from .conftest import PHONE, assert_no_horizontal_scroll
from .test_lesson import sign_in_household, take_lesson


def test_the_last_criterion_brings_the_badge_and_the_certificate(live_server, phone, browser,
                                                                  world, tmp_path):
    household = world["mine"]
    first, second, third = household.members
    for slug in VILLAGER_THREE:
        complete_online(first, slug)
    complete_online(second, "online-safety")
    course = catalog().course("online-safety")
    complete_online(third, "online-safety", lessons=len(course.lessons) - 1)
    db.session.commit()

    sign_in_household(phone, live_server, third.name)
    badge = phone.locator(".family-badge")
    assert f"{third.name}: học xong An toàn trên mạng" in badge.inner_text()
    assert_no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "badge-missing.png"), full_page=True)

    take_lesson(phone, live_server, course, course.lessons[-1])
    phone.goto(live_server + "/learn")
    assert "Gia đình số" in badge.inner_text() and "Còn phải làm" not in badge.inner_text()
    assert_no_horizontal_scroll(phone)
    badge.screenshot(path=str(tmp_path / "badge.png"))
    phone.screenshot(path=str(tmp_path / "home-reached.png"))

    phone.get_by_role("link", name="Giấy chứng nhận Gia đình số").click()
    phone.get_by_role("heading", name="Gia đình số").wait_for()
    text = phone.locator(".family-certificate").inner_text()
    assert household.name in text and world["village"].name in text
    assert_no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "certificate.png"), full_page=True)
    svg = phone.locator(".family-certificate .qr").inner_html()
    db.session.commit()
    code = db.session.get(DigitalFamily, household.id).certificate_code
    decoded = decode_qr(svg)
    assert decoded in (None, f"{live_server}/verify/{code}")

    # Anyone, signed in or not, may check it: it shows the name, village and date only.
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    anonymous = context.new_page()
    anonymous.goto(f"{live_server}/verify/{code}")
    anonymous.get_by_role("heading", name="Giấy chứng nhận này là thật").wait_for()
    shown = anonymous.locator("main").inner_text()
    assert household.name in shown and world["village"].name in shown
    assert all(m.name not in shown for m in household.members)
    assert_no_horizontal_scroll(anonymous)
    anonymous.screenshot(path=str(tmp_path / "verify.png"), full_page=True)
    context.close()
