"""Which teams an account may see, and a team's figures: each member's training and field
work, this month (Vietnam's time) and overall, in a fixed handful of queries."""

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, and_, case, false, func, or_, select

from ..accounts.models import Account, Role, ambassador_assignment
from ..ambassadors.models import GuidanceVisit, VerifiedSkill, visit_present
from ..content.catalog import catalog
from ..extensions import db
from ..families.models import DigitalFamily
from ..learning.models import LessonProgress, Status
from ..places.models import Household
from ..stats.rollups import VIETNAM
from .models import AmbassadorTeam, team_member

TRACK = "ambassador"


def visible_teams(account: Account) -> Select:
    """An admin sees every team, an official their commune's, an ambassador their own."""
    query = select(AmbassadorTeam)
    if account.role == Role.ADMIN:
        return query
    if account.role == Role.OFFICIAL and account.commune_id:
        return query.where(AmbassadorTeam.commune_id == account.commune_id)
    if account.role == Role.AMBASSADOR:
        own = select(team_member.c.team_id).where(team_member.c.account_id == account.id)
        return query.where(AmbassadorTeam.id.in_(own))
    return query.where(false())


def may_manage(account: Account, team: AmbassadorTeam) -> bool:
    """Officials of the team's commune and admins change a team; its members only read."""
    return account.role == Role.ADMIN or (
        account.role == Role.OFFICIAL and account.commune_id == team.commune_id)


@dataclass(frozen=True)
class Month:
    """A calendar month in Vietnam's time, as dates and as UTC instants [start, end)."""

    first: date
    after: date

    @classmethod
    def of(cls, day: date) -> "Month":
        first = day.replace(day=1)
        after = (first.replace(year=first.year + 1, month=1) if first.month == 12
                 else first.replace(month=first.month + 1))
        return cls(first, after)

    @classmethod
    def now(cls) -> "Month":
        return cls.of(datetime.now(VIETNAM).date())

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), VIETNAM).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.after, time(), VIETNAM).astimezone(UTC)

    def has_day(self, column):
        return and_(column >= self.first, column < self.after)

    def has_instant(self, column):
        return and_(column >= self.start, column < self.end)


@dataclass
class Figures:
    """One member's (or the team's) figures; `*_month` ones are this month's."""

    lessons_done: int = 0
    lessons_done_month: int = 0
    households: int = 0
    households_month: int = 0
    visits: int = 0
    visits_month: int = 0
    people: int = 0
    people_month: int = 0
    skills: int = 0
    skills_month: int = 0
    families: int = 0
    families_month: int = 0


@dataclass
class TeamFigures:
    lessons_total: int  # lessons of the ambassador track, per member
    members: dict[int, Figures]
    total: Figures


def track_lessons() -> dict[str, tuple[str, ...]]:
    return {course.slug: tuple(lesson.slug for lesson in course.lessons)
            for course in catalog().for_track(TRACK)}


def _counts(key, counted, in_month, query: Select, distinct: bool,
            member_ids: list[int]) -> tuple[dict[int, tuple[int, int]], tuple[int, int] | None]:
    """(overall, this month) per member, and for the team when `distinct` (someone two
    members both reached counts once for the team)."""
    month_value = case((in_month, counted))
    overall = func.count(counted.distinct() if distinct else counted)
    monthly = func.count(month_value.distinct() if distinct else month_value)
    scoped = query.where(key.in_(member_ids))
    rows = db.session.execute(scoped.add_columns(key, overall, monthly).group_by(key))
    per_member = {member: (every, month) for member, every, month in rows}
    total = None
    if distinct:
        total = tuple(db.session.execute(scoped.add_columns(overall, monthly)).one())
    return per_member, total


def team_figures(member_ids: list[int], month: Month) -> TeamFigures:
    """Every member's figures and the team's, in at most 9 queries whatever the team size."""
    lessons = track_lessons()
    figures = {member: Figures() for member in member_ids}
    total = Figures()
    if not member_ids:
        return TeamFigures(sum(map(len, lessons.values())), figures, total)
    in_track = or_(false(), *(and_(LessonProgress.course == course,
                                   LessonProgress.lesson.in_(slugs))
                              for course, slugs in lessons.items()))
    assigned = (select().select_from(ambassador_assignment)
                .join(Household, Household.id == ambassador_assignment.c.household_id)
                .where(Household.active.is_(True)))
    measures = {
        "lessons_done": (Account.id, LessonProgress.id,
                         month.has_instant(LessonProgress.completed_at),
                         select().select_from(LessonProgress)
                         .join(Account, Account.person_id == LessonProgress.person_id)
                         .where(LessonProgress.status == Status.COMPLETED, in_track), False),
        "households": (ambassador_assignment.c.account_id, ambassador_assignment.c.household_id,
                       month.has_instant(ambassador_assignment.c.assigned_at), assigned, True),
        "visits": (GuidanceVisit.ambassador_id, GuidanceVisit.id,
                   month.has_day(GuidanceVisit.visited_on),
                   select().select_from(GuidanceVisit), False),
        "people": (GuidanceVisit.ambassador_id, visit_present.c.person_id,
                   month.has_day(GuidanceVisit.visited_on),
                   select().select_from(visit_present)
                   .join(GuidanceVisit, GuidanceVisit.id == visit_present.c.visit_id), True),
        "skills": (VerifiedSkill.verified_by_id, VerifiedSkill.id,
                   month.has_day(VerifiedSkill.verified_on),
                   select().select_from(VerifiedSkill), False),
        "families": (ambassador_assignment.c.account_id, DigitalFamily.household_id,
                     month.has_day(DigitalFamily.since),
                     assigned.join(DigitalFamily, DigitalFamily.household_id
                                   == ambassador_assignment.c.household_id)
                     .where(DigitalFamily.reached.is_(True)), True),
    }
    for name, (key, counted, in_month, query, distinct) in measures.items():
        per_member, team = _counts(key, counted, in_month, query, distinct, member_ids)
        for member, (every, this_month) in per_member.items():
            setattr(figures[member], name, every)
            setattr(figures[member], f"{name}_month", this_month)
        if team is None:
            team = (sum(counts[0] for counts in per_member.values()),
                    sum(counts[1] for counts in per_member.values()))
        setattr(total, name, team[0])
        setattr(total, f"{name}_month", team[1])
    return TeamFigures(sum(map(len, lessons.values())), figures, total)


FIGURE_NAMES = tuple(f.name for f in fields(Figures))
