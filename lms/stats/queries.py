"""Figures for officials and admins. Every count starts from a scope query, and a group
smaller than SMALL_GROUP is shown as "<5" so that no figure singles out a person."""

from dataclasses import dataclass

from sqlalchemy import Select, case, func, select

from ..accounts.models import Account, Person
from ..auth import visible_people
from ..content.catalog import catalog
from ..extensions import db
from ..learning.models import LessonProgress, Status
from ..places.models import Commune, Household, Village

SMALL_GROUP = 5


def masked(count: int) -> int | str:
    """A count as it may be shown: groups under 5 people say "<5"."""
    return count if count == 0 or count >= SMALL_GROUP else f"<{SMALL_GROUP}"


@dataclass(frozen=True)
class CourseFigures:
    slug: str
    title: dict[str, str]
    started: int
    completed: int


def commune_people(account: Account, commune: Commune) -> Select:
    """The commune's registered villagers (household members), within the viewer's scope."""
    return visible_people(account).join(Household, Person.household_id == Household.id).join(
        Village, Household.village_id == Village.id).where(Village.commune_id == commune.id)


def course_figures(people: Select) -> list[CourseFigures]:
    """Started and completed per course for a set of people, in two grouped queries."""
    person_ids = people.with_only_columns(Person.id).scalar_subquery()
    started = dict(db.session.execute(
        select(LessonProgress.course, func.count(func.distinct(LessonProgress.person_id)))
        .where(LessonProgress.person_id.in_(person_ids)).group_by(LessonProgress.course)
    ).all())
    done_per_person = (
        select(LessonProgress.course, LessonProgress.person_id,
               func.count().label("lessons"))
        .where(LessonProgress.person_id.in_(person_ids),
               LessonProgress.status == Status.COMPLETED)
        .group_by(LessonProgress.course, LessonProgress.person_id).subquery()
    )
    completed_counts: dict[str, int] = {}
    courses = catalog().courses
    rows = db.session.execute(select(done_per_person.c.course, done_per_person.c.lessons,
                                     func.count()).group_by(done_per_person.c.course,
                                                            done_per_person.c.lessons)).all()
    for course_slug, lessons, people_count in rows:
        course = courses.get(course_slug)
        if course is not None and lessons >= len(course.lessons):
            completed_counts[course_slug] = completed_counts.get(course_slug, 0) + people_count
    return [CourseFigures(slug=c.slug, title=c.titles, started=started.get(c.slug, 0),
                          completed=completed_counts.get(c.slug, 0))
            for c in courses.values() if c.track == "villager"]


def people_count(people: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(people.subquery()))


@dataclass(frozen=True)
class MemberActivity:
    person: Person
    completed: int
    last_seen: object
    stuck: bool


def member_activity(people: list[Person]) -> dict[int, MemberActivity]:
    """Lessons completed, last activity and whether someone is stuck (a failed quiz not
    yet passed), per person, in one query."""
    if not people:
        return {}
    rows = db.session.execute(
        select(LessonProgress.person_id,
               func.sum(case((LessonProgress.status == Status.COMPLETED, 1), else_=0)),
               func.max(LessonProgress.last_seen),
               func.sum(case((LessonProgress.status == Status.FAILED, 1), else_=0)))
        .where(LessonProgress.person_id.in_([p.id for p in people]))
        .group_by(LessonProgress.person_id)
    ).all()
    found = {row[0]: row for row in rows}
    result = {}
    for person in people:
        row = found.get(person.id)
        result[person.id] = MemberActivity(
            person=person, completed=int(row[1] or 0) if row else 0,
            last_seen=row[2] if row else None, stuck=bool(row and row[3]))
    return result
