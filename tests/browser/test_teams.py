"""Ambassador teams in a browser: an official fills a team on a phone; the team page reads
at 360 px (stacked cards) and at 1280 px (one table)."""

from sqlalchemy import select

from lms.teams.models import AmbassadorTeam

from ..conftest import TEST_PASSWORD
from ..teams_helpers import team_field  # noqa: F401  (the `field` fixture)
from .conftest import assert_no_horizontal_scroll


def _sign_in(page, server, phone) -> None:
    page.goto(server + "/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=secret]", TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_an_official_makes_a_team_on_a_phone(live_server, phone, world, make_staff,
                                             tmp_path):
    from lms.accounts.models import Role

    second = make_staff(Role.AMBASSADOR, "0911000030", world["home"])
    page = phone
    _sign_in(page, live_server, world["official"].phone)
    page.goto(live_server + "/official/")
    page.get_by_role("link", name="Đội Đại sứ số").click()
    page.get_by_role("link", name="Đội mới").click()
    page.get_by_role("button", name="Tạo đội").click()  # no name: refused
    page.get_by_text("Nhập tên của đội.").wait_for()
    page.fill("input[name=name]", "Đại sứ số Chiềng Mung 2026")
    page.get_by_role("button", name="Tạo đội").click()
    page.wait_for_url("**/teams/*")
    assert page.get_by_role("heading", name="Đại sứ số Chiềng Mung 2026").is_visible()
    for account in (world["ambassador"], second):
        page.select_option("select[name=account]", str(account.id))
        page.get_by_role("button", name="Thêm vào đội").click()
        page.get_by_text(f"{account.name} đã vào đội.").wait_for()
    assert page.locator("table.team-figures tbody tr").count() == 2
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "team-official-360.png"), full_page=True)


def test_the_team_page_reads_on_a_phone_and_a_desktop(live_server, browser, phone, field,
                                                      tmp_path):
    team = select(AmbassadorTeam.id)
    from lms.extensions import db

    team_id = db.session.scalar(team)
    page = phone
    _sign_in(page, live_server, field["a"].phone)
    page.goto(live_server + "/ambassador/")
    page.get_by_role("link", name="Đội của tôi: Đại sứ số Chiềng Mung 2026").click()
    page.wait_for_url(f"**/teams/{team_id}")
    cards = page.locator("table.team-figures tbody tr, table.team-figures tfoot tr")
    assert cards.count() == 3  # two members and the whole team
    assert page.locator("table.team-figures thead").is_hidden() or page.locator(
        "table.team-figures thead").bounding_box()["x"] < 0  # the headings move into cards
    # Stacked: each card is as wide as the screen, not a column of a wide table.
    assert page.locator("table.team-figures tbody tr").first.bounding_box()["width"] <= 360
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "team-360.png"), full_page=True)

    desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    try:
        wide = desktop.new_page()
        _sign_in(wide, live_server, field["a"].phone)
        wide.goto(live_server + f"/teams/{team_id}")
        assert wide.locator("table.team-figures thead").is_visible()
        overflow = wide.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        wide.screenshot(path=str(tmp_path / "team-1280.png"), full_page=True)
    finally:
        desktop.close()
