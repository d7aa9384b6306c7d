"""The loaded lessons as rows, so that reports can count lessons in SQL."""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_common import utcnow


class LessonIndex(db.Model):
    """One lesson of the loaded content, written by `flask courses load`."""

    __table_args__ = (UniqueConstraint("course", "lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course: Mapped[str] = mapped_column(String(64), index=True)
    lesson: Mapped[str] = mapped_column(String(64))
    track: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    steps: Mapped[int] = mapped_column(Integer)
    content_version: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
