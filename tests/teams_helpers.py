"""A world for the team figures, built by hand: two ambassadors of one commune sharing a
household, one of another commune, work done last month and this month."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from lms.accounts.models import Role, ambassador_assignment
from lms.ambassadors.models import GuidanceVisit, VerifiedSkill
from lms.extensions import db
from lms.families.models import DigitalFamily
from lms.learning.models import LessonProgress, Status
from lms.teams.models import AmbassadorTeam, team_member
from lms.teams.queries import Month, track_lessons

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


@pytest.fixture(name="field")
def team_field(make_commune, make_village, make_household, make_staff):
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
