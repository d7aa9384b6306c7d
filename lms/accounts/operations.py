"""Creating accounts, checking secrets and slowing down repeated failures."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import phonenumbers
from flask_babel import gettext as _

from ..extensions import db
from ..models_common import utcnow
from .hashing import hash_secret, needs_rehash, verify_secret
from .models import Account, Role, SignInThrottle
from .sessions import end_all_sessions

MIN_PASSWORD_LENGTH = 10
PIN_LENGTH = 6
# Failures allowed before the first wait, then each failure doubles the wait, capped:
# slow enough to stop guessing, never a lockout that strands a villager.
FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)


class InvalidInput(ValueError):
    """Input that must be refused with a translated message; nothing is written."""


def normalise_phone(raw: str) -> str:
    """A Vietnamese phone number in E.164 form (+84...), or InvalidInput."""
    try:
        number = phonenumbers.parse((raw or "").strip(), "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise InvalidInput(_("This is not a phone number. Type it like 0912 345 678."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """The number as people in Vietnam write it: 0912 345 678."""
    number = phonenumbers.parse(e164, "VN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text("utf-8").splitlines() if line)


def check_password_rules(password: str) -> None:
    """At least 10 characters of any kind, and not a well-known password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("The password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
        )
    if password.lower() in _common_passwords():
        raise InvalidInput(_("This password is too easy to guess. Choose another one."))


def check_pin_rules(pin: str) -> None:
    if len(pin) != PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
        raise InvalidInput(_("The PIN must be exactly 6 digits."))
    if len(set(pin)) == 1 or pin in ("123456", "654321", "012345", "123123"):
        raise InvalidInput(_("This PIN is too easy to guess. Choose another one."))


def create_account(
    *,
    phone: str,
    name: str,
    role: Role,
    secret: str,
    commune_id: int | None = None,
    household_id: int | None = None,
    person_id: int | None = None,
) -> Account:
    """Check every rule, then add the account to the session (the caller commits)."""
    phone = normalise_phone(phone)
    if role == Role.LEARNER:
        check_pin_rules(secret)
    else:
        check_password_rules(secret)
    if role in (Role.OFFICIAL, Role.AMBASSADOR) and commune_id is None:
        raise InvalidInput(_("Officials and ambassadors need a commune."))
    if db.session.scalar(db.select(Account.id).where(Account.phone == phone)):
        raise InvalidInput(_("An account with this phone number already exists."))
    account = Account(
        phone=phone,
        name=name,
        role=role,
        secret_hash=hash_secret(secret),
        commune_id=commune_id,
        household_id=household_id,
        person_id=person_id,
    )
    db.session.add(account)
    return account


def set_secret(account: Account, secret: str) -> None:
    """Change the secret and sign the account out on every device (a view that changes
    its own caller's secret signs this device in again with `begin_session`)."""
    if account.role == Role.LEARNER:
        check_pin_rules(secret)
    else:
        check_password_rules(secret)
    account.secret_hash = hash_secret(secret)
    end_all_sessions(account)


@cache
def _dummy_hash() -> str:
    return hash_secret("not-an-account-secret")


@dataclass(frozen=True)
class SignInResult:
    account: Account | None = None
    wait: timedelta | None = None  # set when the caller must wait before trying again


def _throttle_key(kind: str, value: str) -> str:
    # Hashed so that the table holds neither phone numbers nor device ids in clear.
    return f"{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:40]


def _current_wait(keys: list[str], now: datetime) -> timedelta | None:
    rows = db.session.scalars(db.select(SignInThrottle).where(SignInThrottle.key.in_(keys)))
    waits = [
        _aware(row.blocked_until) - now
        for row in rows
        if row.blocked_until is not None and _aware(row.blocked_until) > now
    ]
    return max(waits) if waits else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _record_failure(keys: list[str], now: datetime) -> None:
    for key in keys:
        row = db.session.get(SignInThrottle, key) or SignInThrottle(key=key, failures=0)
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= FREE_FAILURES:
            wait = FIRST_WAIT * 2 ** (row.failures - FREE_FAILURES)
            row.blocked_until = now + min(wait, LONGEST_WAIT)
        db.session.add(row)


def authenticate(phone: str, secret: str, device_id: str) -> SignInResult:
    """Check a phone number and secret. Commits the failure count or its reset."""
    now = utcnow()
    try:
        phone = normalise_phone(phone)
    except InvalidInput:
        phone = (phone or "").strip()
    keys = [_throttle_key("account", phone), _throttle_key("device", device_id)]
    wait = _current_wait(keys, now)
    if wait is not None:
        return SignInResult(wait=wait)
    account = db.session.scalar(db.select(Account).where(Account.phone == phone))
    # Hash even for an unknown number, so timing does not reveal who has an account.
    stored = account.secret_hash if account else _dummy_hash()
    if verify_secret(stored, secret or "") and account is not None and account.active:
        db.session.execute(db.delete(SignInThrottle).where(SignInThrottle.key.in_(keys)))
        account.last_sign_in_at = now
        if needs_rehash(stored):  # made with older settings: only now is the secret known
            account.secret_hash = hash_secret(secret)
        db.session.commit()
        return SignInResult(account=account)
    _record_failure(keys, now)
    db.session.commit()
    return SignInResult()
