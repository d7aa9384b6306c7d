"""An ambassador at 360×740 creates a community class, marks three people present (two
found by name, one walk-in), marks a fourth with the network cut and finds it counted once
when the connection returns; the event page shows them, and the sheet prints on A4."""

import re

from sqlalchemy import func, select

from lms.accounts.models import Person
from lms.events.models import CommunityEvent, EventAttendance
from lms.extensions import db

from .conftest import assert_no_horizontal_scroll
from .test_lesson import staff_page


def marks_of(event_id: int) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count(EventAttendance.id)).where(
        EventAttendance.event_id == event_id))


def test_create_an_event_mark_three_and_one_offline(live_server, browser, world, tmp_path):
    context, page = staff_page(browser, live_server, world["ambassador"].phone)
    base = live_server
    page.get_by_role("link", name="Lớp học và sự kiện").click()
    page.screenshot(path=str(tmp_path / "list-empty.png"), full_page=True)
    page.get_by_role("link", name="Tạo sự kiện mới").click()
    page.fill("#title", "Lớp học dùng VNeID ở bản Mé")
    page.select_option("#kind", "class")
    page.fill("#place", "Nhà văn hoá bản Mé")
    page.select_option("#village", label="Bản Mé")
    page.get_by_label("Dịch vụ công trực tuyến", exact=False).first.check()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "event-form.png"), full_page=True)
    page.get_by_role("button", name="Lưu sự kiện").click()
    page.get_by_text("Đã tạo sự kiện.").wait_for()
    db.session.commit()
    event = db.session.scalar(select(CommunityEvent))
    assert event.title == "Lớp học dùng VNeID ở bản Mé"

    page.get_by_role("link", name="Điểm danh", exact=True).click()
    for name in ("Lò Thị A", "Lò Thị B"):
        page.fill("#q", name.lower())
        page.get_by_role("button", name="Tìm").click()
        page.get_by_role("button", name=re.compile(f"^{name} Bản Mé")).click()  # a tap: marked
        page.get_by_text(f"Đã điểm danh {name} có mặt.").wait_for()
    assert marks_of(event.id) == 2
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "mark.png"), full_page=True)

    page.get_by_text("Thêm người đến trực tiếp").click()
    page.fill("#walkin-name", "Cầm Thị Dung")
    page.select_option("#walkin-gender", "female")
    page.fill("#walkin-birth_year", "1991")
    page.select_option("#walkin-village", label="Bản Púng")
    page.screenshot(path=str(tmp_path / "walk-in.png"), full_page=True)
    page.get_by_role("button", name="Thêm và điểm danh có mặt").click()
    page.get_by_text("Đã thêm Cầm Thị Dung và điểm danh có mặt.").wait_for()
    assert marks_of(event.id) == 3
    walk_in = db.session.scalar(select(Person).filter_by(name="Cầm Thị Dung"))
    assert walk_in.household.village_id == world["other_village"].id

    # The page keeps this event's people on the phone; with the network cut, the search
    # still finds them and a tap waits in the queue.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_function("""() => new Promise(resolve => {
        const open = indexedDB.open('hocso-attendance', 1);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('people')) { db.close(); return resolve(false); }
          db.transaction('people').objectStore('people').count().onsuccess =
            e => { db.close(); resolve(e.target.result > 0); };
        };
        open.onerror = () => resolve(false);
    })""")
    context.set_offline(True)
    page.fill("#q", "thi c")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("button", name=re.compile("^Lò Thị C")).click()
    page.get_by_text("1 lượt điểm danh đang chờ").wait_for()
    assert marks_of(event.id) == 3
    context.set_offline(False)
    page.get_by_text("Đã gửi hết các lượt điểm danh.").wait_for()
    assert marks_of(event.id) == 4
    page.reload()  # nothing waits, nothing is sent twice
    page.wait_for_function("document.getElementById('attendance-status').hidden")
    assert marks_of(event.id) == 4

    page.get_by_role("link", name="Quay lại sự kiện").click()
    page.get_by_text("4 người tham dự").wait_for()
    for name in ("Lò Thị A", "Lò Thị B", "Lò Thị C", "Cầm Thị Dung"):
        assert page.locator(".attendee", has_text=name).is_visible()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "event.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(tmp_path / "event-wide.png"), full_page=True)

    page.goto(f"{base}/events/{event.id}/sheet")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert page.locator(".sheet tbody tr").count() >= 4 + 10
    page.screenshot(path=str(tmp_path / "sheet-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(tmp_path / "sheet.png"), full_page=True)
    page.goto(f"{base}/events/")
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
    context.close()
