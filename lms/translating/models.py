"""Who may translate, narrate and review in a community language."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account
from ..extensions import db
from ..models_common import utcnow


class LanguageGrant(db.Model):
    """A staff account's permission, granted by an admin, to translate and record
    narration in one language; with `may_review`, also to correct, publish or reject what
    others sent in that language."""

    __tablename__ = "language_grant"
    __table_args__ = (UniqueConstraint("account_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)
    language: Mapped[str] = mapped_column(String(16))
    may_review: Mapped[bool] = mapped_column(default=False)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    granted_by: Mapped[Account | None] = relationship(foreign_keys=[granted_by_id])
