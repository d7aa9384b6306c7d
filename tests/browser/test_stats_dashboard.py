"""The commune official on a phone: the dashboard, a filter, the downloads, the print view."""

import csv
import io

import openpyxl

from lms.accounts.models import Account
from lms.extensions import db
from lms.learning.progress import record_events

from ..conftest import TEST_PASSWORD
from ..learning_helpers import event, lesson_of
from .conftest import assert_no_horizontal_scroll


def started_by_all(world) -> None:
    course, lesson = lesson_of()
    for key in ("mine", "theirs"):
        account = db.session.scalar(db.select(Account).filter_by(
            household_id=world[key].id))
        record_events(account, [event(person.id, course.slug, lesson.slug, 1)
                                for person in world[key].members])


def headline(page) -> list[str]:
    return [text.strip() for text in page.locator(".headline .figure").all_inner_texts()]


def test_the_official_filters_downloads_and_prints_on_a_phone(live_server, phone, world,
                                                              tmp_path):
    started_by_all(world)
    page = phone
    page.goto(live_server + "/login")
    page.fill("input[name=phone]", world["official"].phone)
    page.fill("input[name=secret]", TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server + "/official/")
    assert page.get_by_role("heading", name="Xã Chiềng Mung").is_visible()
    # People, started, completed, Digital Family households.
    assert headline(page) == ["5", "5", "0", "0"]
    assert page.locator("svg.chart").count() >= 4
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "dashboard-360.png"), full_page=True)

    page.select_option("select[name=gender]", "male")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url("**gender=male**")
    assert headline(page) == ["0", "0", "0", "—"]  # households have no gender
    page.select_option("select[name=gender]", "")
    page.select_option("select[name=village]", str(world["village"].id))
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(f"**village={world['village'].id}**")
    assert headline(page) == ["<5", "<5", "0", "0"]

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Tải về tệp CSV").click()
    rows = list(csv.reader(io.StringIO(
        open(csv_download.value.path(), encoding="utf-8-sig").read())))
    assert rows[0] == ["Số liệu", "Xã Chiềng Mung"] and ["Bản", "Bản Mé"] in rows, rows[:5]
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Tải về tệp Excel (XLSX)").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.value.path(), "rb") as file:
        sheet = openpyxl.load_workbook(file).active
    assert sheet["B1"].value == "Xã Chiềng Mung"

    page.get_by_role("link", name="Báo cáo để in").click()
    page.wait_for_url("**/report**")
    page.emulate_media(media="print")
    assert not page.locator("form.filters").count()
    assert page.locator("header.top").is_hidden()
    page.screenshot(path=str(tmp_path / "report-print.png"), full_page=True)
    pdf = page.pdf(format="A4", path=str(tmp_path / "report.pdf"))
    assert pdf.startswith(b"%PDF")
    a4_width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less 14 mm margins at 96 dpi
    assert page.evaluate("document.documentElement.scrollWidth") <= 718, a4_width
