"""Choosing a new password: required after an admin gave a temporary one."""

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from .. import audit
from ..auth import access
from ..extensions import db
from .models import Role
from .operations import InvalidInput, authenticate, set_secret
from .sessions import begin_session

bp = Blueprint("password", __name__)

STAFF = (Role.AMBASSADOR.value, Role.OFFICIAL.value, Role.ADMIN.value)
_OPEN_WHILE_CHANGING = frozenset({"password.change", "accounts.logout", "accounts.set_language",
                                  "static", "pwa.service_worker", "pwa.manifest",
                                  "pwa.offline_page"})


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Password you have now"),
        validators=[DataRequired(message=_l("Type your password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"})
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Type a new password.")), Length(max=256)],
        render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})


@bp.route("/account/password", methods=["GET", "POST"])
@access(*STAFF)
def change():
    form = PasswordForm()
    if form.validate_on_submit():
        device = request.cookies.get("device", "")
        result = authenticate(current_user.phone, form.current.data, device)
        account = result.account
        if account is None or account.id != current_user.id:
            form.current.errors.append(_("This is not your password now."))
        elif form.new.data == form.current.data:
            form.new.errors.append(_("Choose a password other than the one you have now."))
        else:
            try:
                set_secret(account, form.new.data)
            except InvalidInput as error:
                form.new.errors.append(str(error))
            else:
                account.must_change_secret = False
                audit.record("account.secret_changed", "account", account.id)
                db.session.commit()
                begin_session(account)
                flash(_("Your new password is saved."), "info")
                return redirect(url_for("accounts.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/password.html", form=form,
                           required=current_user.must_change_secret), status


def init_app(app: Flask) -> None:
    @app.before_request
    def send_to_change_when_temporary():
        """A temporary password is only good for choosing a new one."""
        if (current_user.is_authenticated and current_user.must_change_secret
                and request.endpoint not in _OPEN_WHILE_CHANGING):
            if request.path.startswith("/api/"):
                abort(403)
            return redirect(url_for("password.change"))
        return None
