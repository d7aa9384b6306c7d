"""One person's data: everything kept about them, exported (JSON and CSV) or erased.

Every table that holds something about a person is listed in `PERSONAL_TABLES` with how
it is exported and how it is erased; a test walks the database schema and fails for a
table with a person column that is missing here, so that a new table cannot forget it.

Erasing keeps the commune figures consistent by de-identifying rather than removing:
the person row stays as an anonymous stand-in with only what the statistics count
(gender, birth year, and the household that places them in a village), and their lesson
summaries and progress events stay with it, so that totals per village, gender, age band
and lesson are unchanged and `progress rebuild` still gives the same summaries. What
identifies them goes: name, phone, their own account's phone, name and secret (the
account is deactivated and signed out everywhere, its second factor removed), consent
records with any ethnicity, certificates (their code shows the first name publicly),
the answers inside their progress events, and their name inside audit entries. A
household named after them is renamed to its number.
"""

import csv
import io
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update

from .. import audit
from ..accounts import second_factor
from ..accounts.models import Account, Person, ambassador_assignment
from ..accounts.sessions import end_all_sessions
from ..ambassadors.models import Consent, NeedsHelp, VerifiedSkill, visit_present
from ..audit import AuditEntry
from ..events.models import EventAttendance
from ..extensions import db
from ..learning.models import Certificate, LessonProgress, ProgressEvent
from ..narration.models import Recording
from ..narration.operations import forget_recordings
from ..spreadsheets import neutralise_cell
from ..stats.models import CountedCohort, CountedFact, CountedLesson, CountedMember
from ..stats.rollups import households_changed
from ..teams.models import team_member
from ..translating.models import LanguageGrant, SavedTranslation

ANONYMOUS_NAME = "—"


def _value(value):
    return value if isinstance(value, dict) else audit._json_value(value)


def _rows(model, *where) -> list[dict]:
    columns = [c.name for c in model.__table__.columns]
    return [{name: _value(getattr(row, name)) for name in columns}
            for row in db.session.scalars(select(model).where(*where).order_by(model.id))]


def _account(person: Person) -> Account | None:
    return db.session.scalar(select(Account).where(Account.person_id == person.id))


# --- export ----------------------------------------------------------------------------------


def _export_person(person: Person) -> list[dict]:
    return _rows(Person, Person.id == person.id)


def _export_household(person: Person) -> list[dict]:
    household = person.household
    if household is None:
        return []
    return [{"id": household.id, "name": household.name, "address_note": household.address_note,
             "phone": household.phone, "village": household.village.name,
             "commune": household.village.commune.name}]


def _export_account(person: Person) -> list[dict]:
    account = _account(person)
    if account is None:
        return []
    row = {name: audit._json_value(getattr(account, name)) for name in (
        "id", "phone", "name", "role", "commune_id", "locale", "active", "created_at",
        "last_sign_in_at")}
    row["second_factor"] = second_factor.is_enabled(account)
    row["assigned_households"] = sorted(db.session.scalars(select(
        ambassador_assignment.c.household_id).where(
        ambassador_assignment.c.account_id == account.id)))
    row["languages"] = [{"language": grant.language, "may_review": grant.may_review}
                        for grant in db.session.scalars(select(LanguageGrant).where(
                            LanguageGrant.account_id == account.id).order_by(LanguageGrant.id))]
    row["teams"] = sorted(db.session.scalars(select(team_member.c.team_id).where(
        team_member.c.account_id == account.id)))
    return [row]


def _export_events(person: Person) -> list[dict]:
    return [{key: row[key] for key in ("event_id", "type", "course", "lesson", "step", "answer",
                                       "correct", "score", "seconds", "occurred_at",
                                       "received_at")}
            for row in _rows(ProgressEvent, ProgressEvent.person_id == person.id)]


def _export_audit(person: Person) -> list[dict]:
    account = _account(person)
    about = (AuditEntry.object_type == "person") & (AuditEntry.object_id == person.id)
    if account is not None:
        about = or_(about, AuditEntry.account_id == account.id,
                    (AuditEntry.object_type == "account") & (AuditEntry.object_id == account.id))
    return [{key: row[key] for key in ("at", "action", "object_type", "object_id", "changes")}
            for row in _rows(AuditEntry, about)]


# --- erase -----------------------------------------------------------------------------------


def _erase_person(person: Person) -> None:
    person.name = ANONYMOUS_NAME
    person.phone = None
    person.active = False


def _erase_household(person: Person) -> None:
    household = person.household
    if household is not None and person.name and person.name in household.name:
        household.name = f"#{household.id}"


def _erase_account(person: Person) -> None:
    account = _account(person)
    if account is None:
        return
    end_all_sessions(account)
    second_factor.turn_off(account, reason="person_deleted")
    assigned = db.session.scalars(select(ambassador_assignment.c.household_id).where(
        ambassador_assignment.c.account_id == account.id)).all()
    db.session.execute(delete(ambassador_assignment).where(
        ambassador_assignment.c.account_id == account.id))
    db.session.execute(delete(team_member).where(team_member.c.account_id == account.id))
    households_changed(assigned)  # the "ambassadors" cohort follows
    db.session.execute(delete(LanguageGrant).where(LanguageGrant.account_id == account.id))
    account.name = ANONYMOUS_NAME
    account.phone = f"erased-{account.id}"[:20]
    # A hash of nothing anyone knows: the account can never sign in again.
    account.secret_hash = "erased:" + secrets.token_hex(16)
    account.locale = None
    account.last_sign_in_at = None
    account.active = False


def _erase_consent(person: Person) -> None:
    db.session.execute(delete(Consent).where(Consent.person_id == person.id))
    db.session.execute(update(Consent).where(Consent.representative_id == person.id)
                       .values(representative_id=None))


def _erase_certificates(person: Person) -> None:
    db.session.execute(delete(Certificate).where(Certificate.person_id == person.id))


def _erase_events(person: Person) -> None:
    # Kept for the figures and for rebuilding summaries, which use the stored grading.
    db.session.execute(update(ProgressEvent).where(ProgressEvent.person_id == person.id)
                       .values(answer=None, account_id=None))


def _keep_summaries(person: Person) -> None:
    """Lesson summaries stay with the anonymous stand-in: they are the figures."""


def _erase_audit(person: Person) -> None:
    """Audit entries are never removed, but the person's name is taken out of them.
    A Core update: the append-only guard watches the ORM, and this is the one
    sanctioned change to old entries."""
    names = {person.name, *( [person.phone] if person.phone else [])}
    account = _account(person)
    if account is not None:
        names |= {account.name, account.phone}
    household_id = person.household_id
    candidates = db.session.scalars(select(AuditEntry).where(or_(
        (AuditEntry.object_type == "person") & (AuditEntry.object_id == person.id),
        (AuditEntry.object_type == "household") & (AuditEntry.object_id == household_id),
        (AuditEntry.object_type == "account") & (AuditEntry.object_id == (
            account.id if account else -1))))).all()
    for entry in candidates:
        text = json.dumps(entry.changes, ensure_ascii=False)
        if entry.object_type == "person" or any(name and name in text for name in names):
            db.session.execute(update(AuditEntry.__table__).where(
                AuditEntry.__table__.c.id == entry.id).values(changes={"erased": True}))


def _table_rows(table, where) -> list[dict]:
    """Rows of a table without an id column (link tables, the figures' records)."""
    return [{key: _value(value) for key, value in row._mapping.items()}
            for row in db.session.execute(select(table).where(where))]


def _keep_with_stand_in(person: Person) -> None:
    """Kept with the anonymous stand-in: visits, skills seen in person, event attendance
    and where the figures count someone hold no name, and removing them would change the
    commune's figures."""


def _export_recordings(person: Person) -> list[dict]:
    account = _account(person)
    if account is None:
        return []
    return _rows(Recording, Recording.narrator_id == account.id)


def _erase_recordings(person: Person) -> None:
    """Their voice goes: the recordings they made, and the files once committed."""
    account = _account(person)
    if account is not None:
        forget_recordings(account.id)


def _erase_needs_help(person: Person) -> None:
    db.session.execute(delete(NeedsHelp).where(NeedsHelp.person_id == person.id))


@dataclass(frozen=True)
class PersonalTable:
    export: Callable[[Person], list[dict]]
    erase: Callable[[Person], None]


PERSONAL_TABLES: dict[str, PersonalTable] = {
    "person": PersonalTable(_export_person, _erase_person),
    "household": PersonalTable(_export_household, _erase_household),
    "account": PersonalTable(_export_account, _erase_account),
    "consent": PersonalTable(
        lambda p: _rows(Consent, or_(Consent.person_id == p.id,
                                     Consent.representative_id == p.id)), _erase_consent),
    "certificate": PersonalTable(lambda p: _rows(Certificate, Certificate.person_id == p.id),
                                 _erase_certificates),
    "lesson_progress": PersonalTable(
        lambda p: _rows(LessonProgress, LessonProgress.person_id == p.id), _keep_summaries),
    "progress_event": PersonalTable(_export_events, _erase_events),
    "audit_entry": PersonalTable(_export_audit, _erase_audit),
    # Reached through the account and handled by its erasure (sessions, second factor,
    # assignments); exported as part of the account.
    "signed_in_device": PersonalTable(lambda p: [], lambda p: None),
    "second_factor": PersonalTable(lambda p: [], lambda p: None),
    "recovery_code": PersonalTable(lambda p: [], lambda p: None),
    "ambassador_assignment": PersonalTable(lambda p: [], lambda p: None),
    "team_member": PersonalTable(lambda p: [], lambda p: None),
    "language_grant": PersonalTable(lambda p: [], lambda p: None),
    # What a staff member typed as a translator: exported as theirs; on erasure the text
    # stays (it is the lessons'), pointing at the de-identified account.
    "saved_translation": PersonalTable(
        lambda p: _rows(SavedTranslation, SavedTranslation.author_id == _account(p).id)
        if _account(p) is not None else [], lambda p: None),
    "narration_recording": PersonalTable(_export_recordings, _erase_recordings),
    "visit_present": PersonalTable(
        lambda p: _table_rows(visit_present, visit_present.c.person_id == p.id),
        _keep_with_stand_in),
    "verified_skill": PersonalTable(
        lambda p: _rows(VerifiedSkill, VerifiedSkill.person_id == p.id), _keep_with_stand_in),
    "event_attendance": PersonalTable(
        lambda p: _rows(EventAttendance, EventAttendance.person_id == p.id),
        _keep_with_stand_in),
    "needs_help": PersonalTable(
        lambda p: _table_rows(NeedsHelp.__table__, NeedsHelp.__table__.c.person_id == p.id),
        _erase_needs_help),
    "stats_counted_member": PersonalTable(
        lambda p: _table_rows(CountedMember.__table__,
                              CountedMember.__table__.c.person_id == p.id),
        _keep_with_stand_in),
    "stats_counted_lesson": PersonalTable(
        lambda p: _table_rows(CountedLesson.__table__,
                              CountedLesson.__table__.c.person_id == p.id),
        _keep_with_stand_in),
    "stats_counted_cohort": PersonalTable(
        lambda p: _table_rows(CountedCohort.__table__,
                              CountedCohort.__table__.c.person_id == p.id),
        _keep_with_stand_in),
    "stats_counted_fact": PersonalTable(
        lambda p: _table_rows(CountedFact.__table__,
                              CountedFact.__table__.c.person_id == p.id),
        _keep_with_stand_in),
}
# Tables whose name-like columns are not about a person.
NOT_PERSONAL = {"province": "place names", "commune": "place names",
                "village": "place names", "former_place_name": "place names",
                "ambassador_team": "a team's name", "community_event": "an event's title",
                # Sums over groups (birth year is a key, never one person's row).
                "stats_people_rollup": "figures", "stats_progress_rollup": "figures",
                "stats_answer_rollup": "figures", "stats_cohort_people_rollup": "figures",
                "stats_cohort_progress_rollup": "figures",
                "stats_cohort_answer_rollup": "figures", "stats_fact_rollup": "figures",
                "stats_commune_fact_rollup": "figures", "stats_household_rollup": "figures",
                "stats_commune_household_rollup": "figures", "stats_split_rollup": "figures",
                # Per household, not per person: what a household adds to the figures.
                "stats_counted_household_fact": "a household's counts"}


def export(person: Person) -> dict[str, list[dict]]:
    """Everything kept about the person, table by table (the caller audits the request)."""
    return {table: handler.export(person) for table, handler in PERSONAL_TABLES.items()}


def export_csv(data: dict[str, list[dict]]) -> str:
    """One CSV: table, row, field, value; cells a spreadsheet would run are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "field", "value"])
    for table, rows in data.items():
        for number, row in enumerate(rows, start=1):
            for field, value in row.items():
                if isinstance(value, dict | list):
                    value = json.dumps(value, ensure_ascii=False)
                writer.writerow([table, number, field, neutralise_cell(value)])
    return "\ufeff" + out.getvalue()  # with a BOM, so that Excel reads it as UTF-8


def erase(person: Person) -> None:
    """De-identify the person everywhere (the caller commits); see the module docstring.
    The audit entry of the request itself names nobody."""
    for table in ("audit_entry", "household", "narration_recording", "account", "consent",
                  "certificate", "progress_event", "lesson_progress", "person"):
        PERSONAL_TABLES[table].erase(person)
    audit.record("person.deleted", "person", person.id, {})
