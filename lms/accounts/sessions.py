"""Flask-Login wiring: every signed-in device has a row of its own (SignedInDevice), and
the session and "remember me" cookies carry its random token. A cookie is accepted only
while its row exists and has not expired, so signing out really ends that device's
session, even for a copy of its cookies, while the account's other devices stay signed in.
"""

import hashlib
import secrets
from datetime import UTC, datetime

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select

from ..extensions import db, login_manager
from ..models_common import utcnow
from .models import Account, SignedInDevice

# The longest account id the loader looks up: ids are 64-bit integers at most.
_MAX_ID_DIGITS = 18


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@login_manager.user_loader
def load_account(user_id: str) -> Account | None:
    account_id, _, token = user_id.partition(":")
    if not (account_id.isascii() and account_id.isdigit()) or len(account_id) > _MAX_ID_DIGITS \
            or not token:
        return None
    device = db.session.scalar(
        select(SignedInDevice).where(SignedInDevice.token_hash == _token_hash(token)))
    if (device is None or device.account_id != int(account_id)
            or _aware(device.expires_at) <= utcnow()):
        return None
    account = device.account
    if not account.active:
        return None
    account.device_token = token
    return account


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # "strong" would sign people out whenever a mobile network changes their IP.
    login_manager.session_protection = "basic"

    @app.before_request
    def end_idle_staff_session() -> None:
        """A staff page left open on a shared office PC signs out after a while idle. The
        last activity rides in the signed session cookie, refreshed at most once a
        minute, so that a quiet page view writes nothing to the database."""
        if not (current_user.is_authenticated and current_user.is_staff):
            return
        now = utcnow().timestamp()
        seen = session.get(LAST_SEEN_KEY)
        idle = current_app.config["LMS_STAFF_IDLE"].total_seconds()
        if not isinstance(seen, int | float) or now - seen > idle:
            end_session()
            return
        if now - seen > LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_KEY] = now


LAST_SEEN_KEY = "seen"
LAST_SEEN_RESOLUTION = 60  # seconds


def begin_session(account: Account) -> None:
    """Sign this device in: a household phone stays signed in; staff sessions end sooner.
    Commits the device's row."""
    now = utcnow()
    lifetime = current_app.config[
        "LMS_STAFF_SESSION" if account.is_staff else "LMS_HOUSEHOLD_SESSION"]
    # Rows of sessions that ended on their own are of no use to anyone: drop them here,
    # with this device's own row if it signs in again without signing out.
    ended = SignedInDevice.expires_at <= now
    if current_user.is_authenticated and current_user.device_token:
        ended = ended | (SignedInDevice.token_hash == _token_hash(current_user.device_token))
    db.session.execute(delete(SignedInDevice).where(ended))
    token = secrets.token_urlsafe(32)
    db.session.add(SignedInDevice(account_id=account.id, token_hash=_token_hash(token),
                                  created_at=now, expires_at=now + lifetime))
    db.session.commit()
    account.device_token = token
    session.clear()
    session.permanent = True
    session[LAST_SEEN_KEY] = now.timestamp()
    login_user(account, remember=not account.is_staff, duration=lifetime)


def end_session() -> None:
    """Sign this device out: its cookies, and every copy of them, stop working."""
    if current_user.is_authenticated and current_user.device_token:
        db.session.execute(delete(SignedInDevice).where(
            SignedInDevice.token_hash == _token_hash(current_user.device_token)))
        db.session.commit()
    # Clear first: logout_user() leaves the mark that deletes the "remember me" cookie.
    session.clear()
    logout_user()


def end_all_sessions(account: Account) -> int:
    """Sign the account out on every device (the caller commits); returns how many."""
    result = db.session.execute(
        delete(SignedInDevice).where(SignedInDevice.account_id == account.id))
    return result.rowcount or 0
