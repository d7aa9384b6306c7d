"""A commune's figures and the province's, summed from the rollups (never from summaries
or events), with small groups suppressed. A cohort filter reads the cohort rollups.

Every count is a sum of rollup rows: filters become WHERE clauses on the rollup keys, a
period becomes a range of weeks, an age band a range of birth years in the year of the
figure. Without a village, gender or age filter the per-commune rollup answers, which has
a few rows per week.

Suppression: a count from 1 to 4 is "<5". Counts that split a figure shown elsewhere
(people, started, completed by village, gender, age band and week add up to the headline)
would let a single "<5" be worked out by subtraction, so when exactly one cell of such a
split is "<5" the smallest other non-zero cell is hidden too, as "≥5".
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..content.catalog import catalog
from ..extensions import db
from ..places.models import Commune, Village
from .filters import AGE_BANDS, GENDERS, Filters, weeks_shown
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
    FactRollup,
    HouseholdRollup,
    PeopleRollup,
    ProgressRollup,
    SplitRollup,
)
from .rollups import (
    ANY_ROW,
    COURSE_ROW,
    DIGITAL_FAMILY_FACT,
    EVERYONE,
    FACT_SKILL,
    GUIDED,
    GUIDED_MONTH,
    REACHED,
    REACHED_MONTH,
    VISITS,
    VISITS_MONTH,
    month_of,
    skill_fact,
)

SMALL_GROUP = 5
ADULT_AGE = 18
HIDDEN, ALSO_HIDDEN = f"<{SMALL_GROUP}", f"≥{SMALL_GROUP}"
STRUGGLES_SHOWN = 10


def masked(count: int) -> int | str:
    return count if count == 0 or count >= SMALL_GROUP else HIDDEN


def suppressed(counts: list[int], total: int) -> list[int | str]:
    """Mask a split of `total` so that no hidden cell can be worked out by subtraction."""
    shown = [masked(count) for count in counts]
    hidden = [i for i, count in enumerate(counts) if 0 < count < SMALL_GROUP]
    if len(hidden) == 1 and total >= SMALL_GROUP:
        others = [i for i, count in enumerate(counts) if count >= SMALL_GROUP]
        if others:
            shown[min(others, key=lambda i: (counts[i], i))] = ALSO_HIDDEN
    return shown


def age_band_of(birth_year: int, year: int) -> str | None:
    if not birth_year:
        return None
    age = year - birth_year
    return next((band for band, (youngest, oldest) in AGE_BANDS.items()
                 if youngest <= age <= oldest), None)


@dataclass
class Figures:
    """Raw counts of one commune under one set of filters (masking comes after)."""

    commune: Commune
    filters: Filters
    people: int
    started: int
    completed: int
    courses: list[dict]  # slug, titles, started, completed
    lessons: list[dict]  # course, slug, position, titles, started, completed
    villages: list[dict]  # id, name, people, started, completed
    genders: list[dict]  # gender ("" = not given), people, started, completed
    ages: list[dict]  # band (None = not given), people, started, completed
    weeks: list[dict]  # week (a Monday), started, completed
    struggles: list[dict]  # course, lesson, step, prompt, answers, wrong, answer
    # course, skill (id), titles, verified (adults), adults (registered)
    skills: list[dict] = field(default_factory=list)
    # Household figures (not split by gender or age: None under such a filter).
    digital_families: int | None = None
    ambassadors: dict | None = None  # visits, households_reached, people_guided
    ambassadors_month: dict | None = None  # the same in the month of the figure


def _member_conditions(model, filters: Filters) -> list:
    conditions = []
    if filters.village:
        conditions.append(model.village_id == filters.village.id)
    if filters.gender:
        conditions.append(model.gender == filters.gender)
    years = filters.birth_years()
    if years:
        conditions.append(model.birth_year.between(*years))
    return conditions


def _period_conditions(model, filters: Filters) -> list:
    conditions = []
    if filters.first_week:
        conditions.append(model.week >= filters.first_week)
    if filters.last_week:
        conditions.append(model.week <= filters.last_week)
    return conditions


def _progress(filters: Filters, commune_id: int, *group, split_by_member: bool = False):
    """Started and completed summed by `group` (column names), under the filters."""
    by_member = split_by_member or bool(_member_conditions(ProgressRollup, filters))
    model = ProgressRollup if by_member else CommuneWeekRollup
    if filters.cohort:
        model, by_member = CohortProgressRollup, True
    conditions = [model.commune_id == commune_id, *_period_conditions(model, filters)]
    if filters.cohort:
        conditions.append(model.cohort == filters.cohort)
    if by_member:
        conditions += _member_conditions(model, filters)
    columns = [getattr(model, name) for name in group]
    return model, columns, conditions


def _sum(filters, commune_id, where: list, *group, split_by_member=False) -> list:
    model, columns, conditions = _progress(filters, commune_id, *group,
                                           split_by_member=split_by_member)
    extra = [clause(model) for clause in where]
    return db.session.execute(
        select(*columns, func.sum(model.started), func.sum(model.completed))
        .where(*conditions, *extra).group_by(*columns)).all()


def _split_sums(filters: Filters, commune_id: int, column: str) -> list:
    """Started and completed by village, gender or birth year: without a member filter or
    a cohort from the split rollup (a few rows per week), else from the member rollup."""
    if filters.cohort or _member_conditions(ProgressRollup, filters):
        return _sum(filters, commune_id, _level(filters), column, split_by_member=True)
    model = SplitRollup
    split = "village" if column == "village_id" else column
    rows = db.session.execute(
        select(model.value, func.sum(model.started), func.sum(model.completed))
        .where(model.commune_id == commune_id, model.split == split,
               *(clause(model) for clause in _level(filters)),
               *_period_conditions(model, filters))
        .group_by(model.value)).all()
    if column == "gender":
        return rows
    return [(int(value), started, completed) for value, started, completed in rows]


def _level(filters: Filters):
    course = filters.course or ANY_ROW
    return [lambda m: m.course == course, lambda m: m.lesson == COURSE_ROW]


def commune_figures(commune: Commune, filters: Filters) -> Figures:
    courses = [c for c in catalog().for_track("villager")
               if not filters.course or c.slug == filters.course]
    year = filters.figure_date.year
    by_village, by_gender, by_age = (defaultdict(lambda: [0, 0, 0]) for _ in range(3))
    # Each split is summed by the database: a few dozen rows come back, whatever the size.
    for split, column, key in ((by_village, "village_id", lambda v: v),
                               (by_gender, "gender", lambda v: v),
                               (by_age, "birth_year", lambda v: age_band_of(v, year))):
        people_model, people_where = _people(commune.id, filters)
        for value, count in db.session.execute(
                select(getattr(people_model, column), func.sum(people_model.people))
                .where(*people_where).group_by(getattr(people_model, column))):
            split[key(value)][0] += int(count)
        for value, started, completed in _split_sums(filters, commune.id, column):
            split[key(value)][1] += int(started)
            split[key(value)][2] += int(completed)
    totals = [sum(counts[i] for counts in by_village.values()) for i in range(3)]

    course_rows = {row[0]: row[1:] for row in _sum(
        filters, commune.id, [lambda m: m.lesson == COURSE_ROW, lambda m: m.course != ANY_ROW],
        "course")}
    lesson_rows = {(row[0], row[1]): row[2:] for row in _sum(
        filters, commune.id, [lambda m: m.lesson != COURSE_ROW], "course", "lesson")}
    week_rows = {_as_date(row[0]): row[1:] for row in _sum(filters, commune.id,
                                                          _level(filters), "week")}
    villages = db.session.execute(select(Village.id, Village.name).where(
        Village.commune_id == commune.id).order_by(Village.name)).all()
    if filters.village:
        villages = [(v_id, name) for v_id, name in villages if v_id == filters.village.id]
    return Figures(
        commune=commune, filters=filters, people=totals[0], started=totals[1],
        completed=totals[2],
        courses=[{"slug": c.slug, "titles": c.titles,
                  **_pair(course_rows.get(c.slug))} for c in courses],
        lessons=[{"course": c.slug, "slug": lesson.slug, "position": lesson.position,
                  "titles": {code: text.title for code, text in lesson.texts.items()},
                  **_pair(lesson_rows.get((c.slug, lesson.slug)))}
                 for c in courses for lesson in c.lessons],
        villages=[{"id": v_id, "name": name, **_triple(by_village.get(v_id))}
                  for v_id, name in villages],
        genders=[{"gender": gender, **_triple(by_gender.get(gender))}
                 for gender in [*GENDERS, ""]
                 if not filters.gender or gender == filters.gender],
        ages=[{"band": band, **_triple(by_age.get(band))} for band in [*AGE_BANDS, None]
              if not filters.age_band or band == filters.age_band],
        weeks=[{"week": week, **_pair(week_rows.get(week))} for week in weeks_shown(filters)],
        struggles=struggles(commune.id, filters),
        skills=skills(commune.id, filters),
        **household_figures(commune.id, filters),
    )


def _people(commune_id: int, filters: Filters):
    model = CohortPeopleRollup if filters.cohort else PeopleRollup
    where = [model.commune_id == commune_id, *_member_conditions(model, filters)]
    if filters.cohort:
        where.append(model.cohort == filters.cohort)
    return model, where


def adult_years(filters: Filters) -> int:
    """The latest birth year of an adult (18 or older) in the year of the figure."""
    return filters.figure_date.year - ADULT_AGE


def skills(commune_id: int, filters: Filters) -> list[dict]:
    """Adults with each skill of the villager courses verified in person, and the adults
    registered, under the filters (a skill counts from the week first verified)."""
    cohort = filters.cohort or EVERYONE
    adult = adult_years(filters)
    model = FactRollup
    verified = dict(db.session.execute(
        select(model.fact, func.sum(model.people))
        .where(model.commune_id == commune_id, model.cohort == cohort,
               model.fact.like(f"{FACT_SKILL}%"), model.birth_year.between(1, adult),
               *_member_conditions(model, filters), *_period_conditions(model, filters))
        .group_by(model.fact)).all())
    people_model, people_where = _people(commune_id, filters)
    adults = int(db.session.scalar(select(func.sum(people_model.people)).where(
        *people_where, people_model.birth_year.between(1, adult))) or 0)
    return [{"course": course.slug, "course_titles": course.titles, "skill": skill.id,
             "titles": skill.titles, "adults": adults,
             "verified": int(verified.get(skill_fact(course.slug, skill.id)) or 0)}
            for course in catalog().for_track("villager")
            if not filters.course or course.slug == filters.course
            for skill in course.skills]


def _household_sums(commune_id: int, filters: Filters, facts: tuple[str, ...],
                    period: bool) -> dict[str, int]:
    by_village = filters.village is not None
    model = HouseholdRollup if by_village else CommuneHouseholdRollup
    where = [model.commune_id == commune_id, model.cohort == (filters.cohort or EVERYONE),
             model.fact.in_(facts)]
    if by_village:
        where.append(model.village_id == filters.village.id)
    if period:
        where += _period_conditions(model, filters)
    else:
        where.append(model.week == month_of(filters.figure_date))
    return {fact: int(count) for fact, count in db.session.execute(
        select(model.fact, func.sum(model.count)).where(*where).group_by(model.fact))}


def _guided(commune_id: int, filters: Filters, fact: str, period: bool) -> int:
    by_member = bool(_member_conditions(FactRollup, filters))
    model = FactRollup if by_member else CommuneFactRollup
    where = [model.commune_id == commune_id, model.cohort == (filters.cohort or EVERYONE),
             model.fact == fact]
    if by_member:
        where += _member_conditions(model, filters)
    if period:
        where += _period_conditions(model, filters)
    else:
        where.append(model.week == month_of(filters.figure_date))
    return int(db.session.scalar(select(func.sum(model.people)).where(*where)) or 0)


def household_figures(commune_id: int, filters: Filters) -> dict:
    """Digital Families and ambassador activity, overall (within the period) and in the
    month of the figure. Households have no gender or age: under such a filter only the
    people guided are given."""
    by_household = not (filters.gender or filters.age_band)
    overall = _household_sums(commune_id, filters, (DIGITAL_FAMILY_FACT, VISITS, REACHED),
                              True) if by_household else {}
    month = _household_sums(commune_id, filters, (VISITS_MONTH, REACHED_MONTH),
                            False) if by_household else {}

    def activity(values: dict, visits: str, reached: str, period: bool) -> dict:
        return {"visits": values.get(visits, 0) if by_household else None,
                "households_reached": values.get(reached, 0) if by_household else None,
                "people_guided": _guided(commune_id, filters,
                                         GUIDED if period else GUIDED_MONTH, period)}

    return {"digital_families": overall.get(DIGITAL_FAMILY_FACT, 0) if by_household else None,
            "ambassadors": activity(overall, VISITS, REACHED, True),
            "ambassadors_month": activity(month, VISITS_MONTH, REACHED_MONTH, False)}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _pair(row) -> dict:
    return {"started": int(row[0]) if row else 0, "completed": int(row[1]) if row else 0}


def _triple(counts) -> dict:
    counts = counts or (0, 0, 0)
    return {"people": counts[0], "started": counts[1], "completed": counts[2]}


def struggles(commune_id: int, filters: Filters) -> list[dict]:
    """Quiz questions answered wrong most often: at least 5 wrong answers, by share."""
    by_member = bool(_member_conditions(AnswerRollup, filters))
    model = AnswerRollup if by_member else CommuneAnswerRollup
    if filters.cohort:
        model, by_member = CohortAnswerRollup, True
    conditions = [model.commune_id == commune_id, *_period_conditions(model, filters)]
    if filters.cohort:
        conditions.append(model.cohort == filters.cohort)
    if by_member:
        conditions += _member_conditions(model, filters)
    if filters.course:
        conditions.append(model.course == filters.course)
    questions: dict[tuple, dict] = {}
    for course, lesson, step, answer, correct, count in db.session.execute(
            select(model.course, model.lesson, model.step, model.answer, model.correct,
                   func.sum(model.answers)).where(*conditions)
            .group_by(model.course, model.lesson, model.step, model.answer, model.correct)):
        question = questions.setdefault((course, lesson, step), {
            "course": course, "lesson": lesson, "step": step, "answers": 0, "wrong": 0,
            "wrong_answers": defaultdict(int)})
        question["answers"] += int(count)
        if not correct:
            question["wrong"] += int(count)
            question["wrong_answers"][answer] += int(count)
    found = []
    for question in questions.values():
        if question["wrong"] < SMALL_GROUP:
            continue
        top = max(sorted(question.pop("wrong_answers").items()), key=lambda item: item[1])
        found.append({**question, "share": question["wrong"] / question["answers"],
                      "answer": top[0]})
    found.sort(key=lambda q: (-q["share"], -q["wrong"], q["course"], q["lesson"], q["step"]))
    return found[:STRUGGLES_SHOWN]


def province_figures() -> list[dict]:
    """People, started and completed (any course, all time) of every commune."""
    communes = db.session.execute(select(Commune.id, Commune.name).order_by(Commune.name)).all()
    people = dict(db.session.execute(
        select(CommunePeopleRollup.commune_id, CommunePeopleRollup.people)).all())
    progress = {row[0]: row[1:] for row in db.session.execute(
        select(CommuneWeekRollup.commune_id, func.sum(CommuneWeekRollup.started),
               func.sum(CommuneWeekRollup.completed))
        .where(CommuneWeekRollup.course == ANY_ROW, CommuneWeekRollup.lesson == COURSE_ROW)
        .group_by(CommuneWeekRollup.commune_id))}
    families = dict(db.session.execute(
        select(CommuneHouseholdRollup.commune_id, func.sum(CommuneHouseholdRollup.count))
        .where(CommuneHouseholdRollup.cohort == EVERYONE,
               CommuneHouseholdRollup.fact == DIGITAL_FAMILY_FACT)
        .group_by(CommuneHouseholdRollup.commune_id)).all())
    return [{"id": c_id, "name": name, "people": int(people.get(c_id) or 0),
             **_pair(progress.get(c_id)), "digital_families": int(families.get(c_id) or 0)}
            for c_id, name in communes]
