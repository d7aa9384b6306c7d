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
    # The household they were counted with: when they leave it, its cohorts are counted
    # again (an event cohort follows the household's members).
    household_id: Mapped[int | None] = mapped_column(Integer)


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


# --- cohorts, verified skills, guidance visits, Digital Families -------------------------
#
# A cohort key is "digital_family", "ambassadors" or "event:<id>"; "" is everyone. The
# rollups above count everyone; the cohort rollups below count the same figures once more
# under each cohort a person belongs to. Facts are what happened to a person or a household
# and when: FACT_SKILL + "course:skill" (first verified, that week), "guided" (first
# present at a visit, that week), "guided_m" (present at a visit that month: the week column
# holds the month's first day); of a household: "household" (registered; the week of
# registration), "visits" and "visits_m" (visits that week / month), "reached" and
# "reached_m" (first visited that week / visited that month), "df" (a Digital Family now,
# the week it was reached).


class CountedCohort(db.Model):
    """The cohorts a person is counted under now (besides everyone)."""

    __tablename__ = "stats_counted_cohort"

    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cohort: Mapped[str] = mapped_column(String(32), primary_key=True)


class CountedFact(db.Model):
    """The facts a person is counted with now (skills verified, guided at a visit)."""

    __tablename__ = "stats_counted_fact"

    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fact: Mapped[str] = mapped_column(String(140), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)


class CountedHouseholdFact(db.Model):
    """What a household adds to the household rollup now, under which cohort and place:
    a refresh subtracts these rows and adds the new ones."""

    __tablename__ = "stats_counted_household_fact"

    household_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cohort: Mapped[str] = mapped_column(String(32), primary_key=True)
    fact: Mapped[str] = mapped_column(String(16), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)


class CohortPeopleRollup(db.Model):
    """Registered people per cohort."""

    __tablename__ = "stats_cohort_people_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "cohort", "village_id", "gender",
                                       "birth_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(32))
    village_id: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    people: Mapped[int] = mapped_column(Integer, default=0)


class CohortProgressRollup(db.Model):
    """Started and completed per cohort, by week."""

    __tablename__ = "stats_cohort_progress_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "cohort", "course", "lesson", "week",
                                       "village_id", "gender", "birth_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(32))
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    week: Mapped[date] = mapped_column(Date)
    village_id: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    started: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)


class CohortAnswerRollup(db.Model):
    """Quiz answers per cohort."""

    __tablename__ = "stats_cohort_answer_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "cohort", "village_id", "course",
                                       "lesson", "step", "answer", "week", "gender",
                                       "birth_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(32))
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


class FactRollup(db.Model):
    """People with each fact (a skill verified, guided at a visit), every cohort ("" too)."""

    __tablename__ = "stats_fact_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "cohort", "fact", "week", "village_id",
                                       "gender", "birth_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(32))
    fact: Mapped[str] = mapped_column(String(140))
    week: Mapped[date] = mapped_column(Date)
    village_id: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    people: Mapped[int] = mapped_column(Integer, default=0)


class CommuneFactRollup(db.Model):
    """The same per commune only, for figures without a village, gender or age filter."""

    __tablename__ = "stats_commune_fact_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "cohort", "fact", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(32))
    fact: Mapped[str] = mapped_column(String(140))
    week: Mapped[date] = mapped_column(Date)
    people: Mapped[int] = mapped_column(Integer, default=0)


class HouseholdRollup(db.Model):
    """Households and visits per village, every cohort ("" too). Households have no
    gender or age: these figures are not split by them."""

    __tablename__ = "stats_household_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "cohort", "fact", "week", "village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(32))
    fact: Mapped[str] = mapped_column(String(16))
    week: Mapped[date] = mapped_column(Date)
    village_id: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CommuneHouseholdRollup(db.Model):
    """The same per commune only: the dashboard and the province table read these."""

    __tablename__ = "stats_commune_household_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "cohort", "fact", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(32))
    fact: Mapped[str] = mapped_column(String(16))
    week: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)


class SplitRollup(db.Model):
    """Started and completed per commune by one member key at a time — `split` "village"
    (value: the village id), "gender" or "birth_year" — and week: the unfiltered dashboard
    splits its figures from these few rows per week, whatever the commune's size. Only
    course-level rows (lesson "", a course or any course) are kept: the splits are shown
    for a course, never for one lesson."""

    __tablename__ = "stats_split_rollup"
    __table_args__ = (UniqueConstraint("commune_id", "split", "course", "lesson", "week",
                                       "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(Integer)
    split: Mapped[str] = mapped_column(String(10))
    course: Mapped[str] = mapped_column(String(64))
    lesson: Mapped[str] = mapped_column(String(64))
    week: Mapped[date] = mapped_column(Date)
    value: Mapped[str] = mapped_column(String(16))
    started: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
