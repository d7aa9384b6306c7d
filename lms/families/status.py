"""Digital Family status: judged from the criteria file, stored per household, recomputed
in the same transaction as the change that can move it.

Who calls what (before their commit):
- `people_progressed(person_ids)`: learning.progress, after lessons were completed;
- `refresh_households(household_ids)`: guidance visits recorded or corrected (skills seen
  in person), members added, edited, (de)activated, households (de)activated or moved;
- `refresh_all()`: `flask --app lms cohorts refresh` (after the criteria file changed, and
  once a year: ages are counted in the current year).

A flip (reached or lost) adds a `DigitalFamilyChange` row dated in Vietnam's time, an audit
entry, and re-counts the household's members in the figures (`people_changed`), which
filter on the Digital Family cohort.
"""

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from .. import audit
from ..accounts.locking import lock_households
from ..accounts.models import Person
from ..ambassadors.models import VerifiedSkill
from ..content.catalog import catalog
from ..extensions import db
from ..learning.models import LessonProgress, Status
from ..models_common import utcnow
from ..places.models import Household
from ..stats.rollups import people_changed
from .criteria import ADULT, EVERY_MEMBER, Criteria, Rule, current_criteria
from .models import DigitalFamily, DigitalFamilyChange

VIETNAM = timezone(timedelta(hours=7))
CODE_PREFIX = "gd."  # "." never occurs in a course certificate's code (URL-safe base64)


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(VIETNAM).date()


# --- judging (pure: the same reading the tests compare against) --------------------------


@dataclass(frozen=True)
class MemberFacts:
    id: int
    name: str
    birth_year: int | None
    done: frozenset[str]  # the criteria's courses this person has done (online or in person)


@dataclass(frozen=True)
class Missing:
    """One thing still missing: `person` must finish `courses` (every_member), or one
    member aged `rule.min_age`+ must, `person` being the closest (None: nobody that age)."""

    rule: Rule
    person: MemberFacts | None
    courses: tuple[str, ...]


@dataclass(frozen=True)
class Judgement:
    reached: bool
    missing: tuple[Missing, ...] = field(default=())


def counts_for(member: MemberFacts, rule: Rule, year: int, unknown: str) -> bool:
    if member.birth_year is None:
        return unknown == ADULT
    return year - member.birth_year >= rule.min_age


def judge(criteria: Criteria, members: Iterable[MemberFacts], year: int,
          active: bool = True) -> Judgement:
    """Whether these (active) members meet the criteria in `year`, and what is missing."""
    members = sorted(members, key=lambda m: m.id)
    if not active:
        return Judgement(False)
    missing: list[Missing] = []
    for rule in criteria.rules:
        concerned = [m for m in members
                     if counts_for(m, rule, year, criteria.unknown_birth_year)]
        gaps = [(m, tuple(c for c in rule.courses if c not in m.done)) for m in concerned]
        if rule.who == EVERY_MEMBER:
            missing += [Missing(rule, m, left) for m, left in gaps if left]
        elif not any(not left for _m, left in gaps):
            closest = min(gaps, key=lambda gap: len(gap[1]), default=None)
            missing.append(Missing(rule, closest[0] if closest else None,
                                   closest[1] if closest else rule.courses))
    return Judgement(not missing, tuple(missing))


# --- facts from the database ---------------------------------------------------------------


def courses_done(person_ids: list[int], slugs: Iterable[str]) -> dict[int, set[str]]:
    """Per person, which of the courses they have done: every lesson completed (lesson
    summaries), or every skill of the course verified in person."""
    found = catalog()
    courses = {slug: found.course(slug) for slug in slugs}
    courses = {slug: course for slug, course in courses.items() if course is not None}
    done: dict[int, set[str]] = defaultdict(set)
    if not person_ids or not courses:
        return done
    lessons: dict[tuple[int, str], set[str]] = defaultdict(set)
    for person_id, course, lesson in db.session.execute(
            select(LessonProgress.person_id, LessonProgress.course, LessonProgress.lesson)
            .where(LessonProgress.person_id.in_(person_ids),
                   LessonProgress.course.in_(list(courses)),
                   LessonProgress.status == Status.COMPLETED)):
        lessons[(person_id, course)].add(lesson)
    skills: dict[tuple[int, str], set[str]] = defaultdict(set)
    for person_id, course, skill in db.session.execute(
            select(VerifiedSkill.person_id, VerifiedSkill.course, VerifiedSkill.skill)
            .where(VerifiedSkill.person_id.in_(person_ids),
                   VerifiedSkill.course.in_(list(courses)))):
        skills[(person_id, course)].add(skill)
    for person_id in person_ids:
        for slug, course in courses.items():
            all_lessons = {lesson.slug for lesson in course.lessons}
            all_skills = {skill.id for skill in course.skills}
            if (all_lessons and all_lessons <= lessons[(person_id, slug)]) or (
                    all_skills and all_skills <= skills[(person_id, slug)]):
                done[person_id].add(slug)
    return done


def household_facts(household_ids: list[int], criteria: Criteria
                    ) -> dict[int, list[MemberFacts]]:
    rows = db.session.execute(
        select(Person.id, Person.household_id, Person.name, Person.birth_year)
        .where(Person.household_id.in_(household_ids), Person.active.is_(True))
        .order_by(Person.id)).all() if household_ids else []
    done = courses_done([row.id for row in rows], criteria.courses)
    facts: dict[int, list[MemberFacts]] = defaultdict(list)
    for row in rows:
        facts[row.household_id].append(MemberFacts(row.id, row.name, row.birth_year,
                                                   frozenset(done.get(row.id, ()))))
    return facts


def judge_household(household: Household, now: datetime | None = None) -> Judgement | None:
    """The household judged now (for pages saying what is missing); None while the
    criteria file has a problem."""
    criteria = current_criteria()
    if criteria is None:
        return None
    facts = household_facts([household.id], criteria).get(household.id, [])
    return judge(criteria, facts, local_today(now).year, household.active)


# --- stored status -------------------------------------------------------------------------


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def _new_code() -> str:
    return CODE_PREFIX + secrets.token_urlsafe(12)


def refresh_households(household_ids: Iterable[int], now: datetime | None = None
                       ) -> list[tuple[int, bool]]:
    """Judge the households again and store what changed (the caller commits); returns
    the flips as (household id, reached now)."""
    ids = sorted({i for i in household_ids if i is not None})
    criteria = current_criteria()
    if not ids or criteria is None:
        return []
    now = now or utcnow()
    today = local_today(now)
    db.session.flush()
    lock_households(ids)  # the members first, then the status rows: see accounts.locking
    db.session.execute(_insert(DigitalFamily).on_conflict_do_nothing(
        index_elements=["household_id"]),
        [{"household_id": i, "reached": False, "checked_at": now} for i in ids])
    rows = {row.household_id: row for row in db.session.scalars(
        select(DigitalFamily).where(DigitalFamily.household_id.in_(ids))
        .order_by(DigitalFamily.household_id).with_for_update())}
    active = dict(db.session.execute(select(Household.id, Household.active)
                                     .where(Household.id.in_(ids))).all())
    facts = household_facts(ids, criteria)
    flips, moved_people = [], []
    for household_id in ids:
        row = rows[household_id]
        judgement = judge(criteria, facts.get(household_id, []), today.year,
                          bool(active.get(household_id)))
        row.checked_at = now
        if judgement.reached == row.reached:
            continue
        row.reached = judgement.reached
        row.since = today if judgement.reached else None
        if judgement.reached and row.certificate_code is None:
            row.certificate_code = _new_code()
        db.session.add(DigitalFamilyChange(household_id=household_id,
                                           reached=judgement.reached, on=today, at=now))
        audit.record("digital_family.reached" if judgement.reached else "digital_family.lost",
                     "household", household_id,
                     {"reached": [not judgement.reached, judgement.reached],
                      "on": today.isoformat()}, at=now)
        flips.append((household_id, judgement.reached))
        moved_people += [m.id for m in facts.get(household_id, [])]
    db.session.flush()
    if flips:
        # The figures filter on the Digital Family cohort: re-count its people.
        people_changed(moved_people + db.session.scalars(
            select(Person.id).where(Person.household_id.in_([h for h, _r in flips]),
                                    Person.active.is_(False))).all())
    return flips


def people_progressed(person_ids: Iterable[int], now: datetime | None = None) -> None:
    """After lessons were completed: judge the households of these people again."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    households = db.session.scalars(select(Person.household_id).where(
        Person.id.in_(ids), Person.household_id.is_not(None)).distinct()).all()
    refresh_households(households, now)


def refresh_all(batch: int = 500) -> tuple[int, int]:
    """Judge every household again; returns (households, flips). Commits per batch."""
    ids = db.session.scalars(select(Household.id).order_by(Household.id)).all()
    flips = 0
    for start in range(0, len(ids), batch):
        flips += len(refresh_households(ids[start:start + batch]))
        db.session.commit()
    return len(ids), flips


def statuses(household_ids: Iterable[int]) -> dict[int, DigitalFamily]:
    """The stored status of each household that has one (one query, for lists)."""
    ids = sorted(set(household_ids))
    if not ids:
        return {}
    return {row.household_id: row for row in db.session.scalars(
        select(DigitalFamily).where(DigitalFamily.household_id.in_(ids)))}


def history(household_id: int) -> list[DigitalFamilyChange]:
    return list(db.session.scalars(
        select(DigitalFamilyChange).where(DigitalFamilyChange.household_id == household_id)
        .order_by(DigitalFamilyChange.at, DigitalFamilyChange.id)))


def by_code(code: str) -> DigitalFamily | None:
    if not code.startswith(CODE_PREFIX):
        return None
    return db.session.scalar(select(DigitalFamily).where(
        DigitalFamily.certificate_code == code))
