"""Rollups kept up to date equal a rebuild and a brute-force count from the raw tables,
whatever the order events arrive in, however often they are replayed, and however members
move, change or leave (property-style: many random seeds)."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from flask import current_app
from sqlalchemy import delete, select

from lms.accounts.models import Gender, Person, Role
from lms.content.catalog import catalog
from lms.extensions import db
from lms.learning.grading import right_answer
from lms.learning.models import LessonProgress, ProgressEvent
from lms.learning.progress import record_events
from lms.places.models import Household, Village
from lms.stats.figures import commune_figures
from lms.stats.filters import AGE_BANDS, Filters
from lms.stats.models import (
    AnswerRollup,
    CommuneAnswerRollup,
    CommunePeopleRollup,
    CommuneWeekRollup,
    CountedLesson,
    CountedMember,
    PeopleRollup,
    ProgressRollup,
    SplitRollup,
)
from lms.stats.rebuild import rebuild_rollups
from lms.stats.rollups import people_changed, people_removed
from lms.stats.views import figures_json

from .learning_helpers import event, wrong_answer

HANOI = timezone(timedelta(hours=7))
NOW = datetime.now(UTC)
SEEDS = range(12)


def monday(moment: datetime) -> date:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    day = moment.astimezone(HANOI).date()
    return day - timedelta(days=day.isoweekday() - 1)


def random_events(chance: random.Random, people: list[int]) -> list[dict]:
    courses = catalog().for_track("villager")
    found = []
    for person in people:
        diligent = chance.random() < 0.5  # answers right and finishes what they start
        for course in chance.sample(courses, chance.randint(0, len(courses))):
            lessons = course.lessons if diligent or chance.random() < 0.3 else course.lessons[
                :chance.randint(1, len(course.lessons))]
            for lesson in lessons:
                steps = lesson.texts["vi"].steps
                when = NOW - timedelta(days=chance.uniform(0, 250))
                for step in steps[:chance.randint(1, len(steps))]:
                    found.append(event(person, course.slug, lesson.slug, step.number,
                                       occurred_at=when.isoformat()))
                for attempt in range(chance.randint(1, 3)):
                    answers = {}
                    for step in lesson.texts["vi"].quiz_steps:
                        right = diligent and attempt > 0 or chance.random() < 0.4
                        answer = (right_answer(step.question) if right
                                  else wrong_answer(step.question))
                        answers[str(step.number)] = answer
                        found.append(event(person, course.slug, lesson.slug, step.number,
                                           "answer_submitted", answer, when.isoformat()))
                    if diligent or chance.random() < 0.5:
                        finish = when + timedelta(minutes=chance.randint(1, 20000))
                        found.append(event(person, course.slug, lesson.slug, len(steps),
                                           "lesson_completed", {"answers": answers},
                                           min(finish, NOW).isoformat()))
    return found


def rollup_rows() -> dict:
    """Every non-zero rollup row and the counted-where records, for comparison."""
    found = {}
    for model, counters in ((PeopleRollup, ["people"]), (CommunePeopleRollup, ["people"]),
                            (ProgressRollup, ["started", "completed"]),
                            (CommuneWeekRollup, ["started", "completed"]),
                            (SplitRollup, ["started", "completed"]),
                            (AnswerRollup, ["answers"]),
                            (CommuneAnswerRollup, ["answers"])):
        keys = [c.name for c in model.__table__.columns if c.name not in counters + ["id"]]
        found[model.__tablename__] = {
            tuple(getattr(row, k) for k in keys): tuple(getattr(row, c) for c in counters)
            for row in db.session.scalars(select(model))
            if any(getattr(row, c) for c in counters)}
    found["members"] = {(r.person_id, r.commune_id, r.village_id, r.gender, r.birth_year)
                        for r in db.session.scalars(select(CountedMember))}
    found["lessons"] = {(r.person_id, r.course, r.lesson, r.started_week, r.completed_week)
                        for r in db.session.scalars(select(CountedLesson))}
    return found


def brute_force(commune, filters: Filters, only: set[int] | None = None) -> dict:
    """The figures counted straight from people, households, summaries and events
    (`only`: the people of a cohort)."""
    year = filters.figure_date.year
    lessons = {c.slug: [lesson.slug for lesson in c.lessons]
               for c in catalog().for_track("villager")}
    people = {}
    for person, village_id in db.session.execute(
            select(Person, Household.village_id).join(Household).join(Village)
            .where(Village.commune_id == commune.id)):
        band = next((name for name, (low, high) in AGE_BANDS.items()
                     if person.birth_year and low <= year - person.birth_year <= high), None)
        gender = person.gender.value if person.gender else ""
        if (only is not None and person.id not in only) or (
                filters.village and village_id != filters.village.id) or (
                filters.gender and gender != filters.gender) or (
                filters.age_band and band != filters.age_band):
            continue
        people[person.id] = (village_id, gender, band)

    def in_period(week):
        return week is not None and (not filters.start or week >= monday(
            datetime.combine(filters.start, datetime.min.time(), HANOI))) and (
            not filters.end or week <= monday(
                datetime.combine(filters.end, datetime.min.time(), HANOI)))

    summaries = defaultdict(dict)
    for row in db.session.scalars(select(LessonProgress).where(
            LessonProgress.person_id.in_(list(people)))):
        if row.lesson in lessons.get(row.course, ()):
            summaries[row.person_id][(row.course, row.lesson)] = (
                monday(row.first_seen), monday(row.completed_at) if row.completed_at else None)

    def course_weeks(person, course):
        rows = [summaries[person][(course, lesson)] for lesson in lessons[course]
                if (course, lesson) in summaries[person]]
        if not rows:
            return None, None
        done = [c for _, c in rows if c]
        return min(s for s, _ in rows), max(done) if len(done) == len(lessons[course]) else None

    def level_weeks(person):
        if filters.course:
            return course_weeks(person, filters.course)
        weeks = [course_weeks(person, course) for course in lessons]
        started = [s for s, _ in weeks if s]
        done = [c for _, c in weeks if c]
        return (min(started) if started else None), (min(done) if done else None)

    figures = {"people": len(people), "started": 0, "completed": 0,
               "villages": defaultdict(lambda: [0, 0, 0]), "weeks": defaultdict(lambda: [0, 0]),
               "courses": defaultdict(lambda: [0, 0]), "lessons": defaultdict(lambda: [0, 0])}
    for person, (village_id, _gender, _band) in people.items():
        figures["villages"][village_id][0] += 1
        started, completed = level_weeks(person)
        for index, week in ((1, started), (2, completed)):
            if in_period(week):
                figures[("started", "completed")[index - 1]] += 1
                figures["villages"][village_id][index] += 1
                figures["weeks"][week][index - 1] += 1
        for course in lessons:
            if filters.course and course != filters.course:
                continue
            for index, week in enumerate(course_weeks(person, course)):
                figures["courses"][course][index] += in_period(week)
            for lesson in lessons[course]:
                for index, week in enumerate(summaries[person].get((course, lesson), ())):
                    figures["lessons"][(course, lesson)][index] += in_period(week)
    wrong = defaultdict(lambda: [0, 0])
    for row in db.session.scalars(select(ProgressEvent).where(
            ProgressEvent.person_id.in_(list(people)),
            ProgressEvent.type == "answer_submitted")):
        if (filters.course and row.course != filters.course) or not in_period(
                monday(row.occurred_at)):
            continue
        step = catalog().course(row.course).lesson(row.lesson).texts["vi"].steps[row.step - 1]
        if step.kind == "quiz":
            wrong[(row.course, row.lesson, row.step)][0] += 1
            wrong[(row.course, row.lesson, row.step)][1] += not row.correct
    figures["wrong"] = {key: tuple(v) for key, v in wrong.items() if v[1] >= 5}
    return figures


def computed(figures) -> dict:
    """The same shape from the rollup figures."""
    return {
        "people": figures.people, "started": figures.started, "completed": figures.completed,
        "villages": {v["id"]: [v["people"], v["started"], v["completed"]]
                     for v in figures.villages if v["people"] or v["started"]},
        "weeks": {w["week"]: [w["started"], w["completed"]] for w in figures.weeks},
        "courses": {c["slug"]: [c["started"], c["completed"]] for c in figures.courses},
        "lessons": {(lesson["course"], lesson["slug"]): [lesson["started"], lesson["completed"]]
                    for lesson in figures.lessons},
        "wrong": {(q["course"], q["lesson"], q["step"]): (q["answers"], q["wrong"])
                  for q in figures.struggles},
    }


def expected(brute: dict, figures) -> dict:
    shown_weeks = {w["week"] for w in figures.weeks}
    found = {**brute, "villages": {k: v for k, v in brute["villages"].items() if v[0] or v[1]},
             "weeks": {week: brute["weeks"].get(week, [0, 0]) for week in shown_weeks},
             "courses": {c["slug"]: brute["courses"].get(c["slug"], [0, 0])
                         for c in figures.courses},
             "lessons": {(x["course"], x["slug"]): brute["lessons"].get(
                 (x["course"], x["slug"]), [0, 0]) for x in figures.lessons}}
    found["wrong"] = dict(sorted(brute["wrong"].items(),
                                 key=lambda kv: (-kv[1][1] / kv[1][0], -kv[1][1], kv[0]))[:10])
    return found


def random_filters(chance: random.Random, villages: list[Village]) -> Filters:
    start = (NOW - timedelta(days=chance.randint(20, 200))).date()
    return Filters(
        village=chance.choice([None, *villages]),
        course=chance.choice([None, *[c.slug for c in catalog().for_track("villager")]]),
        gender=chance.choice([None, "female", "male"]),
        age_band=chance.choice([None, None, *AGE_BANDS]),
        start=chance.choice([None, start]),
        end=chance.choice([None, start + timedelta(days=chance.randint(0, 150))]))


def mask(count: int):
    return count if count == 0 or count >= 5 else "<5"


def check_suppression(raw: list[int], shown: list, total: int | None) -> None:
    """What a split shows: exact counts of 5 or more (or 0), "<5" for 1 to 4, and never
    exactly one hidden cell next to a total that is shown."""
    for count, cell in zip(raw, shown, strict=True):
        assert cell == mask(count) or (cell == "≥5" and count >= 5), (raw, shown)
    hidden = [cell for cell in shown if cell in ("<5", "≥5")]
    assert total is None or len(hidden) != 1 or mask(total) == "<5", (raw, shown, total)


def check_figures(chance, commune, villages, rounds: int = 6) -> None:
    for filters in [Filters(), *(random_filters(chance, villages) for _ in range(rounds))]:
        figures = commune_figures(commune, filters)
        brute = brute_force(commune, filters)
        assert computed(figures) == expected(brute, figures), filters
        with current_app.test_request_context("/"):
            shown = figures_json(figures)
        assert shown["people"] == mask(brute["people"])
        assert shown["started"] == mask(brute["started"])
        for key in ("people", "started", "completed"):
            check_suppression([v[key] for v in figures.villages],
                              [v[key] for v in shown["villages"]], getattr(figures, key))
            check_suppression([g[key] for g in figures.genders],
                              [g[key] for g in shown["genders"]], getattr(figures, key))
            check_suppression([a[key] for a in figures.ages],
                              [a[key] for a in shown["age_bands"]], getattr(figures, key))
        for key in ("started", "completed"):
            # The weeks split the total only when the period lies within them.
            weeks = [w[key] for w in figures.weeks]
            check_suppression(weeks, [w[key] for w in shown["weeks"]],
                              getattr(figures, key) if sum(weeks) == getattr(figures, key)
                              else None)
        for course, raw in zip(shown["courses"], figures.courses, strict=True):
            assert (course["started"], course["completed"]) == (
                mask(brute["courses"].get(raw["slug"], [0, 0])[0]),
                mask(brute["courses"].get(raw["slug"], [0, 0])[1]))


@pytest.mark.parametrize("seed", SEEDS)
def test_rollups_equal_a_rebuild_and_a_brute_force_count(seed, make_commune, make_village,
                                                          make_household, make_staff):
    chance = random.Random(seed)
    commune = make_commune("Chiềng Mung")
    villages = [make_village(commune, f"Bản {n}") for n in range(3)]
    households = [make_household(chance.choice(villages), f"Hộ {n}",
                                 members=chance.randint(1, 5)) for n in range(7)]
    for person in db.session.scalars(select(Person).where(Person.household_id.is_not(None))):
        person.gender = chance.choice([None, *Gender])
        person.birth_year = chance.choice([None, *range(1940, 2020)])
    people_changed(db.session.scalars(select(Person.id)).all())
    db.session.commit()
    ambassador = make_staff(Role.AMBASSADOR, "0911000013", commune, households)
    person_ids = [m.id for h in households for m in h.members]

    events = random_events(chance, person_ids)
    chance.shuffle(events)
    sent = []
    while events:
        batch = [events.pop() for _ in range(min(len(events), chance.randint(1, 60)))]
        if sent and chance.random() < 0.4:  # a flaky network sends some again
            batch += chance.sample(sent, min(len(sent), chance.randint(1, 20)))
        result = record_events(ambassador, batch)
        assert not result.rejected, result.rejected[:2]
        sent += batch
        if chance.random() < 0.25:  # a member moves or is corrected meanwhile
            person = db.session.get(Person, chance.choice(person_ids))
            person.household_id = chance.choice(households).id
            person.gender = chance.choice([None, *Gender])
            person.birth_year = chance.choice([None, 1950, 1990, 2012])
            db.session.flush()
            people_changed([person.id])
            db.session.commit()
    check_figures(chance, commune, villages)

    leaving = chance.choice(person_ids)
    people_removed([leaving])
    db.session.execute(delete(Person).where(Person.id == leaving))
    db.session.commit()
    kept_up = rollup_rows()
    rebuild_rollups()
    assert rollup_rows() == kept_up
    check_figures(chance, commune, villages)
