"""Rollups: counts per commune × village × course and lesson × gender × birth year × week,
kept up to date by `rollups.refresh_people` so that no figures page scans summaries.

Key columns are never NULL (a unique key treats NULLs as distinct, and rows are upserted
on their key): an unknown gender is "", an unknown birth year 0, and the course-level row
of a course has lesson "", the "any course" row course "" and lesson "".
Birth years, not age bands, are stored: the band of a birth year depends on the year of
the figure, so it is worked out when the figure is asked for and never goes stale.
"""

from datetime import date

from sqlalchemy import Boolean, Date, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CountedMember(db.Model):
    """Where a person is counted in the rollups now: the village, gender and birth year
    their rows were added under, so that a change can take them out of the same rows."""

    __tablename__ = "stats_counted_member"

    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    commune_id: Mapped[int] = mapped_column(Integer, index=True)
    village_id: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(SmallInteger)


class CountedLesson(db.Model):
    """The weeks in which the rollups count a person as having started and completed a
    lesson (and, with lesson "", a whole course; with course "", any course)."""

    __tablename__ = "stats_counted_lesson"

    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    course: Mapped[str] = mapped_column(String(64), primary_key=True)
    lesson: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_week: Mapped[date] = mapped_column(Date)
    completed_week: Mapped[date | None] = mapped_column(Date)


class PeopleRollup(db.Model):
    """Registered people (household members)."""

    __tablename__ = "stats_people_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "village_id", "gender", "birth_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    people: Mapped[int] = mapped_column(Integer, default=0)


class CommunePeopleRollup(db.Model):
    """Registered people per commune: the province table reads one row per commune."""

    __tablename__ = "stats_commune_people_rollup"

    commune_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    people: Mapped[int] = mapped_column(Integer, default=0)


class ProgressRollup(db.Model):
    """People who started and who completed, by the ISO week (Vietnam time) it happened."""

    __tablename__ = "stats_progress_rollup"
    # The second index serves a dashboard filtered by village: it reads that village only.
    __table_args__ = (UniqueConstraint("commune_id", "course", "lesson", "week", "village_id",
                                       "gender", "birth_year"),
                      Index("ix_stats_progress_rollup_village", "village_id", "course",
                            "lesson", "week"))

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    week: Mapped[date] = mapped_column(Date)
    village_id: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    started: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)


class CommuneWeekRollup(db.Model):
    """The same counts per commune only: the province table reads a few rows per commune."""

    __tablename__ = "stats_commune_week_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "course", "lesson", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    week: Mapped[date] = mapped_column(Date)
    started: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)


class AnswerRollup(db.Model):
    """Quiz answers submitted, per question and the answer chosen (as "2" or "0,3")."""

    __tablename__ = "stats_answer_rollup"
    # Village first: a dashboard filtered by village reads only that village's rows.
    __table_args__ = (UniqueConstraint("commune_id", "village_id", "course", "lesson", "step",
                                       "answer", "week", "gender", "birth_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(String(64))
    correct: Mapped[bool] = mapped_column(Boolean)
    week: Mapped[date] = mapped_column(Date)
    village_id: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    answers: Mapped[int] = mapped_column(Integer, default=0)


class CommuneAnswerRollup(db.Model):
    """The same answers per commune only, for a dashboard without a village, gender or age
    filter."""

    __tablename__ = "stats_commune_answer_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "course", "lesson", "step", "answer",
                                       "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(String(64))
    correct: Mapped[bool] = mapped_column(Boolean)
    week: Mapped[date] = mapped_column(Date)
    answers: Mapped[int] = mapped_column(Integer, default=0)
