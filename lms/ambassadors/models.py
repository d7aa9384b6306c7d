"""Ambassador work: consent records, guidance visits, verified skills, needs-help flags."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, Person
from ..extensions import db
from ..models_common import utcnow
from ..places.models import Household


def _enum(kind: type[enum.Enum], length: int) -> Enum:
    return Enum(kind, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])


class ConsentChannel(enum.StrEnum):
    SELF = "self"  # the person agreed on their own
    ASSISTED = "assisted"  # an ambassador read the text and recorded the answer


class Consent(db.Model):
    """One time a person agreed to what Học Số keeps about them (Law 91/2025). A new row
    each time consent is given; withdrawing stamps the row and removes the ethnicity."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    text_version: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    channel: Mapped[ConsentChannel] = mapped_column(_enum(ConsentChannel, 10))
    ambassador_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"))
    # For a child under 16: the parent or guardian in the household who agreed for them,
    # and whether the child (7 or older) agreed too.
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"))
    child_agreed: Mapped[bool | None] = mapped_column()
    # Sensitive (Decree 356/2025): kept only while this consent stands.
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    representative: Mapped[Person | None] = relationship(foreign_keys=[representative_id])
    ambassador: Mapped[Account | None] = relationship()


visit_present = Table(
    "visit_present",
    db.metadata,
    Column("visit_id", ForeignKey("guidance_visit.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class GuidanceVisit(db.Model):
    """An ambassador's hands-on visit to one household."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the phone (or by the server for a form post): a replay is a duplicate.
    visit_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    ambassador_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    # [{"course": slug, "lesson": slug}]
    practised: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    ambassador: Mapped[Account | None] = relationship()
    household: Mapped[Household] = relationship()
    present: Mapped[list[Person]] = relationship(secondary=visit_present,
                                                 order_by="Person.id")
    verified: Mapped[list["VerifiedSkill"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VerifiedSkill.id")


class VerifiedSkill(db.Model):
    """A course skill that an ambassador saw a person do, on the visit's date. Counted
    apart from online completion."""

    __table_args__ = (UniqueConstraint("visit_id", "person_id", "course", "skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("guidance_visit.id", ondelete="CASCADE"),
                                          index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    course: Mapped[str] = mapped_column(String(64))
    skill: Mapped[str] = mapped_column(String(64))
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"))
    verified_on: Mapped[date] = mapped_column(Date)

    visit: Mapped[GuidanceVisit] = relationship(back_populates="verified")
    person: Mapped[Person] = relationship()
    verified_by: Mapped[Account | None] = relationship()


class NeedsHelpReason(enum.StrEnum):
    QUIZ_FAILED = "quiz_failed"  # failed a lesson's quiz twice or more, not passed since
    SILENT = "silent"  # started a lesson, then nothing for 14 days
    NO_START = "no_start"  # registered 30 days ago, no progress at all


class NeedsHelp(db.Model):
    """A stored needs-help flag: one row per reason that holds for a person, naming the
    lesson. Kept up to date when progress, visits or members change, and daily by
    `flask ambassadors refresh`; never computed per page view."""

    __table_args__ = (UniqueConstraint("person_id", "reason", "course", "lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    reason: Mapped[NeedsHelpReason] = mapped_column(_enum(NeedsHelpReason, 12))
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
