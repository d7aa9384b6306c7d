"""Recomputing every rollup from the members, the lesson summaries and the quiz answers
in the event log (`flask --app lms stats rebuild`): after an import, a restore, a bulk
load or `progress rebuild`. Counting is done by the database in a few INSERT … SELECT
statements; only the quiz answers, whose text form is ours, pass through Python, and the
cohorts, skills, visits and Digital Families, which go through the refresh that keeps them
up to date (page by page)."""

from collections import defaultdict

from sqlalchemy import (
    Date,
    String,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    tuple_,
    union_all,
)

from ..accounts.models import Person
from ..extensions import db
from ..learning.models import EventType, LessonProgress, ProgressEvent
from ..places.models import Household, Village
from .models import (
    AnswerRollup,
    CohortAnswerRollup,
    CohortPeopleRollup,
    CohortProgressRollup,
    CommuneAnswerRollup,
    CommuneFactRollup,
    CommuneHouseholdRollup,
    CommunePeopleRollup,
    CommuneWeekRollup,
    CountedCohort,
    CountedFact,
    CountedHouseholdFact,
    CountedLesson,
    CountedMember,
    FactRollup,
    HouseholdRollup,
    PeopleRollup,
    ProgressRollup,
    SplitRollup,
)
from .rollups import (
    ANY_ROW,
    COURSE_ROW,
    SPLITS,
    Changes,
    apply_changes,
    counted_answer,
    refresh_households,
    refresh_people,
    villager_lessons,
)

ANSWER_PAGE = 5000
PEOPLE_PAGE = 2000


def week_sql(column):
    """The Monday of the ISO week, in Vietnam's time, of a stored UTC time, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", func.timezone("Asia/Ho_Chi_Minh", column)), Date)
    # SQLite keeps UTC times as text; 'weekday 0' moves on to Sunday, 6 days back is Monday.
    return func.date(column, "+7 hours", "weekday 0", "-6 days")


def _count_members() -> None:
    db.session.execute(insert(CountedMember).from_select(
        ["person_id", "commune_id", "village_id", "gender", "birth_year", "household_id"],
        select(Person.id, Village.commune_id, Village.id,
               func.coalesce(cast(Person.gender, String), ""),
               func.coalesce(Person.birth_year, 0), Household.id)
        .join(Household, Person.household_id == Household.id)
        .join(Village, Household.village_id == Village.id)))


def _count_lessons(lessons: dict[str, tuple[str, ...]]) -> None:
    pairs = [(course, lesson) for course, slugs in lessons.items() for lesson in slugs]
    if not pairs:
        return
    summary = LessonProgress
    db.session.execute(insert(CountedLesson).from_select(
        ["person_id", "course", "lesson", "started_week", "completed_week"],
        select(summary.person_id, summary.course, summary.lesson,
               week_sql(summary.first_seen), week_sql(summary.completed_at))
        .join(CountedMember, CountedMember.person_id == summary.person_id)
        .where(tuple_(summary.course, summary.lesson).in_(pairs))))
    lesson_count = case(*[(CountedLesson.course == course, len(slugs))
                          for course, slugs in lessons.items()], else_=-1)
    db.session.execute(insert(CountedLesson).from_select(
        ["person_id", "course", "lesson", "started_week", "completed_week"],
        select(CountedLesson.person_id, CountedLesson.course, literal(COURSE_ROW),
               func.min(CountedLesson.started_week),
               case((func.count(CountedLesson.completed_week) == lesson_count,
                     func.max(CountedLesson.completed_week)), else_=None))
        .where(CountedLesson.lesson != COURSE_ROW)
        .group_by(CountedLesson.person_id, CountedLesson.course)))
    db.session.execute(insert(CountedLesson).from_select(
        ["person_id", "course", "lesson", "started_week", "completed_week"],
        select(CountedLesson.person_id, literal(ANY_ROW), literal(COURSE_ROW),
               func.min(CountedLesson.started_week), func.min(CountedLesson.completed_week))
        .where(CountedLesson.lesson == COURSE_ROW, CountedLesson.course != ANY_ROW)
        .group_by(CountedLesson.person_id)))


def _sum_rollups() -> None:
    member = CountedMember
    db.session.execute(insert(PeopleRollup).from_select(
        ["commune_id", "village_id", "gender", "birth_year", "people"],
        select(member.commune_id, member.village_id, member.gender, member.birth_year,
               func.count()).group_by(member.commune_id, member.village_id, member.gender,
                                      member.birth_year)))
    db.session.execute(insert(CommunePeopleRollup).from_select(
        ["commune_id", "people"],
        select(member.commune_id, func.count()).group_by(member.commune_id)))
    lesson = CountedLesson
    happenings = union_all(
        select(lesson.person_id, lesson.course, lesson.lesson,
               lesson.started_week.label("week"), literal(1).label("started"),
               literal(0).label("completed")),
        select(lesson.person_id, lesson.course, lesson.lesson,
               lesson.completed_week.label("week"), literal(0), literal(1))
        .where(lesson.completed_week.is_not(None)),
    ).subquery()
    keys = [member.commune_id, happenings.c.course, happenings.c.lesson, happenings.c.week,
            member.village_id, member.gender, member.birth_year]
    db.session.execute(insert(ProgressRollup).from_select(
        ["commune_id", "course", "lesson", "week", "village_id", "gender", "birth_year",
         "started", "completed"],
        select(*keys, func.sum(happenings.c.started), func.sum(happenings.c.completed))
        .join(member, member.person_id == happenings.c.person_id).group_by(*keys)))
    rollup = ProgressRollup
    keys = [rollup.commune_id, rollup.course, rollup.lesson, rollup.week]
    db.session.execute(insert(CommuneWeekRollup).from_select(
        ["commune_id", "course", "lesson", "week", "started", "completed"],
        select(*keys, func.sum(rollup.started), func.sum(rollup.completed)).group_by(*keys)))
    for split in SPLITS:
        value = getattr(rollup, split if split != "village" else "village_id")
        db.session.execute(insert(SplitRollup).from_select(
            ["commune_id", "split", "course", "lesson", "week", "value", "started",
             "completed"],
            select(*keys[:1], literal(split), *keys[1:], cast(value, String),
                   func.sum(rollup.started), func.sum(rollup.completed))
            .group_by(*keys, value)))


def _count_answers() -> None:
    """Quiz answers, read from the log in pages by id (memory stays flat per page)."""
    last_id = 0
    totals: dict[tuple, int] = defaultdict(int)
    while True:
        page = db.session.execute(
            select(ProgressEvent.id, ProgressEvent.course, ProgressEvent.lesson,
                   ProgressEvent.step, ProgressEvent.answer, ProgressEvent.correct,
                   ProgressEvent.occurred_at, CountedMember.commune_id,
                   CountedMember.village_id, CountedMember.gender, CountedMember.birth_year)
            .join(CountedMember, CountedMember.person_id == ProgressEvent.person_id)
            .where(and_(ProgressEvent.id > last_id,
                        ProgressEvent.type == EventType.ANSWER_SUBMITTED))
            .order_by(ProgressEvent.id).limit(ANSWER_PAGE)).all()
        if not page:
            break
        for _, course, lesson, step, answer, correct, occurred_at, *member in page:
            counted = counted_answer(course, lesson, step, answer, correct, occurred_at)
            if counted:
                totals[(*member, *counted)] += 1
        last_id = page[-1][0]
    rows = [{"commune_id": key[0], "village_id": key[1], "gender": key[2],
             "birth_year": key[3], "course": key[4], "lesson": key[5], "step": key[6],
             "answer": key[7], "correct": key[8], "week": key[9], "answers": count}
            for key, count in totals.items()]
    for start in range(0, len(rows), ANSWER_PAGE):
        db.session.execute(insert(AnswerRollup), rows[start:start + ANSWER_PAGE])
    model = AnswerRollup
    keys = [model.commune_id, model.course, model.lesson, model.step, model.answer,
            model.correct, model.week]
    db.session.execute(insert(CommuneAnswerRollup).from_select(
        ["commune_id", "course", "lesson", "step", "answer", "correct", "week", "answers"],
        select(*keys, func.sum(model.answers)).group_by(*keys)))


def _count_cohorts_and_facts() -> None:
    """Cohorts, skills, visits and Digital Families: everyone, then every household, is
    counted by the same refresh that keeps them up to date, page by page (the people's
    places and lessons are already counted above, so only these are added)."""
    for model, column in ((Person, Person.id), (Household, Household.id)):
        last_id = 0
        while True:
            page = db.session.scalars(select(column).where(column > last_id)
                                      .order_by(column).limit(PEOPLE_PAGE)).all()
            if not page:
                break
            changes = Changes.empty()
            if model is Person:
                refresh_people(page, changes)
            else:
                refresh_households(page, changes)
            apply_changes(changes)
            last_id = page[-1]


def rebuild_rollups() -> dict[str, int]:
    """Empty and recompute every rollup in one transaction; returns the rows of each."""
    tables = (CommuneAnswerRollup, AnswerRollup, CommuneWeekRollup, SplitRollup, ProgressRollup,
              CommunePeopleRollup, PeopleRollup, CountedLesson, CountedMember,
              CohortAnswerRollup, CohortProgressRollup, CohortPeopleRollup, CountedCohort,
              FactRollup, CommuneFactRollup, CountedFact, HouseholdRollup,
              CommuneHouseholdRollup, CountedHouseholdFact)
    for model in tables:
        db.session.execute(model.__table__.delete())
    _count_members()
    _count_lessons(villager_lessons())
    _sum_rollups()
    _count_answers()
    _count_cohorts_and_facts()
    db.session.commit()
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in tables}
