"""What the ambassador's pages and the field-work API show, in a few grouped queries."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select

from ..accounts.models import Account, Person, Role
from ..content.catalog import catalog, lesson_text
from ..content.model import Course, Lesson
from ..extensions import db
from ..learning.models import Certificate, LessonProgress, ProgressEvent
from ..places.models import Household, Village
from .models import GuidanceVisit, NeedsHelp, VerifiedSkill, visit_present


@dataclass(frozen=True)
class LessonLine:
    lesson: Lesson
    summary: LessonProgress | None


@dataclass(frozen=True)
class CourseLines:
    course: Course
    lessons: list[LessonLine]

    @property
    def started(self) -> bool:
        return any(line.summary for line in self.lessons)


def progress_rows(person_id: int) -> list[LessonProgress]:
    return list(db.session.scalars(select(LessonProgress).where(
        LessonProgress.person_id == person_id)))


def person_progress(person_id: int) -> list[CourseLines]:
    """Every villager course, lesson by lesson, with the person's summary where there is one."""
    rows = {(row.course, row.lesson): row for row in progress_rows(person_id)}
    return [CourseLines(course=course, lessons=[
        LessonLine(lesson=lesson, summary=rows.get((course.slug, lesson.slug)))
        for lesson in course.lessons]) for course in catalog().for_track("villager")]


def needs_help_by_person(person_ids: list[int]) -> dict[int, list[dict]]:
    """The stored flags, in the API's shape, per person."""
    if not person_ids:
        return {}
    found: dict[int, list[dict]] = {}
    for flag in db.session.scalars(select(NeedsHelp).where(
            NeedsHelp.person_id.in_(person_ids)).order_by(NeedsHelp.person_id, NeedsHelp.id)):
        found.setdefault(flag.person_id, []).append({
            "person": flag.person_id, "reason": flag.reason.value, "course": flag.course,
            "lesson": flag.lesson})
    return found


def verified_skills(person_id: int) -> list[VerifiedSkill]:
    return list(db.session.scalars(select(VerifiedSkill).where(
        VerifiedSkill.person_id == person_id)
        .order_by(VerifiedSkill.verified_on, VerifiedSkill.id)))


@dataclass
class HouseholdLine:
    """One line of the ambassador's home: what tells them where to go next."""

    household: Household
    members: int = 0
    courses_completed: int = 0
    last_visit: date | None = None
    flags: list[NeedsHelp] = field(default_factory=list)

    @property
    def needs_visit_key(self) -> tuple:
        """Needs help first, then the longest since the last visit (never visited first)."""
        return (not self.flags, self.last_visit or date.min, self.household.name)


def home_lines(households: Select) -> list[tuple[Village, list[HouseholdLine]]]:
    """The active households of a scope, grouped by village, each village's needs-a-visit
    first; five grouped queries whatever the number of households."""
    found = db.session.execute(
        households.where(Household.active.is_(True)).join(
            Village, Household.village_id == Village.id)
        .with_only_columns(Household, Village).order_by(Village.name, Household.id)).all()
    lines = {household.id: HouseholdLine(household) for household, _village in found}
    if not lines:
        return []
    ids = list(lines)
    active_people = select(Person.id, Person.household_id).where(
        Person.household_id.in_(ids), Person.active.is_(True)).subquery()
    for household_id, members in db.session.execute(
            select(active_people.c.household_id, func.count())
            .group_by(active_people.c.household_id)):
        lines[household_id].members = members
    for household_id, completed in db.session.execute(
            select(active_people.c.household_id, func.count(Certificate.id))
            .join(Certificate, Certificate.person_id == active_people.c.id)
            .group_by(active_people.c.household_id)):
        lines[household_id].courses_completed = completed
    for household_id, last in db.session.execute(
            select(GuidanceVisit.household_id, func.max(GuidanceVisit.visited_on))
            .where(GuidanceVisit.household_id.in_(ids)).group_by(GuidanceVisit.household_id)):
        lines[household_id].last_visit = last
    for flag, household_id in db.session.execute(
            select(NeedsHelp, active_people.c.household_id)
            .join(active_people, active_people.c.id == NeedsHelp.person_id)
            .order_by(NeedsHelp.id)):
        lines[household_id].flags.append(flag)
    grouped: dict[int, tuple[Village, list[HouseholdLine]]] = {}
    for household, village in found:
        grouped.setdefault(village.id, (village, []))[1].append(lines[household.id])
    for _village, village_lines in grouped.values():
        village_lines.sort(key=lambda line: line.needs_visit_key)
    return list(grouped.values())


def lesson_title(course_slug: str, lesson_slug: str, language: str) -> str:
    course = catalog().course(course_slug)
    lesson = course.lesson(lesson_slug) if course else None
    if lesson is None:
        return lesson_slug
    return lesson_text(lesson, language)[0].title


def flags_of(person_ids: list[int]) -> dict[int, list[NeedsHelp]]:
    found: dict[int, list[NeedsHelp]] = {}
    if person_ids:
        for flag in db.session.scalars(select(NeedsHelp).where(
                NeedsHelp.person_id.in_(person_ids)).order_by(NeedsHelp.id)):
            found.setdefault(flag.person_id, []).append(flag)
    return found


def person_visits(person_id: int, limit: int = 20) -> list[GuidanceVisit]:
    return list(db.session.scalars(
        select(GuidanceVisit).join(visit_present, visit_present.c.visit_id == GuidanceVisit.id)
        .where(visit_present.c.person_id == person_id)
        .order_by(GuidanceVisit.visited_on.desc(), GuidanceVisit.id.desc()).limit(limit)))


def skill_title(course_slug: str, skill_id: str, language: str) -> str:
    course = catalog().course(course_slug)
    skill = next((s for s in course.skills if s.id == skill_id), None) if course else None
    if skill is None:
        return skill_id
    return skill.titles.get(language) or skill.titles.get("vi", skill_id)


def assisted_lessons(person_id: int) -> dict[str, set[str]]:
    """Lessons of a person with events recorded on an ambassador's account (assisted)."""
    rows = db.session.execute(
        select(ProgressEvent.course, ProgressEvent.lesson).distinct()
        .join(Account, Account.id == ProgressEvent.account_id)
        .where(ProgressEvent.person_id == person_id, Account.role == Role.AMBASSADOR,
               Account.person_id.is_distinct_from(person_id))).all()
    found: dict[str, set[str]] = {}
    for course, lesson in rows:
        found.setdefault(course, set()).add(lesson)
    return found
