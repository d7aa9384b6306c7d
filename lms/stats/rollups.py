"""Keeping the figures' rollups up to date, in the same transaction as the change.

Two entry points for the rest of the application:

- `progress_arrived(events)`: called by `learning.progress.record_events` with the events
  it has just stored and merged. It re-counts the people concerned (below) and adds the
  quiz answers among the events to the answer rollup.
- `people_changed(person_ids)`: call it after adding or editing household members (moved
  to another household or village, gender or birth year changed; see below for cohorts,
  visits and teams), in the same
  transaction, before the commit. Before deleting a person (or their household), call
  `people_removed(person_ids)` while their rows still exist: it takes them out of every
  rollup, their quiz answers included.

How a person is re-counted: `stats_counted_member` and `stats_counted_lesson` record where
and in which weeks each person is counted now. A refresh works out from the person's
lesson summaries and household where they should be counted, and adds the difference
(minus the old place and week, plus the new) to the rollups. It never needs to know what
changed, so a replayed event, an out-of-order batch and a moved member all take the same
path, and `rebuild.rebuild_rollups` (`flask --app lms stats rebuild`) gives the same rows
from scratch. The people's rows, with their households' other members, are locked first
(`accounts.locking`), so two workers never count one person twice.

Weeks are ISO weeks (Monday first) in Vietnam's time (UTC+7, no summer time); a
from/to period is answered in whole weeks. Only villager-track courses are counted.

Cohorts, skills, visits and Digital Families. A person is counted under cohort ""
(everyone: the rollups above) and once more, in the cohort rollups, under each cohort they
belong to now — "digital_family" (their household reached Digital Family), "ambassadors"
(their household is assigned to an ambassador in one of the commune's teams), "event:<id>"
(they attended that event) — recorded in `stats_counted_cohort`, so a refresh subtracts the
old and adds the new as it does for places. A person's facts (a skill verified in person,
the first week; guided at a visit, the first week and each month) go in
`stats_counted_fact` and the fact rollups; a household's (registered, visits, first visited,
Digital Family) in `stats_counted_household_fact` and the household rollups, under the
household's cohorts. Which function to call, in the same transaction, after the change:

- members added, moved or edited; a household's Digital Family status changed; event
  attendance marked or removed: `people_changed(person_ids)`;
- a guidance visit recorded or corrected; a household assigned to or taken from an
  ambassador; a household registered or moved: `households_changed(household_ids)`;
- ambassadors added to or removed from a team, a team removed or moved to another
  commune: `people_of_ambassadors_changed(account_ids)` (every account concerned).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import and_, delete, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from ..accounts.locking import lock_people
from ..accounts.models import Person, ambassador_assignment
from ..ambassadors.models import GuidanceVisit, VerifiedSkill, visit_present
from ..content.catalog import catalog
from ..content.model import MULTIPLE, QUIZ
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

VIETNAM = timezone(timedelta(hours=7))
COURSE_ROW, ANY_ROW = "", ""  # the lesson of a course-level row; the course of an "any" row

EVERYONE, DIGITAL_FAMILY, AMBASSADORS, EVENT = "", "digital_family", "ambassadors", "event"
# Facts (see models): of a person, and of a household.
FACT_SKILL, GUIDED, GUIDED_MONTH = "skill:", "guided", "guided_m"
HOUSEHOLD, VISITS, VISITS_MONTH, REACHED, REACHED_MONTH, DIGITAL_FAMILY_FACT = (
    "household", "visits", "visits_m", "reached", "reached_m", "df")

SPLITS = ("village", "gender", "birth_year")  # the member keys after the commune

Member = tuple[int, int, str, int]  # commune, village, gender, birth year
Weeks = tuple[date, date | None]  # started, completed


def week_of(moment: datetime) -> date:
    """The Monday of the ISO week, in Vietnam's time, of a time stored in UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(VIETNAM).date()
    return local - timedelta(days=local.weekday())


def villager_lessons() -> dict[str, tuple[str, ...]]:
    return {course.slug: tuple(lesson.slug for lesson in course.lessons)
            for course in catalog().for_track("villager")}


def answer_key(answer) -> str:
    """An answer as a short text: "2" for one option, "0,3" for several or an order."""
    if isinstance(answer, list):
        return ",".join(str(part) for part in answer)[:64]
    return str(answer)[:64]


def quiz_step_kind(course: str, lesson: str, step: int) -> str | None:
    """The question kind of a quiz step of a villager course, else None."""
    found = catalog().course(course)
    found_lesson = found.lesson(lesson) if found and found.track == "villager" else None
    steps = found_lesson.texts["vi"].steps if found_lesson else ()
    if not 1 <= step <= len(steps) or steps[step - 1].kind != QUIZ:
        return None
    return steps[step - 1].question.kind if steps[step - 1].question else None


# --- where a person should be counted ----------------------------------------------------


def _homes_now(person_ids: list[int]) -> dict[int, tuple[Member, int]]:
    """Where each person is to be counted, and their household."""
    rows = db.session.execute(
        select(Person.id, Village.commune_id, Village.id, Person.gender, Person.birth_year,
               Household.id)
        .join(Household, Person.household_id == Household.id)
        .join(Village, Household.village_id == Village.id)
        .where(Person.id.in_(person_ids))).all()
    return {row[0]: ((row[1], row[2], row[3].value if row[3] else "", row[4] or 0), row[5])
            for row in rows}


def _members_now(person_ids: list[int]) -> dict[int, Member]:
    return {i: home[0] for i, home in _homes_now(person_ids).items()}


def month_of(day: date) -> date:
    return day.replace(day=1)


def week_of_day(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _cohorts_now(person_ids: list[int]) -> dict[int, set[str]]:
    """The cohorts each person belongs to (see the module doc)."""
    found: dict[int, set[str]] = defaultdict(set)
    if not person_ids:
        return found
    for (person_id,) in db.session.execute(
            select(Person.id).join(DigitalFamily,
                                   DigitalFamily.household_id == Person.household_id)
            .where(Person.id.in_(person_ids), DigitalFamily.reached.is_(True))):
        found[person_id].add(DIGITAL_FAMILY)
    for (person_id,) in db.session.execute(
            select(Person.id).distinct()
            .join(Household, Person.household_id == Household.id)
            .join(Village, Household.village_id == Village.id)
            .join(ambassador_assignment,
                  ambassador_assignment.c.household_id == Household.id)
            .join(team_member, team_member.c.account_id == ambassador_assignment.c.account_id)
            .join(AmbassadorTeam, and_(AmbassadorTeam.id == team_member.c.team_id,
                                       AmbassadorTeam.commune_id == Village.commune_id))
            .where(Person.id.in_(person_ids))):
        found[person_id].add(AMBASSADORS)
    for person_id, event_id in db.session.execute(
            select(EventAttendance.person_id, EventAttendance.event_id)
            .where(EventAttendance.person_id.in_(person_ids))):
        found[person_id].add(event_cohort(event_id))
    return found


def _facts_now(person_ids: list[int]) -> dict[int, set[tuple[str, date]]]:
    """Each person's facts: skills verified (first week) and guidance visits attended."""
    found: dict[int, set[tuple[str, date]]] = defaultdict(set)
    if not person_ids:
        return found
    for person_id, course, skill, first in db.session.execute(
            select(VerifiedSkill.person_id, VerifiedSkill.course, VerifiedSkill.skill,
                   func.min(VerifiedSkill.verified_on))
            .where(VerifiedSkill.person_id.in_(person_ids))
            .group_by(VerifiedSkill.person_id, VerifiedSkill.course, VerifiedSkill.skill)):
        found[person_id].add((skill_fact(course, skill), week_of_day(_as_day(first))))
    days = defaultdict(set)
    for person_id, visited_on in db.session.execute(
            select(visit_present.c.person_id, GuidanceVisit.visited_on)
            .join(GuidanceVisit, GuidanceVisit.id == visit_present.c.visit_id)
            .where(visit_present.c.person_id.in_(person_ids))):
        days[person_id].add(_as_day(visited_on))
    for person_id, visited in days.items():
        found[person_id].add((GUIDED, week_of_day(min(visited))))
        found[person_id].update((GUIDED_MONTH, month_of(day)) for day in visited)
    return found


def _as_day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def skill_fact(course: str, skill: str) -> str:
    return f"{FACT_SKILL}{course}:{skill}"


def event_cohort(event_id: int) -> str:
    return f"{EVENT}:{event_id}"


def _household_cohorts(household_ids: list[int], leaving: frozenset[int] = frozenset()
                       ) -> dict[int, set[str]]:
    """A household's cohorts: a Digital Family, assigned to a team's ambassador, or with a
    member at an event (`leaving`: people about to be deleted, not counted)."""
    found: dict[int, set[str]] = defaultdict(set)
    for (household_id,) in db.session.execute(
            select(DigitalFamily.household_id).where(
                DigitalFamily.household_id.in_(household_ids), DigitalFamily.reached.is_(True))):
        found[household_id].add(DIGITAL_FAMILY)
    for (household_id,) in db.session.execute(
            select(Household.id).distinct()
            .join(Village, Household.village_id == Village.id)
            .join(ambassador_assignment,
                  ambassador_assignment.c.household_id == Household.id)
            .join(team_member, team_member.c.account_id == ambassador_assignment.c.account_id)
            .join(AmbassadorTeam, and_(AmbassadorTeam.id == team_member.c.team_id,
                                       AmbassadorTeam.commune_id == Village.commune_id))
            .where(Household.id.in_(household_ids))):
        found[household_id].add(AMBASSADORS)
    for household_id, person_id, event_id in db.session.execute(
            select(Person.household_id, Person.id, EventAttendance.event_id)
            .join(EventAttendance, EventAttendance.person_id == Person.id)
            .where(Person.household_id.in_(household_ids))):
        if person_id not in leaving:
            found[household_id].add(event_cohort(event_id))
    return found


def _household_facts(household_ids: list[int]) -> dict[int, dict[tuple[str, date], int]]:
    found: dict[int, dict[tuple[str, date], int]] = defaultdict(lambda: defaultdict(int))
    for household_id, created_at in db.session.execute(
            select(Household.id, Household.created_at).where(Household.id.in_(household_ids))):
        found[household_id][(HOUSEHOLD, week_of(created_at))] = 1
    days = defaultdict(list)
    for household_id, visited_on in db.session.execute(
            select(GuidanceVisit.household_id, GuidanceVisit.visited_on)
            .where(GuidanceVisit.household_id.in_(household_ids))):
        days[household_id].append(_as_day(visited_on))
    for household_id, visited in days.items():
        facts = found[household_id]
        for day in visited:
            facts[(VISITS, week_of_day(day))] += 1
            facts[(VISITS_MONTH, month_of(day))] += 1
            facts[(REACHED_MONTH, month_of(day))] = 1
        facts[(REACHED, week_of_day(min(visited)))] = 1
    for household_id, since, checked_at in db.session.execute(
            select(DigitalFamily.household_id, DigitalFamily.since, DigitalFamily.checked_at)
            .where(DigitalFamily.household_id.in_(household_ids),
                   DigitalFamily.reached.is_(True))):
        found[household_id][(DIGITAL_FAMILY_FACT, week_of_day(_as_day(since)) if since
                             else week_of(checked_at))] = 1
    return found


def lesson_weeks(summaries: Iterable[tuple], lessons: dict[str, tuple[str, ...]]
                 ) -> dict[tuple[str, str], Weeks]:
    """From one person's (course, lesson, first_seen, completed_at) summaries: the weeks of
    each lesson, each course (started its first lesson; completed its last one) and any
    course (started the first; completed the first whole course)."""
    found: dict[tuple[str, str], Weeks] = {}
    per_course: dict[str, list[Weeks]] = defaultdict(list)
    for course, lesson, first_seen, completed_at in summaries:
        if lesson not in lessons.get(course, ()):
            continue
        weeks = (week_of(first_seen), week_of(completed_at) if completed_at else None)
        found[(course, lesson)] = weeks
        per_course[course].append(weeks)
    for course, rows in per_course.items():
        done = [completed for _, completed in rows if completed is not None]
        found[(course, COURSE_ROW)] = (
            min(started for started, _ in rows),
            max(done) if len(done) == len(lessons[course]) else None)
    courses = [found[(course, COURSE_ROW)] for course in per_course]
    if courses:
        done = [completed for _, completed in courses if completed is not None]
        found[(ANY_ROW, COURSE_ROW)] = (min(started for started, _ in courses),
                                        min(done) if done else None)
    return found


def _lessons_now(person_ids: list[int]) -> dict[int, dict[tuple[str, str], Weeks]]:
    lessons = villager_lessons()
    rows = defaultdict(list)
    for person_id, *summary in db.session.execute(
            select(LessonProgress.person_id, LessonProgress.course, LessonProgress.lesson,
                   LessonProgress.first_seen, LessonProgress.completed_at)
            .where(LessonProgress.person_id.in_(person_ids))):
        rows[person_id].append(summary)
    return {person_id: lesson_weeks(summaries, lessons) for person_id, summaries in rows.items()}


# --- adding up the differences -----------------------------------------------------------


@dataclass
class Changes:
    """Differences to add to the rollups. Every key starts with the cohort ("" = everyone)."""

    people: defaultdict
    progress: defaultdict
    answers: defaultdict
    facts: defaultdict
    households: defaultdict

    @classmethod
    def empty(cls) -> "Changes":
        return cls(defaultdict(int), defaultdict(lambda: [0, 0]), defaultdict(int),
                   defaultdict(int), defaultdict(int))

    def count_member(self, member: Member, sign: int, cohort: str = EVERYONE) -> None:
        self.people[(cohort, member)] += sign

    def count_weeks(self, member: Member, course: str, lesson: str, weeks: Weeks,
                    sign: int, cohort: str = EVERYONE) -> None:
        started, completed = weeks
        self.progress[(cohort, member, course, lesson, started)][0] += sign
        if completed is not None:
            self.progress[(cohort, member, course, lesson, completed)][1] += sign

    def count_answer(self, member: Member, course: str, lesson: str, step: int, answer: str,
                     correct: bool, week: date, sign: int, cohort: str = EVERYONE) -> None:
        self.answers[(cohort, member, course, lesson, step, answer, correct, week)] += sign

    def count_fact(self, member: Member, fact: str, week: date, sign: int,
                   cohort: str = EVERYONE) -> None:
        self.facts[(cohort, member, fact, week)] += sign

    def count_all(self, member: Member, cohort: str, lessons: dict, facts: Iterable,
                  answers: Iterable, sign: int) -> None:
        """Everything a person adds under one cohort: themselves, lessons, facts, answers."""
        self.count_member(member, sign, cohort)
        for key, weeks in lessons.items():
            self.count_weeks(member, *key, weeks, sign, cohort)
        for fact, week in facts:
            self.count_fact(member, fact, week, sign, cohort)
        for answer in answers:
            self.count_answer(member, *answer, sign, cohort)


def _upsert(model, rows: list[dict], keys: list[str], counters: list[str]) -> None:
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)
    table = model.__table__
    statement = insert.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + insert.excluded[name] for name in counters})
    # Sorted by key: two workers then lock the rows they share in the same order.
    db.session.execute(statement, sorted(rows, key=lambda row: tuple(row[k] for k in keys)))


def apply_changes(changes: Changes) -> None:
    people, cohort_people = [], []
    for (cohort, m), count in changes.people.items():
        if count:
            row = {"commune_id": m[0], "village_id": m[1], "gender": m[2], "birth_year": m[3],
                   "people": count}
            (people if cohort == EVERYONE else cohort_people).append(
                row if cohort == EVERYONE else {**row, "cohort": cohort})
    _upsert(PeopleRollup, people, ["commune_id", "village_id", "gender", "birth_year"],
            ["people"])
    _upsert(CohortPeopleRollup, cohort_people, ["commune_id", "cohort", "village_id",
                                                "gender", "birth_year"], ["people"])
    per_commune_people = defaultdict(int)
    for row in people:
        per_commune_people[row["commune_id"]] += row["people"]
    _upsert(CommunePeopleRollup, [{"commune_id": commune, "people": count}
                                  for commune, count in per_commune_people.items() if count],
            ["commune_id"], ["people"])
    progress, cohort_progress, per_commune = [], [], defaultdict(lambda: [0, 0])
    per_split = defaultdict(lambda: [0, 0])
    for (cohort, member, course, lesson, week), (started, completed) in (
            changes.progress.items()):
        if not (started or completed):
            continue
        row = {"commune_id": member[0], "village_id": member[1], "gender": member[2],
               "birth_year": member[3], "course": course, "lesson": lesson, "week": week,
               "started": started, "completed": completed}
        if cohort != EVERYONE:
            cohort_progress.append({**row, "cohort": cohort})
            continue
        progress.append(row)
        totals = per_commune[(member[0], course, lesson, week)]
        totals[0] += started
        totals[1] += completed
        if lesson != COURSE_ROW:  # the split rollup keeps course-level rows only
            continue
        for split, value in zip(SPLITS, member[1:], strict=True):
            totals = per_split[(member[0], split, course, lesson, week, str(value))]
            totals[0] += started
            totals[1] += completed
    _upsert(ProgressRollup, progress, ["commune_id", "course", "lesson", "week", "village_id",
                                       "gender", "birth_year"], ["started", "completed"])
    _upsert(SplitRollup, [
        {"commune_id": key[0], "split": key[1], "course": key[2], "lesson": key[3],
         "week": key[4], "value": key[5], "started": counts[0], "completed": counts[1]}
        for key, counts in per_split.items() if counts[0] or counts[1]],
        ["commune_id", "split", "course", "lesson", "week", "value"], ["started", "completed"])
    _upsert(CohortProgressRollup, cohort_progress, [
        "commune_id", "cohort", "course", "lesson", "week", "village_id", "gender",
        "birth_year"], ["started", "completed"])
    _upsert(CommuneWeekRollup, [
        {"commune_id": key[0], "course": key[1], "lesson": key[2], "week": key[3],
         "started": counts[0], "completed": counts[1]}
        for key, counts in per_commune.items() if counts[0] or counts[1]],
        ["commune_id", "course", "lesson", "week"], ["started", "completed"])
    answers, cohort_answers, answers_per_commune = [], [], defaultdict(int)
    for (cohort, m, course, lesson, step, answer, correct, week), count in (
            changes.answers.items()):
        if not count:
            continue
        row = {"commune_id": m[0], "village_id": m[1], "gender": m[2], "birth_year": m[3],
               "course": course, "lesson": lesson, "step": step, "answer": answer,
               "correct": correct, "week": week, "answers": count}
        if cohort != EVERYONE:
            cohort_answers.append({**row, "cohort": cohort})
            continue
        answers.append(row)
        answers_per_commune[(m[0], course, lesson, step, answer, correct, week)] += count
    _upsert(AnswerRollup, answers, ["commune_id", "village_id", "course", "lesson", "step",
                                    "answer", "week", "gender", "birth_year"], ["answers"])
    _upsert(CohortAnswerRollup, cohort_answers, [
        "commune_id", "cohort", "village_id", "course", "lesson", "step", "answer", "week",
        "gender", "birth_year"], ["answers"])
    _upsert(CommuneAnswerRollup, [
        {"commune_id": key[0], "course": key[1], "lesson": key[2], "step": key[3],
         "answer": key[4], "correct": key[5], "week": key[6], "answers": count}
        for key, count in answers_per_commune.items() if count],
        ["commune_id", "course", "lesson", "step", "answer", "week"], ["answers"])
    facts, facts_per_commune = [], defaultdict(int)
    for (cohort, m, fact, week), count in changes.facts.items():
        if count:
            facts.append({"commune_id": m[0], "cohort": cohort, "fact": fact, "week": week,
                          "village_id": m[1], "gender": m[2], "birth_year": m[3],
                          "people": count})
            facts_per_commune[(m[0], cohort, fact, week)] += count
    _upsert(FactRollup, facts, ["commune_id", "cohort", "fact", "week", "village_id",
                                "gender", "birth_year"], ["people"])
    _upsert(CommuneFactRollup, [
        {"commune_id": key[0], "cohort": key[1], "fact": key[2], "week": key[3],
         "people": count} for key, count in facts_per_commune.items() if count],
        ["commune_id", "cohort", "fact", "week"], ["people"])
    households, households_per_commune = [], defaultdict(int)
    for (cohort, commune, village, fact, week), count in changes.households.items():
        if count:
            households.append({"commune_id": commune, "cohort": cohort, "fact": fact,
                               "week": week, "village_id": village, "count": count})
            households_per_commune[(commune, cohort, fact, week)] += count
    _upsert(HouseholdRollup, households, ["commune_id", "cohort", "fact", "week",
                                          "village_id"], ["count"])
    _upsert(CommuneHouseholdRollup, [
        {"commune_id": key[0], "cohort": key[1], "fact": key[2], "week": key[3],
         "count": count} for key, count in households_per_commune.items() if count],
        ["commune_id", "cohort", "fact", "week"], ["count"])


# --- the entry points --------------------------------------------------------------------


def _person_answers(person_ids: list[int]) -> dict[int, list[tuple]]:
    found = defaultdict(list)
    for person_id, course, lesson, step, answer, correct, occurred_at in db.session.execute(
            select(ProgressEvent.person_id, ProgressEvent.course, ProgressEvent.lesson,
                   ProgressEvent.step, ProgressEvent.answer, ProgressEvent.correct,
                   ProgressEvent.occurred_at)
            .where(ProgressEvent.person_id.in_(person_ids),
                   ProgressEvent.type == EventType.ANSWER_SUBMITTED)):
        counted = counted_answer(course, lesson, step, answer, correct, occurred_at)
        if counted:
            found[person_id].append(counted)
    return found


def counted_answer(course, lesson, step, answer, correct, occurred_at,
                   kind_of=quiz_step_kind) -> tuple | None:
    """(course, lesson, step, answer text, correct, week) of a quiz answer, else None.
    `kind_of`: how to find a step's question kind (a rebuild passes a cached one)."""
    kind = kind_of(course, lesson, step or 0)
    if kind is None:
        return None
    if kind == MULTIPLE and isinstance(answer, list):
        answer = sorted(answer)
    return (course, lesson, step, answer_key(answer), bool(correct), week_of(occurred_at))


def refresh_people(person_ids: Iterable[int], changes: Changes,
                   removing: bool = False) -> set[int]:
    """Count each person where their household, cohorts, summaries and facts say (see the
    module doc): the differences go into `changes`, the record of where they are counted is
    updated. Returns the households they were and are counted with."""
    ids = sorted(set(person_ids))
    if not ids:
        return set()
    homes = {} if removing else _homes_now(ids)
    members = {i: home[0] for i, home in homes.items()}
    present = [i for i in ids if i in members]
    counted, counted_home = {}, {}
    for row in db.session.scalars(select(CountedMember).where(CountedMember.person_id.in_(ids))):
        counted[row.person_id] = (row.commune_id, row.village_id, row.gender, row.birth_year)
        counted_home[row.person_id] = row.household_id
    wanted = _lessons_now(present) if present else {}
    have: dict[int, dict[tuple[str, str], Weeks]] = defaultdict(dict)
    for row in db.session.scalars(select(CountedLesson).where(CountedLesson.person_id.in_(ids))):
        have[row.person_id][(row.course, row.lesson)] = (row.started_week, row.completed_week)
    cohorts_now = _cohorts_now(present)
    cohorts_had: dict[int, set[str]] = defaultdict(set)
    for person_id, cohort in db.session.execute(
            select(CountedCohort.person_id, CountedCohort.cohort)
            .where(CountedCohort.person_id.in_(ids))):
        cohorts_had[person_id].add(cohort)
    facts_now = _facts_now(present)
    facts_had: dict[int, set[tuple[str, date]]] = defaultdict(set)
    for person_id, fact, week in db.session.execute(
            select(CountedFact.person_id, CountedFact.fact, CountedFact.week)
            .where(CountedFact.person_id.in_(ids))):
        facts_had[person_id].add((fact, week))
    moved = [i for i in ids if counted.get(i) != members.get(i)]
    regrouped = [i for i in ids if i in members and cohorts_had.get(i, set()) != (
        cohorts_now.get(i, set()))]
    answers = _person_answers(sorted({*moved, *regrouped})) if moved or regrouped else {}
    stale_lessons, new_lessons, stale_facts, new_facts = [], [], [], []
    stale_cohorts, new_cohorts = [], []
    for person_id in ids:
        old_member, new_member = counted.get(person_id), members.get(person_id)
        old, new = have.get(person_id, {}), wanted.get(person_id, {}) if new_member else {}
        old_facts = facts_had.get(person_id, set())
        new_facts_of = facts_now.get(person_id, set()) if new_member else set()
        had = cohorts_had.get(person_id, set())
        now = cohorts_now.get(person_id, set()) if new_member else set()
        old_keys = [EVERYONE, *sorted(had)] if old_member else []
        new_keys = [EVERYONE, *sorted(now)] if new_member else []
        if old_member != new_member:
            leaving, arriving, staying = old_keys, new_keys, []
        else:
            leaving = [key for key in old_keys if key not in new_keys]
            arriving = [key for key in new_keys if key not in old_keys]
            staying = [key for key in new_keys if key in old_keys]
        person_answers = answers.get(person_id, ())
        for cohort in leaving:
            changes.count_all(old_member, cohort, old, old_facts, person_answers, -1)
        for cohort in arriving:
            changes.count_all(new_member, cohort, new, new_facts_of, person_answers, 1)
        for cohort in staying:
            for key in old.keys() | new.keys():
                if old.get(key) != new.get(key):
                    if key in old:
                        changes.count_weeks(old_member, *key, old[key], -1, cohort)
                    if key in new:
                        changes.count_weeks(new_member, *key, new[key], 1, cohort)
            for fact, week in old_facts - new_facts_of:
                changes.count_fact(old_member, fact, week, -1, cohort)
            for fact, week in new_facts_of - old_facts:
                changes.count_fact(new_member, fact, week, 1, cohort)
        stale_lessons += [(person_id, *key) for key in old if old[key] != new.get(key)]
        new_lessons += [{"person_id": person_id, "course": key[0], "lesson": key[1],
                         "started_week": weeks[0], "completed_week": weeks[1]}
                        for key, weeks in new.items() if old.get(key) != weeks]
        stale_facts += [(person_id, *fact) for fact in old_facts - new_facts_of]
        new_facts += [{"person_id": person_id, "fact": fact, "week": week}
                      for fact, week in new_facts_of - old_facts]
        stale_cohorts += [(person_id, cohort) for cohort in had - now]
        new_cohorts += [{"person_id": person_id, "cohort": cohort} for cohort in now - had]
    if stale_lessons:
        db.session.execute(delete(CountedLesson).where(tuple_(
            CountedLesson.person_id, CountedLesson.course, CountedLesson.lesson
        ).in_(stale_lessons)))
    if new_lessons:
        db.session.execute(CountedLesson.__table__.insert(), new_lessons)
    if stale_facts:
        db.session.execute(delete(CountedFact).where(tuple_(
            CountedFact.person_id, CountedFact.fact, CountedFact.week).in_(stale_facts)))
    if new_facts:
        db.session.execute(CountedFact.__table__.insert(), new_facts)
    if stale_cohorts:
        db.session.execute(delete(CountedCohort).where(tuple_(
            CountedCohort.person_id, CountedCohort.cohort).in_(stale_cohorts)))
    if new_cohorts:
        db.session.execute(CountedCohort.__table__.insert(), new_cohorts)
    rehomed = [i for i in ids if i in moved or counted_home.get(i) != (
        homes[i][1] if i in homes else None)]
    if rehomed:
        db.session.execute(delete(CountedMember).where(CountedMember.person_id.in_(rehomed)))
        rows = [{"person_id": i, "commune_id": members[i][0], "village_id": members[i][1],
                 "gender": members[i][2], "birth_year": members[i][3],
                 "household_id": homes[i][1]} for i in rehomed if i in members]
        if rows:
            db.session.execute(CountedMember.__table__.insert(), rows)
    return {h for h in [*counted_home.values(), *(home[1] for home in homes.values())]
            if h is not None}


def refresh_households(household_ids: Iterable[int], changes: Changes,
                       leaving: frozenset[int] = frozenset()) -> None:
    """Count each household's facts (registered, visits, Digital Family) under its place
    and cohorts now: the old rows recorded for it are subtracted, the new ones added."""
    ids = sorted(set(household_ids))
    if not ids:
        return
    db.session.execute(select(Household.id).where(Household.id.in_(ids))
                       .order_by(Household.id).with_for_update(key_share=True))
    places = {row[0]: (row[1], row[2]) for row in db.session.execute(
        select(Household.id, Village.commune_id, Village.id)
        .join(Village, Household.village_id == Village.id).where(Household.id.in_(ids)))}
    cohorts = _household_cohorts(ids, leaving)
    facts = _household_facts(ids)
    had: dict[int, dict[tuple, int]] = defaultdict(dict)
    for row in db.session.scalars(select(CountedHouseholdFact)
                                  .where(CountedHouseholdFact.household_id.in_(ids))):
        had[row.household_id][(row.cohort, row.commune_id, row.village_id, row.fact,
                               row.week)] = row.count
    changed, rows = [], []
    for household_id in ids:
        now: dict[tuple, int] = {}
        if household_id in places:
            commune, village = places[household_id]
            for cohort in [EVERYONE, *sorted(cohorts.get(household_id, ()))]:
                for (fact, week), count in facts.get(household_id, {}).items():
                    now[(cohort, commune, village, fact, week)] = count
        old = had.get(household_id, {})
        if now == old:
            continue
        changed.append(household_id)
        for key in old.keys() | now.keys():
            changes.households[key] += now.get(key, 0) - old.get(key, 0)
        rows += [{"household_id": household_id, "cohort": key[0], "commune_id": key[1],
                  "village_id": key[2], "fact": key[3], "week": key[4], "count": count}
                 for key, count in now.items()]
    if changed:
        db.session.execute(delete(CountedHouseholdFact)
                           .where(CountedHouseholdFact.household_id.in_(changed)))
    if rows:
        db.session.execute(CountedHouseholdFact.__table__.insert(), rows)


def _cohorts_counted(person_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for person_id, cohort in db.session.execute(
            select(CountedCohort.person_id, CountedCohort.cohort)
            .where(CountedCohort.person_id.in_(person_ids))):
        found[person_id].add(cohort)
    return found


def progress_arrived(events: list[ProgressEvent]) -> None:
    """Re-count the people of newly stored events and add their quiz answers."""
    if not events:
        return
    ids = lock_people(event.person_id for event in events)
    counted = {row.person_id: (row.commune_id, row.village_id, row.gender, row.birth_year)
               for row in db.session.scalars(select(CountedMember)
                                             .where(CountedMember.person_id.in_(ids)))}
    members = _members_now(list(counted))
    answering = sorted({e.person_id for e in events if e.type == EventType.ANSWER_SUBMITTED
                        and e.person_id in members})
    had, now = _cohorts_counted(answering), _cohorts_now(answering)
    changes = Changes.empty()
    # A person counted where (and in the cohorts) they belong gets the new answers added
    # here; anyone else is (re-)counted by the refresh with all their answers, the new ones
    # included.
    for event in events:
        member = members.get(event.person_id)
        if event.type != EventType.ANSWER_SUBMITTED or member is None or (
                member != counted[event.person_id]) or (
                had.get(event.person_id, set()) != now.get(event.person_id, set())):
            continue
        answer = counted_answer(event.course, event.lesson, event.step, event.answer,
                                event.correct, event.occurred_at)
        if answer:
            for cohort in [EVERYONE, *sorted(had.get(event.person_id, ()))]:
                changes.count_answer(member, *answer, 1, cohort)
    refresh_people(ids, changes)
    apply_changes(changes)


def people_changed(person_ids: Iterable[int]) -> None:
    """After adding or editing household members, or a change to what puts them in a
    cohort (Digital Family status, event attendance): count them, and their households,
    where they now belong."""
    changes = Changes.empty()
    households = refresh_people(lock_people(person_ids), changes)
    refresh_households(households, changes)
    apply_changes(changes)


def households_changed(household_ids: Iterable[int]) -> None:
    """After a guidance visit is recorded or corrected, a household is assigned to an
    ambassador or taken from them, or a household is registered or moved: count its
    members and the household again."""
    ids = sorted(set(household_ids))
    if not ids:
        return
    people = db.session.scalars(select(Person.id).where(Person.household_id.in_(ids))).all()
    changes = Changes.empty()
    households = refresh_people(lock_people(people), changes)
    refresh_households(households | set(ids), changes)
    apply_changes(changes)


def people_of_ambassadors_changed(account_ids: Iterable[int]) -> None:
    """After ambassadors join or leave a team (or a team is removed or moves commune): the
    households assigned to them are counted again in the "ambassadors" cohort. Call it in
    the same transaction, after the change."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    households_changed(db.session.scalars(
        select(ambassador_assignment.c.household_id)
        .where(ambassador_assignment.c.account_id.in_(ids))).all())


def people_removed(person_ids: Iterable[int]) -> None:
    """Before deleting people: take them out of every rollup."""
    changes = Changes.empty()
    ids = lock_people(person_ids)
    households = refresh_people(ids, changes, removing=True)
    refresh_households(households, changes, leaving=frozenset(ids))
    apply_changes(changes)
