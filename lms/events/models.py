"""Community classes and events (a village class, National Digital Learning Day, a
training course) and who attended them."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..accounts.models import Account, Person
from ..extensions import db
from ..models_common import nfc, utcnow
from ..places.models import Commune, Village


class EventKind(enum.StrEnum):
    CLASS = "class"  # a community class, e.g. at the village cultural house
    LEARNING_DAY = "learning_day"  # National Digital Learning Day
    TRAINING = "training"  # a training course


class CommunityEvent(db.Model):
    __tablename__ = "community_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"), index=True)
    # The village it was held in, or none for a commune-wide event.
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(
        Enum(EventKind, native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e]))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    # Course slugs it covers.
    courses: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    commune: Mapped[Commune] = relationship()
    village: Mapped[Village | None] = relationship()
    created_by: Mapped[Account | None] = relationship()
    attendance: Mapped[list["EventAttendance"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventAttendance.id")

    @validates("title", "place")
    def _normalise(self, key: str, value: str | None) -> str | None:
        return nfc(value)


class EventAttendance(db.Model):
    """One person marked present at an event. The id is made by the phone (or by the
    server for a form post), so a replayed mark is a duplicate; a person is present once."""

    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("community_event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[CommunityEvent] = relationship(back_populates="attendance")
    person: Mapped[Person] = relationship()
    marked_by: Mapped[Account | None] = relationship(foreign_keys=[marked_by_id])
