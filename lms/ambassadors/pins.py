"""Household and member PINs, set or reset by the ambassador; a reset signs out every
other device of that account (every signed-in device of it is signed out)."""

import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..accounts.models import Account, Person, Role
from ..accounts.operations import (
    PIN_LENGTH,
    InvalidInput,
    check_pin_rules,
    create_account,
    set_secret,
)
from ..extensions import db
from ..places.models import Household


def check_pin(pin: str, phone: str | None) -> None:
    """The house rules for a PIN, and never the phone's own last six digits."""
    check_pin_rules(pin)
    if phone and phone[-PIN_LENGTH:] == pin:
        raise InvalidInput(_("Do not use the end of the phone number as the PIN."))


def new_pin(phone: str | None) -> str:
    """A random PIN that passes the rules, for when the family wants one made for them."""
    while True:
        pin = f"{secrets.randbelow(10 ** PIN_LENGTH):0{PIN_LENGTH}d}"
        try:
            check_pin(pin, phone)
        except InvalidInput:
            continue
        return pin


def _taken_by_other(phone: str, account: Account | None) -> bool:
    owner = db.session.scalar(select(Account).where(Account.phone == phone))
    return owner is not None and owner is not account


def set_household_pin(household: Household, pin: str) -> Account:
    """Set the shared phone's PIN, creating the household login the first time; commits."""
    if not household.phone:
        raise InvalidInput(_("Add the household phone first: the family signs in with it."))
    check_pin(pin, household.phone)
    login = db.session.scalar(select(Account).where(Account.household_id == household.id))
    if _taken_by_other(household.phone, login):
        raise InvalidInput(_("This phone number is already registered."))
    if login is None:
        login = create_account(phone=household.phone, name=household.name, role=Role.LEARNER,
                               secret=pin, household_id=household.id)
        db.session.flush()
    else:
        set_secret(login, pin)
        login.phone = household.phone
    audit.record("household.pin_set", "household", household.id, {"pin": audit.REDACTED})
    db.session.commit()
    return login


def set_member_pin(person: Person, pin: str) -> Account:
    """A member's own PIN, for signing in with their own phone; commits."""
    if not person.phone:
        raise InvalidInput(_("Add their own phone first: they sign in with it."))
    check_pin(pin, person.phone)
    login = db.session.scalar(select(Account).where(Account.person_id == person.id))
    if _taken_by_other(person.phone, login):
        raise InvalidInput(_("This phone number is already registered."))
    if login is None:
        login = create_account(phone=person.phone, name=person.name, role=Role.LEARNER,
                               secret=pin, person_id=person.id)
        db.session.flush()
    else:
        set_secret(login, pin)
        login.phone = person.phone
    audit.record("person.pin_set", "person", person.id, {"pin": audit.REDACTED})
    db.session.commit()
    return login
