"""Sign-in, the "who is learning now?" picker on a shared phone, sign-out, language."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..auth import (
    ACTIVE_PERSON_KEY,
    PUBLIC,
    SIGNED_IN,
    access,
    active_person,
    get_visible_or_404,
    visible_people,
)
from ..extensions import db, limiter
from ..i18n import LANGUAGE_COOKIE, choice_holder, languages, match_language
from . import second_factor
from .forms import LanguageForm, LoginForm, PickPersonForm
from .models import Account, Person, Role
from .operations import InvalidInput, authenticate, normalise_phone
from .sessions import begin_session, end_session

bp = Blueprint("accounts", __name__, template_folder="templates")

DEVICE_COOKIE = "device"
HOME_BY_ROLE = {
    Role.LEARNER: "learning.home",
    Role.AMBASSADOR: "ambassadors.home",
    Role.OFFICIAL: "stats.home",
    Role.ADMIN: "admin.home",
}


def home_url(account: Account) -> str:
    return url_for(HOME_BY_ROLE[account.role])


def safe_next(target: str | None) -> str | None:
    """Only a path on this site may follow sign-in: never another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _device_id() -> str:
    value = request.cookies.get(DEVICE_COOKIE, "")
    return value if 20 <= len(value) <= 64 and value.isalnum() else ""


def _with_device_cookie(response: Response, device_id: str) -> Response:
    if request.cookies.get(DEVICE_COOKIE) != device_id:
        response.set_cookie(
            DEVICE_COOKIE,
            device_id,
            max_age=int(timedelta(days=400).total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _wait_message(wait: timedelta) -> str:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return _(
        "Too many wrong tries. Please wait %(minutes)s minutes, then try again.",
        minutes=minutes,
    )


def _record_refused_sign_in(phone: str, waiting: bool) -> None:
    """Into the audit trail, against the account when the number has one (the number
    itself is not written: a mistyped number may be someone else's)."""
    try:
        number = normalise_phone(phone)
    except InvalidInput:
        number = None
    account_id = number and db.session.scalar(
        db.select(Account.id).where(Account.phone == number))
    audit.record_refusal("sign_in.refused", "account", account_id or 0, {"waiting": waiting})


@bp.route("/")
@access(PUBLIC)
def index():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return redirect(url_for("accounts.login"))


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
# A coarse flood guard per IP, generous because carrier NAT puts a whole commune behind
# one address; the real brake is the per-account and per-device delay in `authenticate`.
@limiter.limit(lambda: current_app.config["LMS_LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_url(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        # The household card's QR code opens this page with the phone filled in.
        form.phone.data = request.args.get("phone", "")[:32] or None
    device_id = _device_id() or secrets.token_hex(16)
    status = 200
    error = None
    if form.validate_on_submit():
        result = authenticate(form.phone.data, form.secret.data, device_id)
        if result.account is not None:
            if result.account.is_household_login:
                target = url_for("accounts.pick_person", next=safe_next(form.next.data))
            else:
                target = safe_next(form.next.data) or home_url(result.account)
            if second_factor.is_enabled(result.account):
                # Not signed in yet: the code page finishes the sign-in.
                second_factor.begin_pending(result.account, target, device_id)
                return _with_device_cookie(redirect(url_for("second_factor.code")), device_id)
            begin_session(result.account)
            current_app.logger.info("sign-in account=%s role=%s", result.account.id,
                                    result.account.role.value)
            audit.record("sign_in", "account", result.account.id)
            db.session.commit()
            return _with_device_cookie(redirect(target), device_id)
        current_app.logger.info("sign-in refused wait=%s", bool(result.wait))
        _record_refused_sign_in(form.phone.data, bool(result.wait))
        if result.wait is not None:
            error, status = _wait_message(result.wait), 429
        else:
            error, status = _("The phone number or the PIN/password is not right. Try again."), 401
    elif request.method == "POST":
        status = 400
    # A PIN opens the phone's number pad; staff ask for the full keyboard (a plain link, so
    # that it works without script too).
    with_password = request.args.get("with") == "password"
    response = make_response(render_template("accounts/login.html", form=form, error=error,
                                             with_password=with_password), status)
    return _with_device_cookie(response, device_id)


@bp.route("/who", methods=["GET", "POST"])
@access(Role.LEARNER.value)
def pick_person():
    """Who is learning now? Only on a household's shared phone."""
    if not current_user.is_household_login:
        return redirect(url_for("learning.home"))
    members = db.session.scalars(
        db.select(Person).where(Person.household_id == current_user.household_id)
        .order_by(Person.id)
    ).all()
    form = PickPersonForm()
    if form.validate_on_submit():
        chosen = next((m for m in members if m.id == form.person.data), None)
        if chosen is None:
            abort(404)
        session[ACTIVE_PERSON_KEY] = chosen.id
        return redirect(safe_next(request.args.get("next")) or url_for("learning.home"))
    if request.method == "POST":
        current_app.logger.info("member picker refused: %s", form.errors)
        abort(400)
    return render_template("accounts/pick_person.html", members=members, form=form,
                           active=active_person())


@bp.route("/logout", methods=["POST"])
@access(SIGNED_IN)
def logout():
    end_session()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("accounts.login"))
    # The browser's cache may hold pages of the person who just left a shared phone.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/language", methods=["POST"])
@access(PUBLIC)
def set_language():
    form = LanguageForm()
    code = match_language(form.lang.data) if form.validate_on_submit() else None
    if code is None:
        abort(400)
    holder = choice_holder()  # the member learning now on a shared phone, else the account
    if holder is not None:
        holder.locale = code
        db.session.commit()
    response = redirect(safe_next(form.next.data) or url_for("accounts.index"))
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=int(timedelta(days=400).total_seconds()),
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.app_context_processor
def language_forms() -> dict:
    return {"language_form": LanguageForm, "language_codes": list(languages())}


@bp.route("/people/<int:person_id>")
@access(SIGNED_IN)
def person(person_id: int):
    """One person's page, for whoever may see them (404 for anyone else)."""
    found = get_visible_or_404(visible_people(current_user), Person, person_id)
    return render_template("accounts/person.html", person=found)
