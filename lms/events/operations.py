"""Community classes and events: who may see, run and mark them, and the one path that
stores attendance for the form, the walk-in and POST /api/v1/events/<id>/attendance.

An attendance mark carries a client-made UUID like a guidance visit: a phone that queued it
offline may send it again and again and it is stored once. A person is present once: a
second mark for them is a duplicate, whatever its UUID.
"""

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, false, func, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import audit
from ..accounts.models import Account, Gender, Person, Role, ambassador_assignment
from ..auth import visible_households
from ..batches import BatchResult, is_id, version4_uuid
from ..content.catalog import catalog
from ..extensions import db
from ..learning.models import LessonProgress
from ..models_common import utcnow
from ..places.models import Household, Village
from ..stats.rollups import people_changed
from .models import CommunityEvent, EventAttendance, EventKind

MAX_BATCH = 100
EARLIEST_EVENT = date(2024, 1, 1)
LATEST_AHEAD = timedelta(days=366)
SEARCH_LIMIT = 20
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
EVENT_FIELDS = ("title", "kind", "held_on", "place", "village_id", "courses")
PERSON_FIELDS = ("name", "gender", "birth_year", "active")


class BadAttendance(ValueError):
    """A mark refused with a translated reason."""


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TIME).date()


def new_mark_id() -> str:
    return str(uuid.uuid4())


# --- scope -------------------------------------------------------------------------------


def visible_events(account: Account) -> Select:
    """Events the account may see: those of its own commune (an admin: every commune)."""
    query = select(CommunityEvent)
    if account.role == Role.ADMIN:
        return query
    if account.role in (Role.AMBASSADOR, Role.OFFICIAL) and account.commune_id:
        return query.where(CommunityEvent.commune_id == account.commune_id)
    return query.where(false())


def runs(account: Account, event: CommunityEvent) -> bool:
    """The event's creator, or an official of its commune, runs it: edits it and may mark
    anyone of the commune present."""
    if account.commune_id != event.commune_id:
        return False
    return account.role == Role.OFFICIAL or (
        account.role == Role.AMBASSADOR and event.created_by_id == account.id)


def markable_households(account: Account, event: CommunityEvent) -> Select:
    """Households whose members the account may mark present at the event: every active
    household of the commune for whoever runs it, else the ambassador's own."""
    if runs(account, event):
        query = select(Household).join(Village).where(Village.commune_id == event.commune_id)
    elif account.role == Role.AMBASSADOR and account.commune_id == event.commune_id:
        query = visible_households(account).join(Village).where(
            Village.commune_id == event.commune_id)
    else:
        return select(Household).where(false())
    return query.where(Household.active.is_(True))


def markable_people(account: Account, event: CommunityEvent) -> Select:
    households = markable_households(account, event).with_only_columns(Household.id)
    return select(Person).where(Person.household_id.in_(households),
                                Person.active.is_(True))


def folded(text: str) -> str:
    """A name as one types it on a phone without marks: "Lò Thị Ơn" → "lo thi on"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    village: str
    birth_year: int | None


def reachable_rows(account: Account, event: CommunityEvent) -> list[tuple]:
    """(id, name, village name, birth year) of everyone the account may mark."""
    return db.session.execute(
        markable_people(account, event).join(Household, Person.household_id == Household.id)
        .join(Village, Household.village_id == Village.id)
        .with_only_columns(Person.id, Person.name, Village.name, Person.birth_year)
        .order_by(Person.name, Person.id)).all()


def search_people(account: Account, event: CommunityEvent, words: str,
                  limit: int = SEARCH_LIMIT) -> list[Candidate]:
    """People in the account's reach whose name holds every word typed, marks or not."""
    wanted = folded(words).split()
    if not wanted:
        return []
    found = []
    for person_id, name, village, birth_year in reachable_rows(account, event):
        name_words = folded(name).split()
        if all(any(word.startswith(w) for word in name_words) for w in wanted):
            found.append(Candidate(person_id, name, village, birth_year))
            if len(found) >= limit:
                break
    return found


def present_ids(event: CommunityEvent) -> set[int]:
    return set(db.session.scalars(select(EventAttendance.person_id).where(
        EventAttendance.event_id == event.id)))


# --- events ------------------------------------------------------------------------------


def villager_courses() -> dict:
    return {course.slug: course for course in catalog().for_track("villager")}


def check_event_fields(fields: dict, account: Account, today: date) -> dict:
    """The fields of an event, checked; BadAttendance says what is wrong (the form checks
    the same first and shows it by its field)."""
    held_on = fields["held_on"]
    if held_on < EARLIEST_EVENT:
        raise BadAttendance(_("This date is too long ago."))
    if held_on > today + LATEST_AHEAD:
        raise BadAttendance(_("An event can be planned at most a year ahead."))
    courses = villager_courses()
    if any(slug not in courses for slug in fields["courses"]):
        raise BadAttendance(_("A course chosen is not a villager course of Học Số."))
    return {**fields, "kind": EventKind(fields["kind"]),
            "courses": [slug for slug in courses if slug in fields["courses"]]}


def create_event(account: Account, fields: dict) -> CommunityEvent:
    event = CommunityEvent(commune_id=account.commune_id, created_by_id=account.id,
                           **check_event_fields(fields, account, local_today()))
    db.session.add(event)
    db.session.flush()
    audit.record("event.created", "community_event", event.id,
                 audit.snapshot(event, EVENT_FIELDS))
    db.session.commit()
    return event


def update_event(event: CommunityEvent, account: Account, fields: dict) -> dict:
    checked = check_event_fields(fields, account, local_today())
    before = audit.snapshot(event, EVENT_FIELDS)
    for name, value in checked.items():
        setattr(event, name, value)
    changes = audit.differences(before, audit.snapshot(event, EVENT_FIELDS))
    if changes:
        audit.record("event.changed", "community_event", event.id, changes)
        # Its attendees' figures are filtered by event: keep them where they belong.
        people_changed(sorted(present_ids(event)))
    db.session.commit()
    return changes


# --- attendance --------------------------------------------------------------------------


def parse_uuid(value) -> str:
    parsed = version4_uuid(value)
    if parsed is None:
        raise BadAttendance(_("id must be a UUID (version 4)."))
    return parsed


def can_mark_now(event: CommunityEvent, today: date) -> bool:
    return event.held_on <= today


def _insert_new(event: CommunityEvent, mark_uuid: str, person_id: int, account: Account,
                now: datetime) -> int | None:
    """Insert the mark unless its UUID or the person's presence is already stored; its id,
    or None. The unique keys decide, so two workers given the same replay store it once."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(EventAttendance.__table__).values(
        attendance_uuid=mark_uuid, event_id=event.id, person_id=person_id,
        marked_by_id=account.id, marked_at=now)
        .on_conflict_do_nothing().returning(EventAttendance.__table__.c.id))
    return db.session.scalar(statement)


def record_attendance(account: Account, event: CommunityEvent, items: list,
                      now: datetime | None = None, commit: bool = True) -> BatchResult:
    """Validate and store a batch of marks; with `commit`, whatever it reports as accepted
    is on disk when it returns. Each mark is refused or stored on its own."""
    now = now or utcnow()
    result, seen, touched = BatchResult(), set(), []
    if not can_mark_now(event, local_today(now)):
        for raw in items:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            result.rejected.append({"id": raw_id, "error": _(
                "Attendance can be marked from the day of the event.")})
        return result
    allowed = set(db.session.scalars(
        markable_people(account, event).with_only_columns(Person.id)))
    present = present_ids(event)
    for raw in items:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        try:
            if not isinstance(raw, dict):
                raise BadAttendance(_("Each mark must be an object."))
            mark_uuid = parse_uuid(raw_id)
            person_id = raw.get("person")
            if not (is_id(person_id) and person_id in allowed):
                # Outside the caller's reach or not there at all: the same answer.
                raise BadAttendance(_("You cannot mark this person present at this event."))
        except BadAttendance as error:
            result.rejected.append({"id": raw_id, "error": str(error)})
            continue
        if mark_uuid in seen or person_id in present:
            result.duplicates.append(raw_id)
            continue
        seen.add(mark_uuid)
        mark_id = _insert_new(event, mark_uuid, person_id, account, now)
        if mark_id is None:
            result.duplicates.append(raw_id)
            continue
        present.add(person_id)
        audit.record("event.attendance_added", "community_event", event.id,
                     {"attendance_id": mark_id, "person_id": person_id,
                      "attendance_uuid": mark_uuid}, account_id=account.id, at=now)
        touched.append(person_id)
        result.accepted.append(raw_id)
    if touched:
        people_changed(touched)  # figures filter on event attendees
    if commit:
        db.session.commit()
    return result


def remove_attendance(account: Account, mark: EventAttendance) -> None:
    person_id, event_id = mark.person_id, mark.event_id
    audit.record("event.attendance_removed", "community_event", event_id,
                 {"attendance_id": mark.id, "person_id": person_id,
                  "attendance_uuid": mark.attendance_uuid}, account_id=account.id)
    db.session.delete(mark)
    db.session.flush()
    people_changed([person_id])
    db.session.commit()


def add_walk_in(account: Account, event: CommunityEvent, *, name: str, gender: str,
                birth_year: int | None, village: Village, household: Household | None
                ) -> tuple[Person, BatchResult]:
    """Someone who came without being registered: a new member of a household in reach, or
    of a new household in their village named after them (so the village counts them),
    marked present in the same transaction."""
    if household is None:
        household = Household(village_id=village.id, name=name, active=True)
        db.session.add(household)
        db.session.flush()
        if account.role == Role.AMBASSADOR:
            db.session.execute(ambassador_assignment.insert().values(
                account_id=account.id, household_id=household.id))
        audit.record("household.registered", "household", household.id,
                     {"name": name, "village_id": village.id, "active": True,
                      "event_id": event.id})
    person = Person(household_id=household.id, name=name, gender=Gender(gender),
                    birth_year=birth_year, active=True)
    db.session.add(person)
    db.session.flush()
    audit.record("person.added", "person", person.id,
                 {**audit.snapshot(person, PERSON_FIELDS), "household_id": household.id,
                  "event_id": event.id})
    result = record_attendance(account, event, [{"id": new_mark_id(), "person": person.id}],
                               commit=False)
    if not result.accepted:
        db.session.rollback()
        raise BadAttendance(result.rejected[0]["error"] if result.rejected else
                            _("You cannot mark this person present at this event."))
    people_changed([person.id])
    db.session.commit()
    return person, result


# --- progress before and after -----------------------------------------------------------


@dataclass
class CourseProgress:
    slug: str
    lessons: int
    people: int
    before: int  # lessons completed by the attendees before the event's day
    now: int
    finished_before: int  # attendees who had completed every lesson
    finished_now: int

    def share(self, done: int) -> int:
        total = self.lessons * self.people
        return round(100 * done / total) if total else 0


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIME)


def progress_before_after(event: CommunityEvent, person_ids: list[int]
                          ) -> tuple[list[CourseProgress], dict[tuple[int, str], tuple]]:
    """Per course of the event: lessons its attendees had completed by the day before the
    event and now; and per (person, course) the pair (before, now)."""
    courses = villager_courses()
    slugs = [slug for slug in event.courses if slug in courses]
    per_person: dict[tuple[int, str], tuple[int, int]] = {}
    if slugs and person_ids:
        start = day_start(event.held_on)
        lesson_slugs = {slug: {lesson.slug for lesson in courses[slug].lessons}
                        for slug in slugs}
        rows = db.session.execute(
            select(LessonProgress.person_id, LessonProgress.course, LessonProgress.lesson,
                   LessonProgress.completed_at)
            .where(LessonProgress.person_id.in_(person_ids),
                   LessonProgress.course.in_(slugs),
                   LessonProgress.completed_at.is_not(None))).all()
        for person_id, course, lesson, completed_at in rows:
            if lesson not in lesson_slugs[course]:
                continue
            if completed_at.tzinfo is None:
                completed_at = completed_at.replace(tzinfo=ZoneInfo("UTC"))
            before, after = per_person.get((person_id, course), (0, 0))
            per_person[(person_id, course)] = (before + (completed_at < start), after + 1)
    summary = []
    for slug in slugs:
        lessons = len(courses[slug].lessons)
        pairs = [per_person.get((p, slug), (0, 0)) for p in person_ids]
        summary.append(CourseProgress(
            slug=slug, lessons=lessons, people=len(person_ids),
            before=sum(b for b, _a in pairs), now=sum(a for _b, a in pairs),
            finished_before=sum(1 for b, _a in pairs if lessons and b >= lessons),
            finished_now=sum(1 for _b, a in pairs if lessons and a >= lessons)))
    return summary, per_person


def attendee_counts(event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    return dict(db.session.execute(
        select(EventAttendance.event_id, func.count(EventAttendance.id))
        .where(EventAttendance.event_id.in_(event_ids))
        .group_by(EventAttendance.event_id)).all())
