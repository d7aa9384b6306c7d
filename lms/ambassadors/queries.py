"""What the ambassador's pages and the field-work API show, in a few grouped queries."""

from dataclasses import dataclass

from sqlalchemy import select

from ..content.catalog import catalog
from ..content.model import Course, Lesson
from ..extensions import db
from ..learning.models import LessonProgress
from .models import NeedsHelp, VerifiedSkill


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
