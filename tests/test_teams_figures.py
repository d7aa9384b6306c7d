"""A team page's figures against a world built by hand: this month (Vietnam time) and
overall, per member and for the team, in a fixed number of queries."""

import re
from datetime import timedelta

from sqlalchemy import event

from lms.accounts.models import Role
from lms.extensions import db
from lms.teams.queries import Figures, Month, team_figures

from .teams_helpers import team_field  # noqa: F401  (the `field` fixture)


def test_each_members_figures_this_month_and_overall(field):
    a, b = field["a"], field["b"]
    figures = team_figures([a.id, b.id], field["month"])
    assert figures.lessons_total == field["lessons"]
    assert figures.members[a.id] == Figures(
        lessons_done=2, lessons_done_month=1, households=2, households_month=1,
        visits=2, visits_month=1, people=3, people_month=1, skills=2, skills_month=1,
        families=2, families_month=1)
    assert figures.members[b.id] == Figures(
        lessons_done=1, lessons_done_month=0, households=2, households_month=1,
        visits=1, visits_month=1, people=2, people_month=2, skills=1, skills_month=1,
        families=1, families_month=1)


def test_the_team_row_counts_a_shared_household_or_person_once(field):
    figures = team_figures([field["a"].id, field["b"].id], field["month"])
    assert figures.total == Figures(
        lessons_done=3, lessons_done_month=1, households=3, households_month=2,
        visits=3, visits_month=2, people=4, people_month=2, skills=3, skills_month=2,
        families=2, families_month=1)


def test_last_month_is_not_this_month(field):
    """Seen from the month before, A's work of last month is "this month"."""
    earlier = Month.of(field["month"].first - timedelta(days=1))
    figures = team_figures([field["a"].id], earlier).members[field["a"].id]
    assert (figures.lessons_done_month, figures.households_month, figures.visits_month,
            figures.people_month, figures.skills_month, figures.families_month) == (
        1, 1, 1, 2, 1, 1)


def test_a_member_with_nothing_done_shows_zeros(field, make_staff):
    new = make_staff(Role.AMBASSADOR, "0912000004", field["team"].commune)
    assert team_figures([new.id], field["month"]).members[new.id] == Figures()


def test_the_number_of_queries_does_not_grow_with_the_team(field, app):
    ids = [field[key].id for key in ("a", "b", "c")]
    month = field["month"]
    team_figures(ids, month)  # the course catalog is read once, on first use
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        team_figures(ids[:1], month)
        one = len(statements)
        statements.clear()
        team_figures(ids, month)
        assert len(statements) == one <= 9
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_team_page_shows_the_figures(app, field):
    from .conftest import TEST_PASSWORD, sign_in

    client = app.test_client()
    assert sign_in(client, field["a"].phone, TEST_PASSWORD).status_code == 302
    page = client.get(f"/teams/{field['team'].id}?lang=vi").get_data(as_text=True)
    footer = page[page.index("<tfoot>"):page.index("</tfoot>")]
    cells = re.findall(r'data-label="([^"]+)"><span><strong>([^<]+)</strong> '
                       r'<span class="month">(\d+) trong tháng này', footer)
    assert cells == [
        ("Việc học", f"3/{2 * field['lessons']} bài", "1"),
        ("Hộ được giao", "3", "2"), ("Lần hướng dẫn tại nhà", "3", "2"),
        ("Người được hướng dẫn", "4", "2"), ("Kỹ năng đã xác nhận", "3", "2"),
        ("Gia đình số", "2", "1")]
    assert field["c"].name not in page
