"""Keeping the figures' rollups up to date, in the same transaction as the change.

Two entry points for the rest of the application:

- `progress_arrived(events)`: called by `learning.progress.record_events` with the events
  it has just stored and merged. It re-counts the people concerned (below) and adds the
  quiz answers among the events to the answer rollup.
- `people_changed(person_ids)`: call it after adding or editing household members (moved
  to another household or village, gender or birth year changed), in the same
  transaction, before the commit. Before deleting a person (or their household), call
  `people_removed(person_ids)` while their rows still exist: it takes them out of every
  rollup, their quiz answers included.

How a person is re-counted: `stats_counted_member` and `stats_counted_lesson` record where
and in which weeks each person is counted now. A refresh works out from the person's
lesson summaries and household where they should be counted, and adds the difference
(minus the old place and week, plus the new) to the rollups. It never needs to know what
changed, so a replayed event, an out-of-order batch and a moved member all take the same
path, and `rebuild.rebuild_rollups` (`flask --app lms stats rebuild`) gives the same rows
from scratch. The people's rows are locked first, so two workers never count one person
twice.

Weeks are ISO weeks (Monday first) in Vietnam's time (UTC+7, no summer time); a
from/to period is answered in whole weeks. Only villager-track courses are counted.

Where the figures still to come plug in: verified skills and guidance visits (issue 9)
and cohorts — Digital Family status, ambassador teams, event attendance (issue 10) — add
their own rollup table with the same village × gender × birth year × week key, refreshed
from their own write path next to these calls; `filters.COHORTS` then accepts the
cohort and `queries.commune_figures` adds the sums.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from ..accounts.models import Person
from ..content.catalog import catalog
from ..content.model import MULTIPLE, QUIZ
from ..extensions import db
from ..learning.models import EventType, LessonProgress, ProgressEvent
from ..places.models import Household, Village
from .models import (
    AnswerRollup,
    CommuneAnswerRollup,
    CommunePeopleRollup,
    CommuneWeekRollup,
    CountedLesson,
    CountedMember,
    PeopleRollup,
    ProgressRollup,
)

VIETNAM = timezone(timedelta(hours=7))
COURSE_ROW, ANY_ROW = "", ""  # the lesson of a course-level row; the course of an "any" row

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


def _members_now(person_ids: list[int]) -> dict[int, Member]:
    rows = db.session.execute(
        select(Person.id, Village.commune_id, Village.id, Person.gender, Person.birth_year)
        .join(Household, Person.household_id == Household.id)
        .join(Village, Household.village_id == Village.id)
        .where(Person.id.in_(person_ids))).all()
    return {row[0]: (row[1], row[2], row[3].value if row[3] else "", row[4] or 0)
            for row in rows}


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
    people: defaultdict
    progress: defaultdict
    answers: defaultdict

    @classmethod
    def empty(cls) -> "Changes":
        return cls(defaultdict(int), defaultdict(lambda: [0, 0]), defaultdict(int))

    def count_member(self, member: Member, sign: int) -> None:
        self.people[member] += sign

    def count_weeks(self, member: Member, course: str, lesson: str, weeks: Weeks,
                    sign: int) -> None:
        started, completed = weeks
        self.progress[(member, course, lesson, started)][0] += sign
        if completed is not None:
            self.progress[(member, course, lesson, completed)][1] += sign

    def count_answer(self, member: Member, course: str, lesson: str, step: int, answer: str,
                     correct: bool, week: date, sign: int) -> None:
        self.answers[(member, course, lesson, step, answer, correct, week)] += sign


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
    people = [{"commune_id": m[0], "village_id": m[1], "gender": m[2], "birth_year": m[3],
               "people": count} for m, count in changes.people.items() if count]
    _upsert(PeopleRollup, people, ["commune_id", "village_id", "gender", "birth_year"],
            ["people"])
    per_commune_people = defaultdict(int)
    for row in people:
        per_commune_people[row["commune_id"]] += row["people"]
    _upsert(CommunePeopleRollup, [{"commune_id": commune, "people": count}
                                  for commune, count in per_commune_people.items() if count],
            ["commune_id"], ["people"])
    progress, per_commune = [], defaultdict(lambda: [0, 0])
    for (member, course, lesson, week), (started, completed) in changes.progress.items():
        if started or completed:
            progress.append({"commune_id": member[0], "village_id": member[1],
                             "gender": member[2], "birth_year": member[3], "course": course,
                             "lesson": lesson, "week": week, "started": started,
                             "completed": completed})
            totals = per_commune[(member[0], course, lesson, week)]
            totals[0] += started
            totals[1] += completed
    _upsert(ProgressRollup, progress, ["commune_id", "course", "lesson", "week", "village_id",
                                       "gender", "birth_year"], ["started", "completed"])
    _upsert(CommuneWeekRollup, [
        {"commune_id": key[0], "course": key[1], "lesson": key[2], "week": key[3],
         "started": counts[0], "completed": counts[1]}
        for key, counts in per_commune.items() if counts[0] or counts[1]],
        ["commune_id", "course", "lesson", "week"], ["started", "completed"])
    answers, answers_per_commune = [], defaultdict(int)
    for (m, course, lesson, step, answer, correct, week), count in changes.answers.items():
        if count:
            answers.append({"commune_id": m[0], "village_id": m[1], "gender": m[2],
                            "birth_year": m[3], "course": course, "lesson": lesson,
                            "step": step, "answer": answer, "correct": correct, "week": week,
                            "answers": count})
            answers_per_commune[(m[0], course, lesson, step, answer, correct, week)] += count
    _upsert(AnswerRollup, answers, ["commune_id", "village_id", "course", "lesson", "step",
                                    "answer", "week", "gender", "birth_year"], ["answers"])
    _upsert(CommuneAnswerRollup, [
        {"commune_id": key[0], "course": key[1], "lesson": key[2], "step": key[3],
         "answer": key[4], "correct": key[5], "week": key[6], "answers": count}
        for key, count in answers_per_commune.items() if count],
        ["commune_id", "course", "lesson", "step", "answer", "week"], ["answers"])


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


def counted_answer(course, lesson, step, answer, correct, occurred_at) -> tuple | None:
    """(course, lesson, step, answer text, correct, week) of a quiz answer, else None."""
    kind = quiz_step_kind(course, lesson, step or 0)
    if kind is None:
        return None
    if kind == MULTIPLE and isinstance(answer, list):
        answer = sorted(answer)
    return (course, lesson, step, answer_key(answer), bool(correct), week_of(occurred_at))


def _lock(person_ids: Iterable[int]) -> list[int]:
    """Lock the people's rows (in id order): one worker at a time re-counts a person.
    FOR NO KEY UPDATE: it does not wait for the key-share locks that inserting a person's
    events and summaries takes, so it cannot deadlock with another batch of theirs."""
    ids = sorted(set(person_ids))
    if ids:
        db.session.execute(select(Person.id).where(Person.id.in_(ids)).order_by(Person.id)
                           .with_for_update(key_share=True))
    return ids


def refresh_people(person_ids: Iterable[int], changes: Changes,
                   removing: bool = False) -> None:
    """Count each person where their household and summaries say (see the module doc):
    the differences go into `changes`, the record of where they are counted is updated."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    members = {} if removing else _members_now(ids)
    counted = {row.person_id: (row.commune_id, row.village_id, row.gender, row.birth_year)
               for row in db.session.scalars(select(CountedMember)
                                             .where(CountedMember.person_id.in_(ids)))}
    wanted = _lessons_now([i for i in ids if i in members]) if members else {}
    have: dict[int, dict[tuple[str, str], Weeks]] = defaultdict(dict)
    for row in db.session.scalars(select(CountedLesson).where(CountedLesson.person_id.in_(ids))):
        have[row.person_id][(row.course, row.lesson)] = (row.started_week, row.completed_week)
    moved = [i for i in ids if counted.get(i) != members.get(i)]
    answers = _person_answers(moved) if moved else {}
    stale_lessons, new_lessons = [], []
    for person_id in ids:
        old_member, new_member = counted.get(person_id), members.get(person_id)
        old, new = have.get(person_id, {}), wanted.get(person_id, {}) if new_member else {}
        if old_member != new_member:
            for member, sign in ((old_member, -1), (new_member, 1)):
                if member is None:
                    continue
                changes.count_member(member, sign)
                for key, weeks in (old if sign < 0 else new).items():
                    changes.count_weeks(member, *key, weeks, sign)
                for answer in answers.get(person_id, ()):
                    changes.count_answer(member, *answer, sign)
        else:
            for key in old.keys() | new.keys():
                if old.get(key) != new.get(key):
                    if key in old:
                        changes.count_weeks(old_member, *key, old[key], -1)
                    if key in new:
                        changes.count_weeks(new_member, *key, new[key], 1)
        stale_lessons += [(person_id, *key) for key in old if old[key] != new.get(key)]
        new_lessons += [{"person_id": person_id, "course": key[0], "lesson": key[1],
                         "started_week": weeks[0], "completed_week": weeks[1]}
                        for key, weeks in new.items() if old.get(key) != weeks]
    if stale_lessons:
        db.session.execute(delete(CountedLesson).where(tuple_(
            CountedLesson.person_id, CountedLesson.course, CountedLesson.lesson
        ).in_(stale_lessons)))
    if new_lessons:
        db.session.execute(CountedLesson.__table__.insert(), new_lessons)
    if moved:
        db.session.execute(delete(CountedMember).where(CountedMember.person_id.in_(moved)))
        rows = [{"person_id": i, "commune_id": members[i][0], "village_id": members[i][1],
                 "gender": members[i][2], "birth_year": members[i][3]}
                for i in moved if i in members]
        if rows:
            db.session.execute(CountedMember.__table__.insert(), rows)


def progress_arrived(events: list[ProgressEvent]) -> None:
    """Re-count the people of newly stored events and add their quiz answers."""
    if not events:
        return
    ids = _lock(event.person_id for event in events)
    counted = {row.person_id: (row.commune_id, row.village_id, row.gender, row.birth_year)
               for row in db.session.scalars(select(CountedMember)
                                             .where(CountedMember.person_id.in_(ids)))}
    members = _members_now(list(counted))
    changes = Changes.empty()
    # A person counted where they belong gets the new answers added here; anyone else is
    # (re-)counted by the refresh with all their answers, the new ones included.
    for event in events:
        member = members.get(event.person_id)
        if event.type != EventType.ANSWER_SUBMITTED or member is None or (
                member != counted[event.person_id]):
            continue
        answer = counted_answer(event.course, event.lesson, event.step, event.answer,
                                event.correct, event.occurred_at)
        if answer:
            changes.count_answer(member, *answer, 1)
    refresh_people(ids, changes)
    apply_changes(changes)


def people_changed(person_ids: Iterable[int]) -> None:
    """After adding or editing household members: count them where they now belong."""
    changes = Changes.empty()
    refresh_people(_lock(person_ids), changes)
    apply_changes(changes)


def people_removed(person_ids: Iterable[int]) -> None:
    """Before deleting people: take them out of every rollup."""
    changes = Changes.empty()
    refresh_people(_lock(person_ids), changes, removing=True)
    apply_changes(changes)
