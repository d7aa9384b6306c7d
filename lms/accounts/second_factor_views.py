"""Pages of the second factor: the code after the password, the set-up with its QR,
the recovery codes, and the admin's requirement per role."""

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from .. import audit
from ..auth import PUBLIC, access
from ..extensions import db, limiter
from . import second_factor
from .models import Role
from .sessions import begin_session, end_all_sessions

bp = Blueprint("second_factor", __name__)

ROLE_NAMES = {Role.OFFICIAL: _l("Commune officials"), Role.ADMIN: _l("Province admins")}
# Pages a staff member who must set up a second factor can still open.
_OPEN_WHILE_REQUIRED = frozenset({"second_factor.setup", "password.change", "accounts.logout",
                                  "accounts.set_language", "static", "pwa.service_worker",
                                  "pwa.manifest", "pwa.offline_page"})


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Type the code.")), Length(max=32)],
        render_kw={"inputmode": "text", "autocomplete": "one-time-code", "autocapitalize": "off"},
    )


class RequirementForm(FlaskForm):
    official = BooleanField(ROLE_NAMES[Role.OFFICIAL])
    admin = BooleanField(ROLE_NAMES[Role.ADMIN])


def _wait_message(wait) -> str:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return _("Too many wrong tries. Please wait %(minutes)s minutes, then try again.",
             minutes=minutes)


@bp.route("/login/code", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit(lambda: current_app.config["LMS_LOGIN_RATE_LIMIT"], methods=["POST"])
def code():
    """The second step of sign-in. Until the code is right, nobody is signed in."""
    pending = second_factor.pending_account()
    if pending is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    account, details = pending
    form = CodeForm()
    error, status = None, 200
    if form.validate_on_submit():
        accepted, wait = second_factor.check_code(account, form.code.data, details["device"])
        if accepted:
            begin_session(account)
            current_app.logger.info("sign-in account=%s role=%s second_factor=yes",
                                    account.id, account.role.value)
            audit.record("sign_in", "account", account.id, {"second_factor": True})
            db.session.commit()
            return redirect(details["next"])
        current_app.logger.info("second factor refused account=%s wait=%s", account.id,
                                bool(wait))
        if wait is not None:
            error, status = _wait_message(wait), 429
        else:
            error, status = _("This code is not right. Try again with a new code."), 401
    elif request.method == "POST":
        status = 400
    return make_response(render_template("accounts/second_factor_code.html", form=form,
                                         error=error), status)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@access(Role.OFFICIAL.value, Role.ADMIN.value)
def setup():
    """Turn the authenticator app on (QR and the secret as text, then a first code), renew
    recovery codes or turn it off."""
    account = current_user._get_current_object()
    required = second_factor.is_required(account)
    form = CodeForm()
    action = request.form.get("action", "confirm")
    if second_factor.is_enabled(account):
        error = None
        if form.validate_on_submit():
            if action == "off" and required:
                error = _("Your role must use a second factor: it cannot be turned off.")
            elif second_factor.check_code(account, form.code.data,
                                          account.device_token)[0]:
                if action == "off":
                    second_factor.turn_off(account)
                    db.session.commit()
                    flash(_("The second factor is off."), "info")
                    return redirect(url_for("second_factor.setup"))
                codes = second_factor.new_recovery_codes(account)
                db.session.commit()
                return render_template("accounts/second_factor_codes.html", codes=codes)
            else:
                error = _("This code is not right. Try again with a new code.")
        status = 400 if request.method == "POST" else 200
        return render_template(
            "accounts/second_factor.html", form=form, enabled=True, required=required,
            error=error, unused=second_factor.unused_recovery_codes(account)), status
    factor = second_factor.start_setup(account)
    uri = second_factor.provisioning_uri(account, factor)
    error = None
    if form.validate_on_submit():
        codes = second_factor.confirm_setup(account, form.code.data)
        if codes is not None:
            # Other devices signed in with the password alone are signed out.
            ended = end_all_sessions(account)
            db.session.commit()
            current_app.logger.info("second factor on account=%s devices_ended=%s",
                                    account.id, ended)
            begin_session(account)
            return render_template("accounts/second_factor_codes.html", codes=codes)
        error = _("This code is not right. Check the time on your phone and try a new code.")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/second_factor.html", form=form, enabled=False,
                           required=required, error=error, secret=factor.secret,
                           qr=second_factor.qr_svg(uri)), status


@bp.route("/admin/second-factor", methods=["GET", "POST"])
@access(Role.ADMIN.value)
def requirement():
    """Which roles must use a second factor."""
    current = second_factor.required_roles()
    form = RequirementForm(data={"official": Role.OFFICIAL in current,
                                 "admin": Role.ADMIN in current})
    if form.validate_on_submit():
        roles = {role for role, chosen in ((Role.OFFICIAL, form.official.data),
                                           (Role.ADMIN, form.admin.data)) if chosen}
        second_factor.set_required_roles(roles)
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("second_factor.requirement"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/second_factor_requirement.html", form=form), status


def init_app(app: Flask) -> None:
    @app.before_request
    def send_to_setup_when_required():
        """A staff member whose role must use a second factor sets it up before anything."""
        if (not current_user.is_authenticated or current_user.role not in
                second_factor.SECOND_FACTOR_ROLES or request.endpoint in _OPEN_WHILE_REQUIRED):
            return None
        if second_factor.is_required(current_user) and not second_factor.is_enabled(
                current_user):
            if request.path.startswith("/api/"):
                abort(403)
            return redirect(url_for("second_factor.setup"))
        return None
