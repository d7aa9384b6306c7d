"""Ambassador work: consent records, guidance visits, verified skills, needs-help flags."""

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account, Person
from ..extensions import db
from ..models_common import utcnow


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
