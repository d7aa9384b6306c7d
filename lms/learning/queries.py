"""What a learner's pages show: their courses, progress and what comes next."""

from dataclasses import dataclass

from sqlalchemy import select

from ..accounts.models import Account, Role
from ..content.catalog import catalog
from ..content.model import Course, Lesson
from ..extensions import db
from .models import Certificate, EventType, LessonProgress, ProgressEvent, Status


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    completed: int
    summaries: dict[str, LessonProgress]

    @property
    def total(self) -> int:
        return len(self.course.lessons)

    @property
    def next_lesson(self) -> Lesson | None:
        return next((lesson for lesson in self.course.lessons
                     if self.status(lesson) != Status.COMPLETED), None)

    def status(self, lesson: Lesson) -> Status | None:
        row = self.summaries.get(lesson.slug)
        return row.status if row else None


VILLAGER_TRACKS = ("villager",)
STAFF_TRACKS = ("ambassador", "villager")


def tracks_for(account: Account) -> tuple[str, ...]:
    """Ambassadors take their own track as well as the villagers' courses."""
    return STAFF_TRACKS if account.role != Role.LEARNER else VILLAGER_TRACKS


def visible_course(account: Account, slug: str) -> Course | None:
    """A course the account may take: its track is one of the account's tracks."""
    course = catalog().course(slug)
    return course if course is not None and course.track in tracks_for(account) else None


def visible_courses(account: Account) -> list[Course]:
    return [course for track in tracks_for(account) for course in catalog().for_track(track)]


def tracks_of_people(account: Account, person_ids: set[int]) -> dict[int, tuple[str, ...]]:
    """The tracks each person may take when `account` records for them: the account's
    tracks, narrowed to the villagers' for anyone who is not staff themselves (an
    ambassador guiding a household records villager courses for its members)."""
    staff = set(db.session.scalars(select(Account.person_id).where(
        Account.person_id.in_(person_ids), Account.role != Role.LEARNER))) if person_ids else set()
    mine = tracks_for(account)
    return {person_id: mine if person_id in staff else tuple(
        track for track in mine if track in VILLAGER_TRACKS) for person_id in person_ids}


def certificate_of(person_id: int, course: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).filter_by(person_id=person_id, course=course))


def certificate_by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).filter_by(code=code))


def latest_answer(person_id: int, course: str, lesson: str, step: int) -> ProgressEvent | None:
    return db.session.scalar(
        select(ProgressEvent).where(
            ProgressEvent.person_id == person_id, ProgressEvent.course == course,
            ProgressEvent.lesson == lesson, ProgressEvent.step == step,
            ProgressEvent.type == EventType.ANSWER_SUBMITTED)
        .order_by(ProgressEvent.occurred_at.desc(), ProgressEvent.id.desc()).limit(1))


def summaries_of(person_id: int) -> list[LessonProgress]:
    return db.session.scalars(select(LessonProgress).where(
        LessonProgress.person_id == person_id)).all()


def course_progress(person_id: int, account: Account) -> list[CourseProgress]:
    rows = summaries_of(person_id)
    by_course: dict[str, dict[str, LessonProgress]] = {}
    for row in rows:
        by_course.setdefault(row.course, {})[row.lesson] = row
    result = []
    for course in visible_courses(account):
        lessons = by_course.get(course.slug, {})
        completed = sum(1 for lesson in course.lessons
                        if lessons.get(lesson.slug) is not None
                        and lessons[lesson.slug].status == Status.COMPLETED)
        result.append(CourseProgress(course=course, completed=completed, summaries=lessons))
    return result


def continue_lesson(person_id: int) -> LessonProgress | None:
    """The lesson most recently worked on and not yet completed."""
    return db.session.scalar(
        select(LessonProgress).where(LessonProgress.person_id == person_id,
                                     LessonProgress.status != Status.COMPLETED)
        .order_by(LessonProgress.last_seen.desc()).limit(1))


def summary(person_id: int, course: str, lesson: str) -> LessonProgress | None:
    return db.session.scalar(select(LessonProgress).where(
        LessonProgress.person_id == person_id, LessonProgress.course == course,
        LessonProgress.lesson == lesson))


def last_attempt(person_id: int, course: str, lesson: str) -> ProgressEvent | None:
    return db.session.scalar(
        select(ProgressEvent).where(
            ProgressEvent.person_id == person_id, ProgressEvent.course == course,
            ProgressEvent.lesson == lesson, ProgressEvent.type == EventType.LESSON_COMPLETED)
        .order_by(ProgressEvent.occurred_at.desc(), ProgressEvent.id.desc()).limit(1))
