"""The ambassador in the field at 360×740: register a household with two members, record a
visit with a skill seen in person online, record another with the network cut, reconnect,
and find both counted once; print the household card."""


from sqlalchemy import func, select

from lms.ambassadors.models import GuidanceVisit, VerifiedSkill
from lms.extensions import db
from lms.places.models import Household

from .conftest import assert_no_horizontal_scroll
from .test_lesson import staff_page


def visits_of(household_id: int) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count(GuidanceVisit.id)).where(
        GuidanceVisit.household_id == household_id))


def test_register_visit_online_and_offline_then_print_the_card(live_server, browser, world,
                                                               tmp_path):
    context, page = staff_page(browser, live_server, world["ambassador"].phone)
    base = live_server
    page.get_by_role("link", name="Ghi tên một hộ").click()
    page.select_option("#village", label="Bản Púng")
    page.fill("#name", "Hộ Quàng Văn Ún")
    page.fill("#phone", "0977 123 456")
    page.fill("#members-0-name", "Quàng Văn Ún")
    page.select_option("#members-0-gender", "male")
    page.fill("#members-0-birth_year", "1979")
    page.fill("#members-1-name", "Lò Thị Én")
    page.select_option("#members-1-gender", "female")
    page.fill("#members-1-birth_year", "1982")
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "register.png"), full_page=True)
    page.get_by_role("button", name="Ghi tên").click()
    page.get_by_text("Đã ghi tên hộ.").wait_for()
    db.session.commit()
    household = db.session.scalar(select(Household).filter_by(name="Hộ Quàng Văn Ún"))
    first, second = household.members

    page.get_by_role("link", name="Quàng Văn Ún", exact=True).click()
    page.get_by_role("link", name="Ghi sự đồng ý").click()
    page.get_by_label("Tôi đã đọc to lời hỏi ý và người đó đồng ý").check()
    page.get_by_role("button", name="Ghi sự đồng ý").click()
    page.get_by_text("Đã ghi sự đồng ý.").wait_for()

    page.goto(f"{base}/ambassador/households/{household.id}/visits/new")
    page.get_by_label("Quàng Văn Ún").first.check()
    page.get_by_label("Lò Thị Én").first.check()
    page.locator("details", has_text="Quàng Văn Ún").locator("summary").click()
    page.get_by_label("Đã kích hoạt VNeID mức 2 và đăng nhập được").check()
    page.fill("#note", "Anh Ún tự kích hoạt VNeID.")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Lưu buổi hướng dẫn").click()
    page.get_by_text("Đã ghi buổi hướng dẫn.").wait_for()
    assert visits_of(household.id) == 1
    skill = db.session.scalar(select(VerifiedSkill))
    assert skill.person_id == first.id and skill.skill == "vneid-level2-activated"

    # The home page keeps the households and their visit forms on the phone.
    page.goto(f"{base}/ambassador/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    form_url = f"/ambassador/households/{household.id}/visits/new"
    # The home page keeps itself too: the test goes back to it offline below.
    for kept in (form_url, "/ambassador/"):
        page.wait_for_function(
            "url => caches.open('hocso-field-pages').then(c => c.match(url)).then(Boolean)",
            arg=kept)
    # The visit form kept itself when it was open; the home page stores the households
    # (both of them) on its own schedule: wait for that, not for the form.
    page.wait_for_function("""() => new Promise(resolve => {
        const open = indexedDB.open('hocso-field', 1);
        open.onsuccess = () => {
            const request = open.result.transaction('households').objectStore('households')
                .count();
            request.onsuccess = () => { open.result.close(); resolve(request.result === 2); };
        };
    })""")

    context.set_offline(True)
    page.goto(base + form_url)
    page.get_by_label("Lò Thị Én").first.check()
    page.fill("#note", "Chị Én tập trả tiền bằng mã QR.")
    page.get_by_role("button", name="Lưu buổi hướng dẫn").click()
    page.get_by_text("1 buổi hướng dẫn đang chờ").wait_for()
    page.screenshot(path=str(tmp_path / "offline-visit.png"), full_page=True)
    assert visits_of(household.id) == 1

    # Back home (its saved copy) before the connection returns: the "online" event then
    # sends the queue from the page that shows it, not from a page being left.
    page.goto(f"{base}/ambassador/")
    context.set_offline(False)
    page.get_by_text("Đã gửi hết các buổi hướng dẫn.").wait_for()
    assert visits_of(household.id) == 2
    page.reload()  # nothing waits, nothing is sent twice
    page.wait_for_function("document.getElementById('field-status').hidden")
    assert visits_of(household.id) == 2
    assert db.session.scalar(select(func.count(VerifiedSkill.id))) == 1

    page.goto(f"{base}/ambassador/households/{household.id}/card")
    page.emulate_media(media="print")
    assert page.locator(".household-card svg").is_visible()
    assert not page.locator("header.top").is_visible()
    page.screenshot(path=str(tmp_path / "card-print.png"), full_page=True)
    context.close()
