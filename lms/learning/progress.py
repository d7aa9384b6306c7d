"""Recording progress: the one path for every answer and step view, from the lesson
pages, the sync API and the CLI alike.

Events are validated, graded on the server, stored with their client-made UUID (a replay
is a duplicate, never a second event) and merged into the per person × lesson summary in
the same transaction. Merging only takes minimums, maximums, sums and counts, so the
summary is the same whatever order the events arrive in, and `rebuild_summaries` can
always recompute it from the log.
"""

import math
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from ..accounts.models import Account
from ..auth import people_ids, recordable_people
from ..batches import BatchResult, is_id, version4_uuid
from ..content.catalog import catalog
from ..content.model import Course
from ..extensions import db
from ..families.status import people_progressed
from ..models_common import utcnow
from ..signals import progress_recorded
from ..stats.rollups import progress_arrived
from .attempts import attempt_answers
from .grading import BadAnswer, canonical_answers, check_answer_form, grade_attempt, is_correct
from .models import Certificate, EventType, LessonProgress, ProgressEvent, Status
from .queries import tracks_of_people

MAX_BATCH = 500
# A phone's clock may be wrong: a little ahead is normal, far ahead is clamped and flagged.
CLOCK_TOLERANCE = timedelta(minutes=10)
EARLIEST = datetime(2024, 1, 1, tzinfo=UTC)
MAX_STEP_SECONDS = 600


class BadEvent(ValueError):
    """An event that is rejected with this (translated) reason; nothing is stored."""


def new_event_id() -> str:
    return str(uuid.uuid4())


def parse_time(value, now: datetime) -> tuple[datetime, bool]:
    """An aware UTC time and whether it was clamped because it lay in the future."""
    if not isinstance(value, str):
        raise BadEvent(_("occurred_at must be an ISO 8601 time."))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadEvent(_("occurred_at must be an ISO 8601 time.")) from None
    try:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        # Past the calendar's edge once its offset is applied: year 1 went back to year 0,
        # year 9999 forward to 10000. The first is too long ago, the second far ahead.
        if moment.year == datetime.min.year:
            raise BadEvent(_("occurred_at is too long ago.")) from None
        return now, True
    if moment < EARLIEST:
        raise BadEvent(_("occurred_at is too long ago."))
    if moment > now + CLOCK_TOLERANCE:
        return now, True
    return moment, False


def _course_lesson(course_slug, lesson_slug, tracks: tuple[str, ...]) -> tuple[Course, object]:
    course = catalog().course(course_slug) if isinstance(course_slug, str) else None
    if course is None or course.track not in tracks:
        # The same answer as for a course that does not exist, as its page is a 404.
        raise BadEvent(_("Unknown course."))
    lesson = course.lesson(lesson_slug) if isinstance(lesson_slug, str) else None
    if lesson is None:
        raise BadEvent(_("Unknown lesson."))
    return course, lesson


def build_event(raw: dict, account_id: int, allowed_people: dict[int, tuple[str, ...]],
                now: datetime) -> ProgressEvent:
    """Validate and grade one event from its JSON form; BadEvent says what is wrong.
    `allowed_people` maps each person the account may record for to the course tracks
    that person may take (queries.tracks_of_people)."""
    if not isinstance(raw, dict):
        raise BadEvent(_("Each event must be an object."))
    event_id = version4_uuid(raw.get("id"))
    if event_id is None:
        raise BadEvent(_("id must be a UUID (version 4)."))
    person = raw.get("person")
    if not is_id(person) or person not in allowed_people:
        # The same answer whether the person exists or not: scope is never revealed.
        raise BadEvent(_("Unknown person."))
    try:
        kind = EventType(raw.get("type"))
    except ValueError:
        raise BadEvent(_("Unknown event type.")) from None
    course, lesson = _course_lesson(raw.get("course"), raw.get("lesson"),
                                    allowed_people[person])
    steps = lesson.texts["vi"].steps
    step_number = raw.get("step")
    if not isinstance(step_number, int) or isinstance(step_number, bool) or not (
            1 <= step_number <= len(steps)):
        raise BadEvent(_("step must be a step number of the lesson."))
    occurred_at, flagged = parse_time(raw.get("occurred_at"), now)
    event = ProgressEvent(
        event_id=event_id, person_id=person, account_id=account_id, type=kind,
        course=course.slug, lesson=lesson.slug, step=step_number, answer=raw.get("answer"),
        occurred_at=occurred_at, received_at=now, clock_flagged=flagged,
        content_version=course.version, seconds=0,
    )
    step = steps[step_number - 1]
    if kind == EventType.STEP_VIEWED:
        event.seconds = _step_seconds(raw.get("answer"))
        # Only what was understood is kept, never the rest of what the phone sent.
        event.answer = {"seconds": event.seconds} if event.seconds else None
    elif kind == EventType.ANSWER_SUBMITTED:
        if step.question is None:
            raise BadEvent(_("This step has no question."))
        try:
            event.answer = check_answer_form(step.question, raw.get("answer"))
        except BadAnswer:
            raise BadEvent(_("The answer does not fit the question.")) from None
        event.correct = is_correct(step.question, event.answer)
    else:
        answers = raw.get("answer")
        answers = answers.get("answers") if isinstance(answers, dict) else None
        if not isinstance(answers, dict):
            raise BadEvent(_("lesson_completed needs the attempt's answers."))
        quiz = lesson.texts["vi"].quiz_steps
        # Graded with the rest of its attempt (see attempts.py); only what the server
        # understood is kept.
        event.answer = {"answers": canonical_answers(quiz, answers)}
    return event


def grade_finish(finish: ProgressEvent, batch: list[ProgressEvent]) -> None:
    """Grade a lesson_completed on every answer of its attempt; where the log and the
    finish disagree about a step, the finish wins: it is what the learner's phone showed."""
    course = catalog().course(finish.course)
    answers = {**attempt_answers(finish, batch), **finish.answer["answers"]}
    finish.answer = {"answers": answers}
    grade = grade_attempt(course.lesson(finish.lesson).texts["vi"].quiz_steps, answers,
                          course.mastery)
    finish.score, finish.mastery, finish.correct = grade.score, course.mastery, grade.passed


def _step_seconds(answer) -> int:
    """Time on a step, from a step_viewed event's {"seconds": n}; anything else counts 0."""
    seconds = answer.get("seconds") if isinstance(answer, dict) else None
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        return 0
    if isinstance(seconds, float) and not math.isfinite(seconds):
        raise BadEvent(_("seconds must be a number of seconds."))
    return max(0, min(int(seconds), MAX_STEP_SECONDS))


def _insert(model):
    """INSERT with ON CONFLICT DO NOTHING, which both databases speak. Built on the table
    and run with a list of rows: the statement is compiled once and cached, whatever the
    batch size (a multi-row VALUES clause would be compiled anew for every batch)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def _insert_ignoring_duplicates(rows: list[dict]) -> set[str]:
    """Insert events; returns the ids that were new. The unique event_id decides."""
    if not rows:
        return set()
    statement = (_insert(ProgressEvent)
                 .on_conflict_do_nothing(index_elements=["event_id"])
                 .returning(ProgressEvent.__table__.c.event_id))
    return set(db.session.scalars(statement, rows).all())


def record_events(account: Account, raw_events: list) -> BatchResult:
    """Validate, grade, store and merge a batch; commits before returning, so whatever it
    reports as accepted is on disk."""
    now = utcnow()
    allowed = tracks_of_people(account, set(people_ids(recordable_people(account))))
    account_id = account.id
    # On SQLite every POST holds the write lock from its first query; checking and grading
    # the batch needs no database, so let the lock go and take it again for the writes.
    db.session.commit()
    result = BatchResult()
    events: list[ProgressEvent] = []
    sent_ids: dict[str, object] = {}  # canonical id → the id as the client wrote it
    for raw in raw_events:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        try:
            event = build_event(raw, account_id, allowed, now)
        except BadEvent as error:
            result.rejected.append({"id": raw_id, "error": str(error)})
            continue
        if event.event_id in sent_ids:
            result.duplicates.append(raw_id)
            continue
        sent_ids[event.event_id] = raw_id
        events.append(event)
    for event in events:
        if event.type == EventType.LESSON_COMPLETED:
            grade_finish(event, events)
    columns = [c.key for c in ProgressEvent.__table__.columns if c.key != "id"]
    # Sorted: two workers inserting overlapping batches then take their locks in the same
    # order, so they wait for each other instead of deadlocking.
    new_ids = _insert_ignoring_duplicates(
        [{key: getattr(event, key) for key in columns}
         for event in sorted(events, key=lambda event: event.event_id)])
    fresh = [event for event in events if event.event_id in new_ids]
    for event in events:
        (result.accepted if event.event_id in new_ids else result.duplicates).append(
            sent_ids[event.event_id])
    merge_into_summaries(fresh)
    progress_arrived(fresh)  # the commune figures, in the same transaction
    # Digital Family status moves only when a lesson is completed.
    people_progressed(event.person_id for event in fresh
                      if event.type == EventType.LESSON_COMPLETED and event.correct)
    db.session.commit()
    if fresh:
        progress_recorded.send(None, people=sorted({event.person_id for event in fresh}))
    return result


def _ensure_summary_rows(events: list[ProgressEvent]) -> None:
    rows = {}
    for event in events:
        rows.setdefault((event.person_id, event.course, event.lesson), {
            "person_id": event.person_id, "course": event.course, "lesson": event.lesson,
            "status": Status.IN_PROGRESS.value, "attempts": 0, "time_spent_seconds": 0,
            "first_seen": event.occurred_at, "last_seen": event.occurred_at,
            "last_step": 0, "content_version": event.content_version,
        })
    db.session.execute(_insert(LessonProgress).on_conflict_do_nothing(
        index_elements=["person_id", "course", "lesson"]), [rows[key] for key in sorted(rows)])


def merge_into_summaries(events: list[ProgressEvent]) -> None:
    """Fold events into their summaries (locked, so that two workers never lose an update)."""
    if not events:
        return
    _ensure_summary_rows(events)
    keys = {(e.person_id, e.course, e.lesson) for e in events}
    summaries = {
        (row.person_id, row.course, row.lesson): row
        for row in db.session.scalars(
            select(LessonProgress)
            .where(tuple_(LessonProgress.person_id, LessonProgress.course,
                          LessonProgress.lesson).in_(list(keys)))
            .order_by(LessonProgress.id)
            .with_for_update()
        )
    }
    newly_completed = set()
    for event in events:
        row = summaries[(event.person_id, event.course, event.lesson)]
        was_completed = row.status == Status.COMPLETED
        apply_event(row, event)
        if row.status == Status.COMPLETED and not was_completed:
            newly_completed.add((event.person_id, event.course))
    db.session.flush()
    for person_id, course in newly_completed:
        issue_certificate_if_complete(person_id, course)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def apply_event(row: LessonProgress, event: ProgressEvent) -> None:
    """Merge one event into one summary. Commutative: order of arrival does not matter."""
    occurred = _aware(event.occurred_at)
    row.first_seen = min(_aware(row.first_seen), occurred)
    if occurred >= _aware(row.last_seen):
        row.last_seen = occurred
        row.last_step = event.step or 0
        row.content_version = event.content_version
    row.time_spent_seconds += event.seconds or 0
    if event.type == EventType.LESSON_COMPLETED:
        row.attempts += 1
        row.best_score = max(row.best_score or 0.0, event.score or 0.0)
        if event.correct:
            row.status = Status.COMPLETED
            row.completed_at = min(_aware(row.completed_at), occurred) if row.completed_at \
                else occurred
        elif row.status != Status.COMPLETED:
            row.status = Status.FAILED


def issue_certificate_if_complete(person_id: int, course_slug: str) -> None:
    course = catalog().course(course_slug)
    if course is None:
        return
    done = set(db.session.scalars(select(LessonProgress.lesson).where(
        LessonProgress.person_id == person_id, LessonProgress.course == course_slug,
        LessonProgress.status == Status.COMPLETED)))
    if {lesson.slug for lesson in course.lessons} <= done:
        db.session.execute(_insert(Certificate).values(
            code=secrets.token_urlsafe(12), person_id=person_id, course=course_slug,
            issued_at=utcnow()).on_conflict_do_nothing(index_elements=["person_id", "course"]))


def rebuild_summaries() -> int:
    """Recompute every summary from the event log; returns how many there are."""
    db.session.execute(db.delete(LessonProgress))
    last_id = 0
    while True:  # in pages by id: merging is order-free, and memory stays flat
        batch = db.session.scalars(select(ProgressEvent).where(ProgressEvent.id > last_id)
                                   .order_by(ProgressEvent.id).limit(2000)).all()
        if not batch:
            break
        merge_into_summaries(list(batch))
        last_id = batch[-1].id
        db.session.expunge_all()
    db.session.commit()
    return db.session.scalar(select(db.func.count(LessonProgress.id)))
