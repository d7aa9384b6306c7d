"""Who needs a visit, and why: stored flags, brought up to date when something changes.

Rules (each flag names the lesson):
- quiz_failed: the same lesson's quiz failed twice or more, and not passed since;
- silent: a lesson started and not finished, and nothing at all for 14 days;
- no_start: registered 30 days ago or more, and no progress at all (names the first lesson).
Only active members of active households are flagged.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..accounts.models import Person
from ..content.catalog import catalog
from ..extensions import db
from ..learning.models import EventType, LessonProgress, ProgressEvent, Status
from ..models_common import utcnow
from ..places.models import Household
from ..signals import progress_recorded
from .models import NeedsHelp, NeedsHelpReason

SILENT_AFTER = timedelta(days=14)
NO_START_AFTER = timedelta(days=30)
FAILED_TWICE = 2
CHUNK = 500


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _first_lesson() -> tuple[str, str] | None:
    courses = sorted(catalog().for_track("villager"), key=lambda c: c.order)
    for course in courses:
        if course.lessons:
            return course.slug, course.lessons[0].slug
    return None


def _failed_quizzes(person_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    """Lessons whose quiz a person failed twice or more after their last pass."""
    rows = db.session.execute(
        select(ProgressEvent.person_id, ProgressEvent.course, ProgressEvent.lesson,
               ProgressEvent.correct, ProgressEvent.occurred_at)
        .where(ProgressEvent.person_id.in_(person_ids),
               ProgressEvent.type == EventType.LESSON_COMPLETED)).all()
    attempts = defaultdict(list)
    for person_id, course, lesson, correct, occurred_at in rows:
        attempts[(person_id, course, lesson)].append((_aware(occurred_at), bool(correct)))
    found = defaultdict(set)
    for (person_id, course, lesson), tries in attempts.items():
        passes = [moment for moment, correct in tries if correct]
        last_pass = max(passes) if passes else None
        fails = sum(1 for moment, correct in tries
                    if not correct and (last_pass is None or moment > last_pass))
        if fails >= FAILED_TWICE:
            found[person_id].add((course, lesson))
    return found


def reasons_for(people: list[Person], now: datetime) -> dict[int, set[tuple]]:
    """{person id: {(reason, course, lesson)}} for these people, from the summaries and
    (for failed quizzes) the attempts in the event log."""
    ids = [p.id for p in people]
    summaries = defaultdict(list)
    for row in db.session.scalars(select(LessonProgress).where(
            LessonProgress.person_id.in_(ids))):
        summaries[row.person_id].append(row)
    failed = _failed_quizzes(ids)
    first = _first_lesson()
    result = {}
    for person in people:
        reasons = {(NeedsHelpReason.QUIZ_FAILED, course, lesson)
                   for course, lesson in failed.get(person.id, ())}
        rows = summaries.get(person.id, [])
        if rows:
            last_seen = max(_aware(row.last_seen) for row in rows)
            unfinished = [row for row in rows if row.status != Status.COMPLETED]
            if unfinished and now - last_seen >= SILENT_AFTER:
                latest = max(unfinished, key=lambda row: _aware(row.last_seen))
                reasons.add((NeedsHelpReason.SILENT, latest.course, latest.lesson))
        elif first and now - _aware(person.created_at) >= NO_START_AFTER:
            reasons.add((NeedsHelpReason.NO_START, *first))
        result[person.id] = reasons
    return result


def refresh(person_ids: Iterable[int], now: datetime | None = None) -> None:
    """Bring the stored flags of these people up to date (the caller commits). A flag that
    still holds keeps the time it was first raised."""
    now = now or utcnow()
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        people = db.session.scalars(
            select(Person).join(Household, Person.household_id == Household.id)
            .where(Person.id.in_(chunk), Person.active.is_(True),
                   Household.active.is_(True))).all()
        wanted = reasons_for(list(people), now)
        stored = db.session.scalars(select(NeedsHelp).where(
            NeedsHelp.person_id.in_(chunk))).all()
        kept = set()
        for flag in stored:
            key = (flag.reason, flag.course, flag.lesson)
            if key in wanted.get(flag.person_id, set()):
                kept.add((flag.person_id, *key))
            else:
                db.session.delete(flag)
        for person_id, reasons in wanted.items():
            for reason, course, lesson in sorted(reasons):
                if (person_id, reason, course, lesson) not in kept:
                    db.session.add(NeedsHelp(person_id=person_id, reason=reason,
                                             course=course, lesson=lesson, since=now))
        db.session.flush()


def refresh_everyone(now: datetime | None = None) -> int:
    """Every household member (the daily run for the time-based rules); commits. Returns
    how many people are flagged."""
    ids = db.session.scalars(select(Person.id).where(Person.household_id.is_not(None))
                             .order_by(Person.id)).all()
    for start in range(0, len(ids), CHUNK):
        refresh(ids[start:start + CHUNK], now)
        db.session.commit()
    return db.session.scalar(select(db.func.count(db.func.distinct(NeedsHelp.person_id))))


@progress_recorded.connect
def _after_progress(_sender, people: list[int], **_extra) -> None:
    """New progress may clear or raise a flag. The events are already committed: a failure
    here is logged and repaired by the next refresh, never lost progress."""
    try:
        refresh(people)
        db.session.commit()
    except Exception:  # noqa: BLE001 (the daily refresh repairs what this missed)
        db.session.rollback()
        current_app.logger.exception("needs-help refresh failed for %s people", len(people))
