"""Community narration: a recording of one step's text, or of one quiz option, in one
language, sent by a narrator and published or rejected by a reviewer of that language."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Account
from ..extensions import db
from ..models_common import utcnow

PENDING, PUBLISHED, REJECTED = "pending", "published", "rejected"
STATUSES = (PENDING, PUBLISHED, REJECTED)


class Recording(db.Model):
    """One recording. The sound itself is a file named by its SHA-256 (see storage.py);
    `text_sha` is the hash of the words it reads, so a recording of text that has since
    changed is no longer played."""

    __tablename__ = "narration_recording"
    __table_args__ = (
        Index("ix_narration_recording_item", "course", "lesson", "language", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer)  # 1-based
    option: Mapped[int | None] = mapped_column(Integer)  # 0-based quiz option, or the step
    language: Mapped[str] = mapped_column(String(16))
    text_sha: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    container: Mapped[str] = mapped_column(String(8))  # webm | ogg
    bytes: Mapped[int] = mapped_column(Integer)
    milliseconds: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    reason: Mapped[str | None] = mapped_column(String(32))  # a REJECT_REASONS key
    note: Mapped[str | None] = mapped_column(Text)  # the reviewer's own words, optional
    narrator_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    narrator: Mapped[Account | None] = relationship(foreign_keys=[narrator_id])
    reviewer: Mapped[Account | None] = relationship(foreign_keys=[reviewer_id])

    @property
    def filename(self) -> str:
        return f"{self.sha256}.{self.container}"
