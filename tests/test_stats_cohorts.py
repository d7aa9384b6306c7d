"""Cohort filters, verified skills, Digital Families and ambassador activity: the rollups
kept up to date equal a brute-force count from the raw rows and a rebuild, whatever order
the writes come in (property-style: random seeds); small groups show "<5"; downloads with
a cohort filter equal the screen."""

import csv
import io
import random
import uuid
from collections import defaultdict
from datetime import date, timedelta

import openpyxl
import pytest
from flask import current_app
from sqlalchemy import delete, select

from lms.accounts.models import Gender, Person, Role, ambassador_assignment
from lms.ambassadors.models import GuidanceVisit, VerifiedSkill, visit_present
from lms.content.catalog import catalog
from lms.events.models import CommunityEvent, EventAttendance, EventKind
from lms.extensions import db
from lms.families.models import DigitalFamily
from lms.learning.progress import record_events
from lms.places.models import Household, Village
from lms.stats.figures import commune_figures
from lms.stats.filters import AGE_BANDS, Filters
from lms.stats.models import (
    CohortAnswerRollup,
    CohortPeopleRollup,
    CohortProgressRollup,
    CommuneFactRollup,
    CommuneHouseholdRollup,
    CountedCohort,
    CountedFact,
    CountedHouseholdFact,
    FactRollup,
    HouseholdRollup,
)
from lms.stats.rebuild import rebuild_rollups
from lms.stats.rollups import households_changed, people_changed, people_of_ambassadors_changed
from lms.stats.views import figures_json
from lms.teams.models import AmbassadorTeam, team_member

from .test_stats import downloaded_tables, screen_tables
from .test_stats_rollups import (
    NOW,
    brute_force,
    computed,
    expected,
    mask,
    random_events,
    rollup_rows,
)

SEEDS = range(4)
TODAY = NOW.date()


def new_rows() -> dict:
    found = rollup_rows()
    for model, counters in ((CohortPeopleRollup, ["people"]),
                            (CohortProgressRollup, ["started", "completed"]),
                            (CohortAnswerRollup, ["answers"]), (FactRollup, ["people"]),
                            (CommuneFactRollup, ["people"]), (HouseholdRollup, ["count"]),
                            (CommuneHouseholdRollup, ["count"])):
        keys = [c.name for c in model.__table__.columns if c.name not in counters + ["id"]]
        found[model.__tablename__] = {
            tuple(getattr(row, k) for k in keys): tuple(getattr(row, c) for c in counters)
            for row in db.session.scalars(select(model))
            if any(getattr(row, c) for c in counters)}
    for model in (CountedCohort, CountedFact, CountedHouseholdFact):
        keys = [c.name for c in model.__table__.columns]
        found[model.__tablename__] = {tuple(getattr(row, k) for k in keys)
                                      for row in db.session.scalars(select(model))}
    return found


# --- brute force from the raw rows ---------------------------------------------------------


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def household_cohorts(commune) -> dict[int, set[str]]:
    found = defaultdict(lambda: {""})
    households = db.session.execute(select(Household.id, Village.commune_id).join(Village))
    communes = dict(households.all())
    for family in db.session.scalars(select(DigitalFamily).where(DigitalFamily.reached)):
        found[family.household_id].add("digital_family")
    for account_id, household_id in db.session.execute(select(
            ambassador_assignment.c.account_id, ambassador_assignment.c.household_id)):
        for (team_id,) in db.session.execute(select(team_member.c.team_id).where(
                team_member.c.account_id == account_id)):
            if db.session.get(AmbassadorTeam, team_id).commune_id == communes[household_id]:
                found[household_id].add("ambassadors")
    for attendance in db.session.scalars(select(EventAttendance)):
        person = db.session.get(Person, attendance.person_id)
        if person.household_id:
            found[person.household_id].add(f"event:{attendance.event_id}")
    return found


def person_cohorts() -> dict[int, set[str]]:
    by_household = household_cohorts(None)
    found = defaultdict(lambda: {""})
    for person in db.session.scalars(select(Person).where(Person.household_id.is_not(None))):
        found[person.id] = {c for c in by_household[person.household_id]
                            if not c.startswith("event:")} | {""}
    for attendance in db.session.scalars(select(EventAttendance)):
        found[attendance.person_id].add(f"event:{attendance.event_id}")
    return found


def in_period(filters: Filters, week: date | None) -> bool:
    return week is not None and (not filters.first_week or week >= filters.first_week) and (
        not filters.last_week or week <= filters.last_week)


def brute_new_keys(commune, filters: Filters) -> dict:
    cohort = filters.cohort or ""
    year = filters.figure_date.year
    month = filters.figure_date.replace(day=1)
    cohorts = person_cohorts()
    people = {}
    for person, village_id in db.session.execute(
            select(Person, Household.village_id).join(Household).join(Village)
            .where(Village.commune_id == commune.id)):
        band = next((name for name, (low, high) in AGE_BANDS.items()
                     if person.birth_year and low <= year - person.birth_year <= high), None)
        gender = person.gender.value if person.gender else ""
        if cohort not in cohorts[person.id] or (
                filters.village and village_id != filters.village.id) or (
                filters.gender and gender != filters.gender) or (
                filters.age_band and band != filters.age_band):
            continue
        people[person.id] = bool(person.birth_year and year - person.birth_year >= 18)
    first_skill = {}
    for row in db.session.scalars(select(VerifiedSkill)):
        key = (row.person_id, row.course, row.skill)
        first_skill[key] = min(first_skill.get(key, row.verified_on), row.verified_on)
    skills = {}
    for course in catalog().for_track("villager"):
        if filters.course and course.slug != filters.course:
            continue
        for skill in course.skills:
            skills[(course.slug, skill.id)] = sum(
                1 for person, adult in people.items() if adult and in_period(
                    filters, monday(first_skill[(person, course.slug, skill.id)])
                    if (person, course.slug, skill.id) in first_skill else None))
    present = defaultdict(list)
    for person_id, visited_on in db.session.execute(
            select(visit_present.c.person_id, GuidanceVisit.visited_on).join(GuidanceVisit)):
        present[person_id].append(visited_on)
    guided = sum(1 for p in people if present[p] and in_period(filters, monday(min(present[p]))))
    guided_month = sum(1 for p in people if any(d.replace(day=1) == month for d in present[p]))
    found = {"skills": skills, "adults": sum(people.values()), "guided": guided,
             "guided_month": guided_month}
    if filters.gender or filters.age_band:
        return {**found, "families": None, "visits": None, "reached": None,
                "visits_month": None, "reached_month": None}
    by_household = household_cohorts(commune)
    households = [h for h in db.session.scalars(select(Household).join(Village).where(
        Village.commune_id == commune.id)) if cohort in by_household[h.id] and (
        not filters.village or h.village_id == filters.village.id)]
    visits = defaultdict(list)
    for visit in db.session.scalars(select(GuidanceVisit)):
        visits[visit.household_id].append(visit.visited_on)
    families = {f.household_id: f for f in db.session.scalars(
        select(DigitalFamily).where(DigitalFamily.reached))}
    return {**found,
            "families": sum(1 for h in households if h.id in families and in_period(
                filters, monday(families[h.id].since))),
            "visits": sum(1 for h in households for d in visits[h.id]
                          if in_period(filters, monday(d))),
            "reached": sum(1 for h in households if visits[h.id] and in_period(
                filters, monday(min(visits[h.id])))),
            "visits_month": sum(1 for h in households for d in visits[h.id]
                                if d.replace(day=1) == month),
            "reached_month": sum(1 for h in households
                                 if any(d.replace(day=1) == month for d in visits[h.id]))}


def computed_new_keys(figures) -> dict:
    return {"skills": {(s["course"], s["skill"]): s["verified"] for s in figures.skills},
            "adults": figures.skills[0]["adults"] if figures.skills else 0,
            "guided": figures.ambassadors["people_guided"],
            "guided_month": figures.ambassadors_month["people_guided"],
            "families": figures.digital_families, "visits": figures.ambassadors["visits"],
            "reached": figures.ambassadors["households_reached"],
            "visits_month": figures.ambassadors_month["visits"],
            "reached_month": figures.ambassadors_month["households_reached"]}


def cohort_people(cohort: str) -> set[int]:
    return {person for person, cohorts in person_cohorts().items() if cohort in cohorts}


def check_all(chance, commune, villages, events) -> None:
    cohorts = [None, "digital_family", "ambassadors", *(f"event:{e.id}" for e in events)]
    start = TODAY - timedelta(days=chance.randint(20, 120))
    choices = [Filters(), *(Filters(cohort=c) for c in cohorts[1:])]
    for _ in range(5):
        choices.append(Filters(
            village=chance.choice([None, *villages]),
            course=chance.choice([None, *[c.slug for c in catalog().for_track("villager")]]),
            gender=chance.choice([None, None, "female", "male"]),
            age_band=chance.choice([None, None, *AGE_BANDS]), cohort=chance.choice(cohorts),
            start=chance.choice([None, start]),
            end=chance.choice([None, start + timedelta(days=chance.randint(0, 100))])))
    for filters in choices:
        figures = commune_figures(commune, filters)
        only = cohort_people(filters.cohort) if filters.cohort else None
        assert computed(figures) == expected(brute_force(commune, filters, only),
                                             figures), filters
        brute = brute_new_keys(commune, filters)
        assert computed_new_keys(figures) == brute, filters
        with current_app.test_request_context("/"):
            shown = figures_json(figures)
        assert [s["verified"] for s in shown["skills"]] == [
            mask(brute["skills"][(s["course"], s["skill"])]) for s in shown["skills"]]
        adults = brute["adults"]
        for skill in shown["skills"]:
            count = brute["skills"][(skill["course"], skill["skill"])]
            assert skill["share"] == ("<5" if 0 < count < 5 or 0 < adults < 5 else (
                round(100 * count / adults) if adults else 0))
        assert shown["digital_families"] == (None if brute["families"] is None
                                             else mask(brute["families"]))
        assert shown["ambassadors"]["people_guided"] == mask(brute["guided"])
        assert shown["ambassadors"]["visits"] == (None if brute["visits"] is None
                                                  else mask(brute["visits"]))


# --- the writes, in any order --------------------------------------------------------------


def add_visit(chance, household: Household, ambassador_id: int) -> None:
    day = TODAY - timedelta(days=chance.randint(0, 100))
    visit = GuidanceVisit(visit_uuid=str(uuid.uuid4()), ambassador_id=ambassador_id,
                          household_id=household.id, visited_on=day, practised=[])
    db.session.add(visit)
    db.session.flush()
    members = list(household.members)
    present = chance.sample(members, chance.randint(0, len(members)))
    if present:
        db.session.execute(visit_present.insert(), [{"visit_id": visit.id, "person_id": p.id}
                                                    for p in present])
    courses = [c for c in catalog().for_track("villager") if c.skills]
    for person in present:
        if chance.random() < 0.7:
            course = chance.choice(courses)
            db.session.add(VerifiedSkill(visit_id=visit.id, person_id=person.id,
                                         course=course.slug,
                                         skill=chance.choice(course.skills).id,
                                         verified_on=day))
    db.session.flush()
    households_changed([household.id])


def flip_family(chance, household: Household) -> None:
    family = db.session.get(DigitalFamily, household.id)
    if family is None:
        family = DigitalFamily(household_id=household.id)
        db.session.add(family)
    family.reached = not family.reached
    family.since = TODAY - timedelta(days=chance.randint(0, 150)) if family.reached else None
    db.session.flush()
    people_changed([m.id for m in household.members])


def toggle_attendance(chance, event, person_ids: list[int]) -> None:
    person = chance.choice(person_ids)
    found = db.session.scalar(select(EventAttendance).where(
        EventAttendance.event_id == event.id, EventAttendance.person_id == person))
    if found:
        db.session.delete(found)
    else:
        db.session.add(EventAttendance(attendance_uuid=str(uuid.uuid4()), event_id=event.id,
                                       person_id=person))
    db.session.flush()
    people_changed([person])


def toggle_team(chance, teams, ambassadors) -> None:
    team, ambassador = chance.choice(teams), chance.choice(ambassadors)
    removed = db.session.execute(delete(team_member).where(
        team_member.c.team_id == team.id, team_member.c.account_id == ambassador.id))
    if not removed.rowcount:
        db.session.execute(team_member.insert().values(team_id=team.id,
                                                       account_id=ambassador.id))
    people_of_ambassadors_changed([ambassador.id])


def toggle_assignment(chance, households, ambassadors) -> None:
    household, ambassador = chance.choice(households), chance.choice(ambassadors)
    removed = db.session.execute(delete(ambassador_assignment).where(
        ambassador_assignment.c.household_id == household.id,
        ambassador_assignment.c.account_id == ambassador.id))
    if not removed.rowcount:
        db.session.execute(ambassador_assignment.insert().values(
            household_id=household.id, account_id=ambassador.id))
    households_changed([household.id])


def move_person(chance, households, person_ids) -> None:
    person = db.session.get(Person, chance.choice(person_ids))
    old = person.household_id
    person.household_id = chance.choice(households).id
    person.gender = chance.choice([None, *Gender])
    person.birth_year = chance.choice([None, 1950, 1990, 2012])
    db.session.flush()
    people_changed([person.id])
    households_changed([old])


@pytest.mark.parametrize("seed", SEEDS)
def test_cohorts_skills_visits_and_families_equal_a_brute_force_count_and_a_rebuild(
        seed, make_commune, make_village, make_household, make_staff):
    chance = random.Random(seed)
    commune, away = make_commune("Chiềng Mung"), make_commune("Mường Bon")
    villages = [make_village(commune, f"Bản {n}") for n in range(3)]
    households = [make_household(chance.choice(villages), f"Hộ {n}",
                                 members=chance.randint(1, 4)) for n in range(7)]
    far = make_household(make_village(away, "Bản Hẹo"), "Hộ xa", members=2)
    for person in db.session.scalars(select(Person).where(Person.household_id.is_not(None))):
        person.gender = chance.choice([None, *Gender])
        person.birth_year = chance.choice([None, *range(1940, 2020)])
    people_changed(db.session.scalars(select(Person.id)).all())
    db.session.commit()
    ambassadors = [make_staff(Role.AMBASSADOR, f"091100002{n}", commune,
                              chance.sample(households, 2)) for n in range(3)]
    recorder = make_staff(Role.AMBASSADOR, "0911000019", commune, households)
    teams = [AmbassadorTeam(commune_id=commune.id, name="Đội 1"),
             AmbassadorTeam(commune_id=away.id, name="Đội xa")]
    events = [CommunityEvent(commune_id=commune.id, title=f"Lớp {n}", kind=EventKind.CLASS,
                             held_on=TODAY - timedelta(days=n * 9)) for n in range(2)]
    db.session.add_all([*teams, *events])
    db.session.commit()
    person_ids = [m.id for h in households for m in h.members]
    everyone = [*households, far]

    writes = []
    progress = random_events(chance, person_ids)
    chance.shuffle(progress)
    while progress:
        batch = [progress.pop() for _ in range(min(len(progress), chance.randint(10, 80)))]
        writes.append(lambda batch=batch: record_events(recorder, batch))
    writes += [lambda: add_visit(chance, chance.choice(households), ambassadors[0].id)
               for _ in range(10)]
    writes += [lambda: flip_family(chance, chance.choice(everyone)) for _ in range(8)]
    writes += [lambda: toggle_attendance(chance, chance.choice(events), person_ids)
               for _ in range(12)]
    writes += [lambda: toggle_team(chance, teams, ambassadors) for _ in range(5)]
    writes += [lambda: toggle_assignment(chance, everyone, ambassadors) for _ in range(5)]
    writes += [lambda: move_person(chance, everyone, person_ids) for _ in range(3)]
    chance.shuffle(writes)
    for write in writes:
        write()
        db.session.commit()
    check_all(chance, commune, villages, events)
    kept_up = new_rows()
    rebuild_rollups()
    assert new_rows() == kept_up
    check_all(chance, commune, villages, events)


# --- through the API and the downloads -----------------------------------------------------


@pytest.fixture
def cohort_world(world):
    event = CommunityEvent(commune_id=world["home"].id, title="Ngày học số",
                           kind=EventKind.LEARNING_DAY, held_on=TODAY)
    far_event = CommunityEvent(commune_id=world["away"].id, title="Lớp xa",
                               kind=EventKind.CLASS, held_on=TODAY)
    db.session.add_all([event, far_event])
    db.session.flush()
    people = [m.id for m in world["mine"].members]
    for person in people[:2]:
        db.session.add(EventAttendance(attendance_uuid=str(uuid.uuid4()), event_id=event.id,
                                       person_id=person))
    db.session.add(DigitalFamily(household_id=world["mine"].id, reached=True, since=TODAY))
    db.session.flush()
    people_changed(people)
    db.session.commit()
    return {**world, "event": event, "far_event": far_event}


def test_cohort_values_are_checked_and_small_groups_hidden(signed_in, cohort_world):
    official = signed_in("official")
    url = f"/api/v1/stats/communes/{cohort_world['home'].id}"
    for bad in ("cohort=teams", "cohort=event:", f"cohort=event:{cohort_world['far_event'].id}",
                "cohort=event:999999", "cohort=digital_family&cohort=ambassadors",
                "cohort=event:99999999999999"):
        answer = official.get(f"{url}?{bad}")
        assert answer.status_code == 400, bad
        assert answer.get_json()["error"], bad
    assert official.get(f"/official/communes/{cohort_world['home'].id}?cohort=x"
                        ).status_code == 400
    families = official.get(f"{url}?cohort=digital_family").get_json()
    assert families["people"] == "<5" and families["digital_families"] == "<5"
    at_event = official.get(f"{url}?cohort=event:{cohort_world['event'].id}").get_json()
    assert at_event["people"] == "<5" and at_event["filters"]["cohort"] == (
        f"event:{cohort_world['event'].id}")
    assert at_event["ambassadors"] == {"visits": 0, "households_reached": 0,
                                       "people_guided": 0}
    team = official.get(f"{url}?cohort=ambassadors").get_json()
    assert team["people"] == 0
    women = official.get(f"{url}?gender=female").get_json()
    assert women["digital_families"] is None and women["ambassadors"]["visits"] is None
    province = signed_in("admin").get("/api/v1/stats/province").get_json()
    assert {c["name"]: c["digital_families"] for c in province["communes"]} == {
        "Chiềng Mung": "<5", "Mường Bon": 0}
    assert signed_in("admin").get("/api/v1/stats/province?cohort=ambassadors"
                                  ).status_code == 400


def test_downloads_with_a_cohort_equal_the_screen(signed_in, cohort_world):
    official = signed_in("official")
    commune_id = cohort_world["home"].id
    for query in ("cohort=digital_family", f"cohort=event:{cohort_world['event'].id}",
                  "cohort=ambassadors&gender=female"):
        page = official.get(f"/official/communes/{commune_id}?{query}")
        assert page.status_code == 200
        screen = screen_tables(page.get_data(as_text=True))
        assert {"skills", "ambassadors"} <= set(screen)
        base = f"/official/communes/{commune_id}?{query}"
        rows = list(csv.reader(io.StringIO(official.get(base + "&format=csv").get_data(
            as_text=True).lstrip("\ufeff"))))
        from_csv = downloaded_tables([[int(c) if c.isdigit() else c for c in row]
                                      for row in rows])
        book = openpyxl.load_workbook(io.BytesIO(official.get(base + "&format=xlsx").data))
        from_xlsx = downloaded_tables([list(row) for row in book.active.iter_rows(
            values_only=True)])
        for key in ("villages", "courses", "genders", "ages", "weeks", "skills",
                    "ambassadors"):
            assert from_csv[key] == screen[key], (query, key)
            assert from_xlsx[key] == screen[key], (query, key)
        assert any(row and row[0] == "Nhóm" for row in rows), "the cohort is named"
        report = official.get(f"/official/communes/{commune_id}/report?{query}")
        assert report.status_code == 200 and "Nhóm" in report.get_data(as_text=True)


def test_the_write_paths_keep_the_figures_up_to_date(app, world):
    """A visit recorded by an ambassador, and a household given to a team's ambassador,
    show in the figures at once (through the write paths, not a rebuild)."""
    from lms.admin.staff import assign, unassign
    from lms.ambassadors.visits import record_visits

    from .ambassador_helpers import consent_all, visit

    ambassador, mine, theirs = world["ambassador"], world["mine"], world["theirs"]
    consent_all(mine, ambassador)
    db.session.commit()
    result = record_visits(ambassador, [visit(mine)])
    assert result.accepted and not result.rejected
    figures = commune_figures(world["home"], Filters())
    assert figures.ambassadors["visits"] == 1 and figures.ambassadors_month["visits"] == 1
    assert figures.ambassadors["households_reached"] == 1
    assert figures.ambassadors["people_guided"] == 2
    verified = {(s["course"], s["skill"]): s["verified"] for s in figures.skills}
    assert verified[("public-services", "vneid-level2-activated")] == 1
    team = AmbassadorTeam(commune_id=world["home"].id, name="Đội Bản Mé")
    db.session.add(team)
    db.session.flush()
    db.session.execute(team_member.insert().values(team_id=team.id, account_id=ambassador.id))
    people_of_ambassadors_changed([ambassador.id])
    db.session.commit()
    assert commune_figures(world["home"], Filters(cohort="ambassadors")).people == 3
    assign(ambassador, [theirs])
    db.session.commit()
    assert commune_figures(world["home"], Filters(cohort="ambassadors")).people == 5
    unassign(ambassador, mine)
    db.session.commit()
    team_figures = commune_figures(world["home"], Filters(cohort="ambassadors"))
    assert team_figures.people == 2 and team_figures.ambassadors["visits"] == 0
    kept_up = new_rows()
    rebuild_rollups()
    assert new_rows() == kept_up
