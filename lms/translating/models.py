"""Who may translate, narrate and review in a community language."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
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


# What a saved translation is of: one step (or the title) of a lesson, or one interface
# string of the gettext catalog.
LESSON, INTERFACE = "lesson", "interface"
DRAFT, REVIEWED = "draft", "reviewed"


class SavedTranslation(db.Model):
    """One saved version of one piece of text in one language. Rows are only added (the
    history); the newest row of a piece is its current text.

    A lesson piece is named by course, lesson and `part` ("title" or the step number); an
    interface piece by its msgid in `part`, course and lesson empty. `text` holds the
    piece's fields as JSON (a step's title, body, prompt, options…). `in_files` is true
    when the row came from the repository's files or was written into them by export: an
    import may then replace it; a row typed in the browser and not yet exported is newer
    than any file and wins over it."""

    __tablename__ = "saved_translation"
    __table_args__ = (Index("ix_saved_translation_piece", "language", "kind", "course",
                            "lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    course: Mapped[str] = mapped_column(String(64), default="")
    lesson: Mapped[str] = mapped_column(String(64), default="")
    part: Mapped[str] = mapped_column(Text)
    text: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    in_files: Mapped[bool] = mapped_column(default=False)

    author: Mapped[Account | None] = relationship(foreign_keys=[author_id])
