"""A team page's figures against a world built by hand: this month (Vietnam time) and
overall, per member and for the team, in a fixed number of queries."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from lms.accounts.models import Role, ambassador_assignment
from lms.ambassadors.models import GuidanceVisit, VerifiedSkill
from lms.extensions import db
from lms.families.models import DigitalFamily
from lms.learning.models import LessonProgress, Status
from lms.teams.models import AmbassadorTeam, team_member
from lms.teams.queries import Figures, Month, team_figures, track_lessons

SECOND = timedelta(seconds=1)


def _assigned_at(account, household, moment) -> None:
    db.session.execute(update(ambassador_assignment).where(
        ambassador_assignment.c.account_id == account.id,
        ambassador_assignment.c.household_id == household.id).values(assigned_at=moment))


def _lesson(person, course, lesson, completed_at=None) -> None:
    moment = completed_at or Month.now().start
    db.session.add(LessonProgress(
        person_id=person.id, course=course, lesson=lesson,
        status=Status.COMPLETED if completed_at else Status.IN_PROGRESS,
        first_seen=moment, last_seen=moment, completed_at=completed_at,
        content_version="test"))


def _visit(ambassador, household, day, present, verified=()) -> None:
    visit = GuidanceVisit(visit_uuid=str(uuid.uuid4()), ambassador_id=ambassador.id,
                          household_id=household.id, visited_on=day, practised=[])
    visit.present = list(present)
    db.session.add(visit)
    db.session.flush()
    for person in verified:
        db.session.add(VerifiedSkill(visit_id=visit.id, person_id=person.id,
                                     course="public-services",
                                     skill="vneid-level2-activated",
                                     verified_by_id=ambassador.id, verified_on=day))


@pytest.fixture
def field(make_commune, make_village, make_household, make_staff):
    """Ambassadors A (households 1 and 2) and B (households 2 and 3) of one commune, and
    C of another commune; work done last month and this month."""
    month = Month.now()
    this_day, last_month_day = month.first, month.first - timedelta(days=1)
    home, away = make_commune("Chiềng Mung"), make_commune("Mường Bon")
    village = make_village(home, "Bản Mé")
    h1, h2, h3 = (make_household(village, f"Hộ {n}", members=2) for n in (1, 2, 3))
    closed = make_household(village, "Hộ đã chuyển đi", members=1)
    closed.active = False
    far = make_household(make_village(away, "Bản Hẹo"), "Hộ xa", members=2)
    a = make_staff(Role.AMBASSADOR, "0912000001", home, [h1, h2, closed])
    b = make_staff(Role.AMBASSADOR, "0912000002", home, [h2, h3])
    c = make_staff(Role.AMBASSADOR, "0912000003", away, [far])

    # Assigned: A's household 1 one second before the month began in Vietnam.
    _assigned_at(a, h1, month.start - SECOND)
    _assigned_at(a, h2, month.start)
    _assigned_at(b, h2, month.start - timedelta(days=40))
    _assigned_at(b, h3, month.start + timedelta(hours=1))

    lessons = [(course, lesson) for course, slugs in track_lessons().items()
               for lesson in slugs]
    _lesson(a.person, *lessons[0], completed_at=month.start)  # 00:00 on the 1st, Vietnam
    _lesson(a.person, *lessons[1], completed_at=month.start - SECOND)
    _lesson(a.person, *lessons[2])  # started, not finished
    _lesson(a.person, "public-services", "activate-level-2", completed_at=month.start)
    _lesson(b.person, *lessons[0], completed_at=month.start - timedelta(days=100))
    _lesson(c.person, *lessons[0], completed_at=month.start)

    p1, p2 = h1.members
    q1, q2 = h2.members
    _visit(a, h1, last_month_day, [p1, p2], verified=[p1])
    _visit(a, h2, this_day, [q1], verified=[q1])
    _visit(b, h2, this_day, [q1, q2], verified=[q1])
    _visit(c, far, this_day, far.members, verified=far.members)

    db.session.add_all([DigitalFamily(household_id=h1.id, reached=True, since=last_month_day),
                        DigitalFamily(household_id=h2.id, reached=True, since=this_day),
                        DigitalFamily(household_id=h3.id, reached=False),
                        DigitalFamily(household_id=far.id, reached=True, since=this_day)])
    team = AmbassadorTeam(commune_id=home.id, name="Đại sứ số Chiềng Mung 2026")
    db.session.add(team)
    db.session.flush()
    for member in (a, b):
        db.session.execute(team_member.insert().values(team_id=team.id,
                                                       account_id=member.id))
    db.session.commit()
    return {"a": a, "b": b, "c": c, "team": team, "month": month,
            "lessons": len(lessons)}


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
                       r'<span class="muted">· (\d+) trong tháng này', footer)
    assert cells == [
        ("Việc học", f"3/{2 * field['lessons']} bài", "1"),
        ("Hộ được giao", "3", "2"), ("Lần hướng dẫn tại nhà", "3", "2"),
        ("Người được hướng dẫn", "4", "2"), ("Kỹ năng đã xác nhận", "3", "2"),
        ("Gia đình số", "2", "1")]
    assert field["c"].name not in page
