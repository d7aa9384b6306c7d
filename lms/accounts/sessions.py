"""Flask-Login wiring: the session carries the account's version, so that a changed
secret or "sign out everywhere" ends every old session."""

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from ..extensions import db, login_manager
from ..models_common import utcnow
from .models import Account


@login_manager.user_loader
def load_account(session_id: str) -> Account | None:
    account_id, _, version = session_id.partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    account = db.session.get(Account, int(account_id))
    if account is None or not account.active or account.session_version != int(version):
        return None
    return account


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # "strong" would sign people out whenever a mobile network changes their IP.
    login_manager.session_protection = "basic"

    @app.before_request
    def end_expired_staff_session() -> None:
        expires_at = session.get(STAFF_EXPIRY_KEY)
        if expires_at is not None and expires_at < utcnow().timestamp():
            session.clear()
            logout_user()


STAFF_EXPIRY_KEY = "staff_expires_at"


def begin_session(account: Account) -> None:
    """Sign in: a household phone stays signed in; staff sessions end sooner."""
    session.clear()
    session.permanent = True
    login_user(account, remember=account.role.value == "learner",
               duration=current_app.config["LMS_HOUSEHOLD_SESSION"])
    if account.is_staff:
        expires = utcnow() + current_app.config["LMS_STAFF_SESSION"]
        session[STAFF_EXPIRY_KEY] = expires.timestamp()
