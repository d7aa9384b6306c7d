"""Registering and changing households and members. Every change is written to the audit
trail in the same transaction ("history kept"), and the needs-help flags of the people it
touches are brought up to date."""

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..accounts.models import Account, Gender, Person, ambassador_assignment
from ..accounts.operations import InvalidInput
from ..accounts.sessions import end_all_sessions
from ..extensions import db
from ..families.status import refresh_households
from ..places.models import Household, Village
from ..stats.rollups import households_changed, people_changed
from . import needs_help

HOUSEHOLD_FIELDS = ("name", "address_note", "phone", "village_id", "active")
MEMBER_FIELDS = ("name", "gender", "birth_year", "phone", "active")


class PhoneTaken(InvalidInput):
    """The household phone is already registered; `household` is set when it is a
    household's (the view links to it only if it is in the viewer's scope)."""

    def __init__(self, household_id: int | None):
        super().__init__(_("This phone number is already registered."))
        self.household_id = household_id


def check_household_phone(phone: str | None, household: Household | None = None) -> None:
    """A phone belongs to one household, and to no account other than that household's."""
    if not phone:
        return
    owner = db.session.scalar(select(Household.id).where(Household.phone == phone))
    if owner is not None and (household is None or owner != household.id):
        raise PhoneTaken(owner)
    account = db.session.scalar(select(Account).where(Account.phone == phone))
    if account is not None and (household is None or account.household_id != household.id):
        raise PhoneTaken(account.household_id)


def register_household(ambassador: Account, village: Village, *, name: str,
                       address_note: str | None, phone: str | None,
                       members: list[dict]) -> Household:
    """A new household in one of the ambassador's villages, assigned to them; commits."""
    check_household_phone(phone)
    household = Household(village_id=village.id, name=name, address_note=address_note,
                          phone=phone, active=True)
    db.session.add(household)
    db.session.flush()
    db.session.execute(ambassador_assignment.insert().values(
        account_id=ambassador.id, household_id=household.id))
    audit.record("household.registered", "household", household.id,
                 audit.snapshot(household, HOUSEHOLD_FIELDS))
    for fields in members:
        _add_member(household, fields)
    db.session.flush()
    needs_help.refresh([m.id for m in household.members])
    refresh_households([household.id])
    households_changed([household.id])  # figures follow the household and its members
    db.session.commit()
    return household


def update_household(household: Household, *, village: Village, name: str,
                     address_note: str | None, phone: str | None) -> dict:
    """Change a household's details; returns what changed (nothing written if nothing)."""
    check_household_phone(phone, household)
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.village_id, household.name = village.id, name
    household.address_note, household.phone = address_note, phone
    login = db.session.scalar(select(Account).where(Account.household_id == household.id))
    if login is not None and phone and login.phone != phone:
        login.phone = phone  # the shared phone signs in with the household's number
    changes = audit.differences(before, audit.snapshot(household, HOUSEHOLD_FIELDS))
    if changes:
        audit.record("household.changed", "household", household.id, changes)
    households_changed([household.id])  # figures follow the household and its members
    db.session.commit()
    return changes


def set_household_active(household: Household, active: bool) -> None:
    """Deactivate (moved away, merged) or reactivate; its shared phone is signed out."""
    if household.active == active:
        return
    household.active = active
    login = db.session.scalar(select(Account).where(Account.household_id == household.id))
    if login is not None:
        login.active = active
        end_all_sessions(login)
    audit.record("household.activated" if active else "household.deactivated", "household",
                 household.id, {"active": [not active, active]})
    needs_help.refresh([m.id for m in household.members])
    refresh_households([household.id])
    db.session.commit()


def _add_member(household: Household, fields: dict) -> Person:
    person = Person(household=household, name=fields["name"],
                    gender=Gender(fields["gender"]) if fields.get("gender") else None,
                    birth_year=fields.get("birth_year"), phone=fields.get("phone"),
                    active=True)
    db.session.add(person)
    db.session.flush()
    audit.record("person.added", "person", person.id,
                 {**audit.snapshot(person, MEMBER_FIELDS), "household_id": household.id})
    return person


def add_member(household: Household, fields: dict) -> Person:
    person = _add_member(household, fields)
    needs_help.refresh([person.id])
    people_changed([person.id])  # figures follow them
    refresh_households([household.id])  # a new member aged 15+ can take the status away
    db.session.commit()
    return person


def update_member(person: Person, fields: dict) -> dict:
    before = audit.snapshot(person, MEMBER_FIELDS)
    person.name = fields["name"]
    person.gender = Gender(fields["gender"]) if fields.get("gender") else None
    person.birth_year, person.phone = fields.get("birth_year"), fields.get("phone")
    changes = audit.differences(before, audit.snapshot(person, MEMBER_FIELDS))
    if changes:
        audit.record("person.changed", "person", person.id, changes)
    people_changed([person.id])  # figures follow them
    refresh_households([person.household_id])  # the birth year counts
    db.session.commit()
    return changes


def set_member_active(person: Person, active: bool) -> None:
    if person.active == active:
        return
    person.active = active
    audit.record("person.activated" if active else "person.deactivated", "person", person.id,
                 {"active": [not active, active]})
    needs_help.refresh([person.id])
    refresh_households([person.household_id])
    db.session.commit()
