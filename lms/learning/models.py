"""Progress: an append-only event log (the truth) and a per person × lesson summary
that can always be rebuilt from it."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Person
from ..extensions import db
from ..models_common import utcnow


class EventType(enum.StrEnum):
    STEP_VIEWED = "step_viewed"
    ANSWER_SUBMITTED = "answer_submitted"
    LESSON_COMPLETED = "lesson_completed"


class Status(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    FAILED = "failed"
    COMPLETED = "completed"


def _enum(kind: type[enum.Enum], length: int) -> Enum:
    return Enum(kind, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])


class ProgressEvent(db.Model):
    """One thing a learner did. Never updated, never deleted (but with the person)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the client: a replayed event is a duplicate, never a second event.
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    type: Mapped[EventType] = mapped_column(_enum(EventType, 20))
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    step: Mapped[int | None] = mapped_column(Integer)
    answer: Mapped[dict | list | int | None] = mapped_column(JSON)
    # Graded by the server: right or wrong for one answer; the score of a whole attempt.
    correct: Mapped[bool | None] = mapped_column()
    score: Mapped[float | None] = mapped_column(Float)
    mastery: Mapped[float | None] = mapped_column(Float)  # the rule the attempt was graded by
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    clock_flagged: Mapped[bool] = mapped_column(default=False)
    content_version: Mapped[str] = mapped_column(String(16))


class LessonProgress(db.Model):
    """Where one person stands in one lesson, merged from the events."""

    __table_args__ = (UniqueConstraint("person_id", "course", "lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    course: Mapped[str] = mapped_column(String(64), index=True)
    lesson: Mapped[str] = mapped_column(String(64))
    status: Mapped[Status] = mapped_column(_enum(Status, 12))
    best_score: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    time_spent_seconds: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    content_version: Mapped[str] = mapped_column(String(16))

    person: Mapped[Person] = relationship()


class Certificate(db.Model):
    """Issued once when a person has completed every lesson of a course."""

    __table_args__ = (UniqueConstraint("person_id", "course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    course: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()
