"""Digital Family status: stored per household, with the history of reached and lost."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_common import utcnow
from ..places.models import Household


class DigitalFamily(db.Model):
    """Whether a household meets the province's Digital Family criteria now, kept up to
    date when its members' progress, visits or member list change; never computed per
    page view."""

    __tablename__ = "digital_family"

    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    reached: Mapped[bool] = mapped_column(default=False)
    # The day (Vietnam's time) it was last reached; kept while it stays reached.
    since: Mapped[date | None] = mapped_column(Date)
    # The printed certificate's code for /verify/<code>; made the first time it is reached
    # and kept, so that a certificate already handed out stays verifiable.
    certificate_code: Mapped[str | None] = mapped_column(String(24), unique=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    household: Mapped[Household] = relationship()


class DigitalFamilyChange(db.Model):
    """One time a household reached or lost the status: its history, never rewritten."""

    __tablename__ = "digital_family_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True)
    reached: Mapped[bool] = mapped_column()
    on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
