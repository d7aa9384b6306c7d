"""Guidance visits: one path for the visit form, its corrections and POST /api/v1/visits.

A visit carries a client-made UUID, like a progress event: the phone that queued it
offline may send it again and again, and it is stored once (a replay is a duplicate).
Each verified skill is credited to its person, by that ambassador, on the visit's date.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from .. import audit
from ..accounts.models import Account, Person
from ..auth import visible_households
from ..batches import BatchResult, is_id, version4_uuid
from ..content.catalog import catalog
from ..extensions import db
from ..families.status import refresh_households
from ..models_common import nfc, utcnow
from ..places.models import Household
from ..stats.rollups import households_changed
from . import consent, needs_help
from .models import GuidanceVisit, VerifiedSkill, visit_present

MAX_BATCH = 100
NOTE_LENGTH = 500
CORRECTION_WINDOW = timedelta(days=7)
EARLIEST_VISIT = date(2024, 1, 1)
# Visits happen in Son La: "today" is Vietnam's date, not the server's.
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


class BadVisit(ValueError):
    """A visit refused with a translated reason; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def new_visit_id() -> str:
    return str(uuid.uuid4())


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TIME).date()


@dataclass(frozen=True)
class CheckedVisit:
    visit_uuid: str
    household: Household
    visited_on: date
    present: list[Person]
    practised: list[dict]
    verified: list[tuple[int, str, str]]
    note: str | None


def parse_uuid(value) -> str:
    parsed = version4_uuid(value)
    if parsed is None:
        raise BadVisit(_("id must be a UUID (version 4)."), "id")
    return parsed


def parse_date(value, today: date) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
    if day is None:
        raise BadVisit(_("date must be a day like 2026-03-25."), "visited_on")
    if day > today:
        raise BadVisit(_("The date of a visit cannot be in the future."), "visited_on")
    if day < EARLIEST_VISIT:
        raise BadVisit(_("This date is too long ago."), "visited_on")
    return day


def check_visit(raw: dict, households: dict[int, Household], today: date) -> CheckedVisit:
    """Validate one visit in the API's shape; BadVisit says what is wrong. `households` are
    the caller's: any other id is refused the same way, whether it exists or not."""
    if not isinstance(raw, dict):
        raise BadVisit(_("Each visit must be an object."))
    visit_uuid = parse_uuid(raw.get("id"))
    household_id = raw.get("household")
    household = households.get(household_id) if is_id(household_id) else None
    if household is None:
        raise BadVisit(_("Unknown household."), "household")
    visited_on = parse_date(raw.get("date"), today)
    members = {m.id: m for m in household.members if m.active}
    present_ids = raw.get("present")
    if not isinstance(present_ids, list) or not present_ids:
        raise BadVisit(_("Tick who was there."), "present")
    if not all(is_id(p) and p in members for p in present_ids):
        raise BadVisit(_("Someone ticked as there is not a member of this household."),
                       "present")
    courses = catalog().courses
    practised = []
    for item in raw.get("practised") or []:
        course = courses.get(item.get("course")) if isinstance(item, dict) else None
        if course is None or not isinstance(item.get("lesson"), str) or \
                course.lesson(item["lesson"]) is None:
            raise BadVisit(_("A lesson practised is not a lesson of Học Số."), "practised")
        entry = {"course": course.slug, "lesson": item["lesson"]}
        if entry not in practised:
            practised.append(entry)
    if not isinstance(raw.get("practised", []), list):
        raise BadVisit(_("A lesson practised is not a lesson of Học Số."), "practised")
    verified_raw = raw.get("verified") or []
    if not isinstance(verified_raw, list):
        raise BadVisit(_("A skill verified is not a skill of Học Số."), "verified")
    agreed = consent.consented_ids(list(members)) if verified_raw else set()
    verified = []
    for item in verified_raw:
        person = item.get("person") if isinstance(item, dict) else None
        course = courses.get(item.get("course")) if isinstance(item, dict) else None
        if not (is_id(person) and person in present_ids):
            raise BadVisit(_("A skill can only be verified for someone who was there."),
                           "verified")
        if course is None or item.get("skill") not in {s.id for s in course.skills}:
            raise BadVisit(_("A skill verified is not a skill of Học Số."), "verified")
        if person not in agreed:
            raise BadVisit(_("%(name)s has not given consent yet: record their consent "
                             "before their skills.", name=members[person].name), "verified")
        key = (person, course.slug, item["skill"])
        if key not in verified:
            verified.append(key)
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise BadVisit(_("The note must be text."), "note")
    note = nfc(note) or None
    if note and len(note) > NOTE_LENGTH:
        raise BadVisit(_("The note can have at most %(count)s characters.",
                         count=NOTE_LENGTH), "note")
    return CheckedVisit(visit_uuid=visit_uuid, household=household, visited_on=visited_on,
                        present=[members[p] for p in dict.fromkeys(present_ids)],
                        practised=practised, verified=verified, note=note)


def _insert_new(checked: CheckedVisit, ambassador_id: int, now: datetime) -> int | None:
    """Insert the visit unless its UUID is already stored; its id, or None for a replay.
    The unique UUID decides, so two workers given the same replay store it once."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)
    statement = (insert(GuidanceVisit.__table__).values(
        visit_uuid=checked.visit_uuid, ambassador_id=ambassador_id,
        household_id=checked.household.id, visited_on=checked.visited_on,
        practised=checked.practised, note=checked.note, created_at=now)
        .on_conflict_do_nothing(index_elements=["visit_uuid"])
        .returning(GuidanceVisit.__table__.c.id))
    return db.session.scalar(statement)


def _write_details(visit_id: int, checked: CheckedVisit, ambassador_id: int) -> None:
    db.session.execute(visit_present.insert(), [
        {"visit_id": visit_id, "person_id": person.id} for person in checked.present])
    if checked.verified:
        db.session.execute(VerifiedSkill.__table__.insert(), [
            {"visit_id": visit_id, "person_id": person, "course": course, "skill": skill,
             "verified_by_id": ambassador_id, "verified_on": checked.visited_on}
            for person, course, skill in checked.verified])


def _audit_fields(checked: CheckedVisit) -> dict:
    return {"household_id": checked.household.id,
            "visited_on": checked.visited_on.isoformat(),
            "present": [p.id for p in checked.present], "practised": checked.practised,
            "verified": [list(v) for v in checked.verified], "note": checked.note}


def ambassador_households(account: Account) -> dict[int, Household]:
    return {h.id: h for h in db.session.scalars(
        visible_households(account).where(Household.active.is_(True)))}


def record_visits(account: Account, raw_visits: list, now: datetime | None = None
                  ) -> BatchResult:
    """Validate and store a batch; commits before returning, so whatever it reports as
    accepted is on disk. Each visit is refused or stored on its own."""
    now = now or utcnow()
    today = local_today(now)
    households = ambassador_households(account)
    result, seen, touched, visited = BatchResult(), set(), set(), set()
    for raw in raw_visits:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        try:
            checked = check_visit(raw, households, today)
        except BadVisit as error:
            result.rejected.append({"id": raw_id, "error": str(error)})
            continue
        if checked.visit_uuid in seen:
            result.duplicates.append(raw_id)
            continue
        seen.add(checked.visit_uuid)
        visit_id = _insert_new(checked, account.id, now)
        if visit_id is None:
            result.duplicates.append(raw_id)
            continue
        _write_details(visit_id, checked, account.id)
        audit.record("visit.recorded", "household", checked.household.id,
                     {"visit_id": visit_id, **_audit_fields(checked)},
                     account_id=account.id, at=now)
        touched.update(p.id for p in checked.household.members)
        visited.add(checked.household.id)
        result.accepted.append(raw_id)
    needs_help.refresh(sorted(touched), now=now)
    refresh_households(visited, now=now)  # skills seen in person count for Digital Family
    households_changed(visited)  # visits, people guided, skills verified
    db.session.commit()
    return result


def correctable(visit: GuidanceVisit, account: Account, now: datetime | None = None) -> bool:
    """Only the ambassador who recorded a visit may correct it, for 7 days."""
    created = visit.created_at
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    return visit.ambassador_id == account.id and (now or utcnow()) - created <= \
        CORRECTION_WINDOW


def correct_visit(visit: GuidanceVisit, account: Account, raw: dict) -> dict:
    """Replace what a visit says (within the window); the old version stays in the audit."""
    households = ambassador_households(account)
    checked = check_visit({**raw, "id": visit.visit_uuid}, households, local_today())
    if checked.household.id != visit.household_id:
        raise BadVisit(_("Unknown household."), "household")
    before = {"visited_on": visit.visited_on.isoformat(),
              "present": [p.id for p in visit.present], "practised": visit.practised,
              "verified": [[v.person_id, v.course, v.skill] for v in visit.verified],
              "note": visit.note}
    after = {key: value for key, value in _audit_fields(checked).items() if key in before}
    changes = audit.differences(before, after)
    if not changes:
        return {}
    visit.visited_on, visit.practised, visit.note = (checked.visited_on, checked.practised,
                                                     checked.note)
    visit.corrected_at = utcnow()
    visit.verified.clear()
    db.session.execute(visit_present.delete().where(visit_present.c.visit_id == visit.id))
    db.session.flush()
    _write_details(visit.id, checked, account.id)
    audit.record("visit.corrected", "household", visit.household_id,
                 {"visit_id": visit.id, **changes})
    needs_help.refresh([m.id for m in visit.household.members])
    refresh_households([visit.household_id])
    households_changed([visit.household_id])
    db.session.commit()
    db.session.expire(visit)
    return changes


def household_visits(household_id: int, limit: int = 20) -> list[GuidanceVisit]:
    return list(db.session.scalars(
        select(GuidanceVisit).where(GuidanceVisit.household_id == household_id)
        .order_by(GuidanceVisit.visited_on.desc(), GuidanceVisit.id.desc()).limit(limit)))
