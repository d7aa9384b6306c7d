"""A quiz attempt: every answer given since the lesson's previous finished attempt, wherever
it was given.

A dropped connection splits an attempt: question 1 answered on the page, 2 and 3 in the
phone's offline queue, the finish sent later with only what the phone saw. The attempt is
still one attempt, so a finish is graded on all of its answers: the answers it carries,
completed by the attempt's other answers in the log and in the same batch.
"""

from datetime import UTC, datetime

from sqlalchemy import func, select

from ..extensions import db
from .models import EventType, ProgressEvent


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _same_lesson(event: ProgressEvent):
    return (ProgressEvent.person_id == event.person_id, ProgressEvent.course == event.course,
            ProgressEvent.lesson == event.lesson)


def _attempt_start(finish: ProgressEvent, batch: list[ProgressEvent]) -> datetime | None:
    """When the previous attempt of the lesson finished, if one did."""
    end = _aware(finish.occurred_at)
    logged = db.session.scalar(select(func.max(ProgressEvent.occurred_at)).where(
        *_same_lesson(finish), ProgressEvent.type == EventType.LESSON_COMPLETED,
        ProgressEvent.occurred_at < finish.occurred_at))
    candidates = [_aware(logged)] if logged is not None else []
    candidates += [_aware(e.occurred_at) for e in batch
                   if e.type == EventType.LESSON_COMPLETED and _key(e) == _key(finish)
                   and _aware(e.occurred_at) < end]
    return max(candidates, default=None)


def _key(event: ProgressEvent) -> tuple:
    return event.person_id, event.course, event.lesson


def attempt_answers(finish: ProgressEvent, batch: list[ProgressEvent] = ()) -> dict[str, object]:
    """The latest answer per step in the attempt that `finish` ends: {"<step>": answer}.

    The attempt runs from the previous finish (excluded) to this one (included); answers
    are taken from the log and from `batch`, the events arriving with it."""
    start, end = _attempt_start(finish, list(batch)), _aware(finish.occurred_at)
    query = select(ProgressEvent).where(
        *_same_lesson(finish), ProgressEvent.type == EventType.ANSWER_SUBMITTED,
        ProgressEvent.occurred_at <= finish.occurred_at)
    if start is not None:
        query = query.where(ProgressEvent.occurred_at > start)
    found = list(db.session.scalars(query))
    found += [e for e in batch if e.type == EventType.ANSWER_SUBMITTED
              and _key(e) == _key(finish) and _aware(e.occurred_at) <= end
              and (start is None or _aware(e.occurred_at) > start)]
    answers: dict[str, object] = {}
    for answer in sorted(found, key=lambda e: (_aware(e.occurred_at), e.id or 0)):
        answers[str(answer.step)] = answer.answer
    return answers
