"""Recomputing every rollup from the members, the lesson summaries and the quiz answers
in the event log (`flask --app lms stats rebuild`): after an import, a restore, a bulk
load or `progress rebuild`. Counting is done by the database in INSERT … SELECT
statements, each following the same rule as the refresh in `rollups` that keeps the rows
up to date (a test holds the two equal); only the quiz answers, whose text form is ours,
pass through Python, a page of the log at a time."""

from collections import defaultdict
from functools import cache

from sqlalchemy import (
    Date,
    DateTime,
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

from ..accounts.models import Person, ambassador_assignment
from ..ambassadors.models import GuidanceVisit, VerifiedSkill, visit_present
from ..events.models import EventAttendance
from ..extensions import db
from ..families.models import DigitalFamily
from ..learning.models import EventType, LessonProgress, ProgressEvent
from ..places.models import Household, Village
from ..teams.models import AmbassadorTeam, team_member
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
    AMBASSADORS,
    ANY_ROW,
    COURSE_ROW,
    DIGITAL_FAMILY,
    DIGITAL_FAMILY_FACT,
    EVENT,
    EVERYONE,
    FACT_SKILL,
    GUIDED,
    GUIDED_MONTH,
    HOUSEHOLD,
    REACHED,
    REACHED_MONTH,
    SPLITS,
    VISITS,
    VISITS_MONTH,
    counted_answer,
    quiz_step_kind,
    villager_lessons,
)

ANSWER_PAGE = 5000


def week_sql(column):
    """The Monday of the ISO week, in Vietnam's time, of a stored UTC time, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", func.timezone("Asia/Ho_Chi_Minh", column)), Date)
    # SQLite keeps UTC times as text; 'weekday 0' moves on to Sunday, 6 days back is Monday.
    return func.date(column, "+7 hours", "weekday 0", "-6 days")


def day_week_sql(column):
    """The Monday of the ISO week of a stored date, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", cast(column, DateTime)), Date)
    return func.date(column, "weekday 0", "-6 days")


def month_sql(column):
    """The first day of the month of a stored date, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", cast(column, DateTime)), Date)
    return func.date(column, "start of month")


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


def _happenings():
    """Every start and every completion of a counted lesson, with its week."""
    lesson = CountedLesson
    return union_all(
        select(lesson.person_id, lesson.course, lesson.lesson,
               lesson.started_week.label("week"), literal(1).label("started"),
               literal(0).label("completed")),
        select(lesson.person_id, lesson.course, lesson.lesson,
               lesson.completed_week.label("week"), literal(0), literal(1))
        .where(lesson.completed_week.is_not(None)),
    ).subquery()


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
    happenings = _happenings()
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
            .where(rollup.lesson == COURSE_ROW).group_by(*keys, value)))


def _count_answers() -> None:
    """Quiz answers, read from the log in pages by id (memory stays flat per page), counted
    for everyone and under each cohort of the person who gave them."""
    last_id = 0
    totals: dict[tuple, int] = defaultdict(int)
    # The courses cannot change during the rebuild: each question's kind is looked up once.
    kind_of = cache(quiz_step_kind)
    while True:
        page = db.session.execute(
            select(ProgressEvent.id, ProgressEvent.person_id, ProgressEvent.course,
                   ProgressEvent.lesson, ProgressEvent.step, ProgressEvent.answer,
                   ProgressEvent.correct, ProgressEvent.occurred_at, CountedMember.commune_id,
                   CountedMember.village_id, CountedMember.gender, CountedMember.birth_year)
            .join(CountedMember, CountedMember.person_id == ProgressEvent.person_id)
            .where(and_(ProgressEvent.id > last_id,
                        ProgressEvent.type == EventType.ANSWER_SUBMITTED))
            .order_by(ProgressEvent.id).limit(ANSWER_PAGE)).all()
        if not page:
            break
        cohorts = defaultdict(list)
        for person_id, cohort in db.session.execute(
                select(CountedCohort.person_id, CountedCohort.cohort)
                .where(CountedCohort.person_id.in_({row[1] for row in page}))):
            cohorts[person_id].append(cohort)
        for _, person_id, course, lesson, step, answer, correct, occurred_at, *member in page:
            counted = counted_answer(course, lesson, step, answer, correct, occurred_at,
                                     kind_of)
            if counted:
                for cohort in (EVERYONE, *cohorts.get(person_id, ())):
                    totals[(cohort, *member, *counted)] += 1
        last_id = page[-1][0]
    everyone, in_cohorts = [], []
    for key, count in totals.items():
        row = {"commune_id": key[1], "village_id": key[2], "gender": key[3],
               "birth_year": key[4], "course": key[5], "lesson": key[6], "step": key[7],
               "answer": key[8], "correct": key[9], "week": key[10], "answers": count}
        if key[0] == EVERYONE:
            everyone.append(row)
        else:
            in_cohorts.append({**row, "cohort": key[0]})
    for model, rows in ((AnswerRollup, everyone), (CohortAnswerRollup, in_cohorts)):
        for start in range(0, len(rows), ANSWER_PAGE):
            db.session.execute(model.__table__.insert(), rows[start:start + ANSWER_PAGE])
    model = AnswerRollup
    keys = [model.commune_id, model.course, model.lesson, model.step, model.answer,
            model.correct, model.week]
    db.session.execute(insert(CommuneAnswerRollup).from_select(
        ["commune_id", "course", "lesson", "step", "answer", "correct", "week", "answers"],
        select(*keys, func.sum(model.answers)).group_by(*keys)))


def _key_text(prefix: str, *parts):
    """A cohort or fact key made in SQL: "event:" || 12, "skill:" || course || ":" || skill."""
    made = literal(prefix, String)
    for index, part in enumerate(parts):
        if index:
            made = made + literal(":", String)
        made = made + cast(part, String)
    return made


def _count_person_cohorts() -> None:
    """Who is counted under which cohort: the same rules as `rollups._cohorts_now`."""
    member = CountedMember
    team_ambassador = (
        select(member.person_id.label("person_id"), literal(AMBASSADORS, String).label("cohort"))
        .distinct()
        .join(ambassador_assignment, ambassador_assignment.c.household_id == member.household_id)
        .join(team_member, team_member.c.account_id == ambassador_assignment.c.account_id)
        .join(AmbassadorTeam, and_(AmbassadorTeam.id == team_member.c.team_id,
                                   AmbassadorTeam.commune_id == member.commune_id)))
    db.session.execute(insert(CountedCohort).from_select(["person_id", "cohort"], union_all(
        select(member.person_id, literal(DIGITAL_FAMILY, String))
        .join(DigitalFamily, DigitalFamily.household_id == member.household_id)
        .where(DigitalFamily.reached.is_(True)),
        team_ambassador,
        select(member.person_id, _key_text(f"{EVENT}:", EventAttendance.event_id))
        .distinct().join(EventAttendance, EventAttendance.person_id == member.person_id))))


def _household_cohorts():
    """(household_id, cohort) of every household in a cohort: `rollups._household_cohorts`."""
    return union_all(
        select(DigitalFamily.household_id.label("household_id"),
               literal(DIGITAL_FAMILY, String).label("cohort"))
        .where(DigitalFamily.reached.is_(True)),
        select(Household.id, literal(AMBASSADORS, String)).distinct()
        .join(Village, Household.village_id == Village.id)
        .join(ambassador_assignment, ambassador_assignment.c.household_id == Household.id)
        .join(team_member, team_member.c.account_id == ambassador_assignment.c.account_id)
        .join(AmbassadorTeam, and_(AmbassadorTeam.id == team_member.c.team_id,
                                   AmbassadorTeam.commune_id == Village.commune_id)),
        select(Person.household_id, _key_text(f"{EVENT}:", EventAttendance.event_id))
        .distinct().join(EventAttendance, EventAttendance.person_id == Person.id)
        .where(Person.household_id.is_not(None)),
    ).subquery()


def _visit_days():
    """Each guidance visit's household, person-free, with its week and month."""
    return select(GuidanceVisit.household_id.label("household_id"),
                  day_week_sql(GuidanceVisit.visited_on).label("week"),
                  month_sql(GuidanceVisit.visited_on).label("month")).subquery()


def _count_person_facts() -> None:
    """Skills verified (the first week) and guidance visits attended (the first week, and
    every month): the same as `rollups._facts_now`."""
    member = CountedMember
    skills = (select(VerifiedSkill.person_id.label("person_id"),
                     _key_text(FACT_SKILL, VerifiedSkill.course, VerifiedSkill.skill)
                     .label("fact"), func.min(VerifiedSkill.verified_on).label("first"))
              .join(member, member.person_id == VerifiedSkill.person_id)
              .group_by(VerifiedSkill.person_id, VerifiedSkill.course, VerifiedSkill.skill)
              ).subquery()
    attended = (select(visit_present.c.person_id.label("person_id"),
                       GuidanceVisit.visited_on.label("day"))
                .join(GuidanceVisit, GuidanceVisit.id == visit_present.c.visit_id)
                .join(member, member.person_id == visit_present.c.person_id)).subquery()
    first_visit = (select(attended.c.person_id, func.min(attended.c.day).label("first"))
                   .group_by(attended.c.person_id)).subquery()
    months = select(attended.c.person_id, month_sql(attended.c.day).label("month")).subquery()
    db.session.execute(insert(CountedFact).from_select(["person_id", "fact", "week"], union_all(
        select(skills.c.person_id, skills.c.fact, day_week_sql(skills.c.first)),
        select(first_visit.c.person_id, literal(GUIDED, String),
               day_week_sql(first_visit.c.first)),
        select(months.c.person_id, literal(GUIDED_MONTH, String), months.c.month).distinct(),
    )))


def _count_household_facts() -> None:
    """Registered, visits, first visited and Digital Family, per household, under everyone
    and each of its cohorts: the same as `rollups._household_facts`."""
    visits = _visit_days()
    first_visit = (select(visits.c.household_id, func.min(visits.c.week).label("week"))
                   .group_by(visits.c.household_id)).subquery()
    facts = union_all(
        select(Household.id.label("household_id"), literal(HOUSEHOLD, String).label("fact"),
               week_sql(Household.created_at).label("week"), literal(1).label("count")),
        select(visits.c.household_id, literal(VISITS, String), visits.c.week, func.count())
        .group_by(visits.c.household_id, visits.c.week),
        select(visits.c.household_id, literal(VISITS_MONTH, String), visits.c.month,
               func.count()).group_by(visits.c.household_id, visits.c.month),
        select(visits.c.household_id, literal(REACHED_MONTH, String), visits.c.month,
               literal(1)).distinct(),
        select(first_visit.c.household_id, literal(REACHED, String), first_visit.c.week,
               literal(1)),
        select(DigitalFamily.household_id, literal(DIGITAL_FAMILY_FACT, String),
               func.coalesce(day_week_sql(DigitalFamily.since),
                             week_sql(DigitalFamily.checked_at)), literal(1))
        .where(DigitalFamily.reached.is_(True)),
    ).subquery()
    cohorts = _household_cohorts()
    columns = ["household_id", "cohort", "fact", "week", "commune_id", "village_id", "count"]
    placed = (Household, Household.id == facts.c.household_id), (
        Village, Village.id == Household.village_id)
    everyone = select(facts.c.household_id, literal(EVERYONE, String), facts.c.fact,
                      facts.c.week, Village.commune_id, Village.id, facts.c.count)
    in_cohort = (select(facts.c.household_id, cohorts.c.cohort, facts.c.fact, facts.c.week,
                        Village.commune_id, Village.id, facts.c.count)
                 .join(cohorts, cohorts.c.household_id == facts.c.household_id))
    for statement in (everyone, in_cohort):
        for model, on in placed:
            statement = statement.join(model, on)
        db.session.execute(insert(CountedHouseholdFact).from_select(columns, statement))


def _sum_cohorts_and_facts() -> None:
    member, cohort = CountedMember, CountedCohort
    db.session.execute(insert(CohortPeopleRollup).from_select(
        ["commune_id", "cohort", "village_id", "gender", "birth_year", "people"],
        select(member.commune_id, cohort.cohort, member.village_id, member.gender,
               member.birth_year, func.count())
        .join(cohort, cohort.person_id == member.person_id)
        .group_by(member.commune_id, cohort.cohort, member.village_id, member.gender,
                  member.birth_year)))
    happenings = _happenings()
    keys = [member.commune_id, cohort.cohort, happenings.c.course, happenings.c.lesson,
            happenings.c.week, member.village_id, member.gender, member.birth_year]
    db.session.execute(insert(CohortProgressRollup).from_select(
        ["commune_id", "cohort", "course", "lesson", "week", "village_id", "gender",
         "birth_year", "started", "completed"],
        select(*keys, func.sum(happenings.c.started), func.sum(happenings.c.completed))
        .join(member, member.person_id == happenings.c.person_id)
        .join(cohort, cohort.person_id == happenings.c.person_id).group_by(*keys)))
    fact = CountedFact
    facts = union_all(
        select(fact.person_id, literal(EVERYONE, String).label("cohort"), fact.fact, fact.week),
        select(fact.person_id, cohort.cohort, fact.fact, fact.week)
        .join(cohort, cohort.person_id == fact.person_id),
    ).subquery()
    keys = [member.commune_id, facts.c.cohort, facts.c.fact, facts.c.week, member.village_id,
            member.gender, member.birth_year]
    db.session.execute(insert(FactRollup).from_select(
        ["commune_id", "cohort", "fact", "week", "village_id", "gender", "birth_year",
         "people"],
        select(*keys, func.count()).join(member, member.person_id == facts.c.person_id)
        .group_by(*keys)))
    rollup = FactRollup
    keys = [rollup.commune_id, rollup.cohort, rollup.fact, rollup.week]
    db.session.execute(insert(CommuneFactRollup).from_select(
        ["commune_id", "cohort", "fact", "week", "people"],
        select(*keys, func.sum(rollup.people)).group_by(*keys)))
    household = CountedHouseholdFact
    keys = [household.commune_id, household.cohort, household.fact, household.week]
    db.session.execute(insert(HouseholdRollup).from_select(
        ["commune_id", "cohort", "fact", "week", "village_id", "count"],
        select(*keys, household.village_id, func.sum(household.count))
        .group_by(*keys, household.village_id)))
    db.session.execute(insert(CommuneHouseholdRollup).from_select(
        ["commune_id", "cohort", "fact", "week", "count"],
        select(*keys, func.sum(household.count)).group_by(*keys)))


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
    _count_person_cohorts()
    _count_person_facts()
    _count_household_facts()
    _sum_cohorts_and_facts()
    _count_answers()
    db.session.commit()
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in tables}
