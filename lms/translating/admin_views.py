"""The admin's page of translators and reviewers: grant or take back, per language."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField

from ..accounts.models import Account, Role
from ..auth import access, get_visible_or_404, visible_staff
from ..extensions import db
from ..i18n import languages
from .models import LanguageGrant
from .operations import Refused, grant, revoke
from .pieces import community_languages

bp = Blueprint("translating_admin", __name__, url_prefix="/admin/translators")
ADMIN = Role.ADMIN.value


class GrantForm(FlaskForm):
    account = SelectField(_l("Staff member"), coerce=int, validate_choice=True)
    language = SelectField(_l("Language"), validate_choice=True)
    may_review = BooleanField(_l("May also review (correct and mark reviewed)"))


class RevokeForm(FlaskForm):
    """Only the CSRF token."""


def _form() -> GrantForm:
    form = GrantForm()
    staff = db.session.scalars(visible_staff(current_user).where(Account.active.is_(True))
                               .order_by(Account.name))
    form.account.choices = [(a.id, f"{a.name} · {a.phone}") for a in staff]
    form.language.choices = [(code, f"{languages()[code].name} ({code})")
                             for code in community_languages()]
    return form


def _page(form: GrantForm, errors: list[str] = (), status: int = 200):
    grants = db.session.scalars(select(LanguageGrant).join(
        Account, Account.id == LanguageGrant.account_id).order_by(
        LanguageGrant.language, Account.name))
    return render_template("translating/admin.html", form=form, grants=list(grants),
                           revoke_form=RevokeForm(), errors=errors,
                           all_languages=languages()), status


@bp.route("")
@access(ADMIN)
def translators():
    return _page(_form())


@bp.route("/grant", methods=["POST"])
@access(ADMIN)
def give():
    form = _form()
    if not form.validate_on_submit():
        errors = [message for messages in form.errors.values() for message in messages]
        return _page(form, errors or [_("Choose a staff member and a language.")], 400)
    account = get_visible_or_404(visible_staff(current_user), Account, form.account.data)
    try:
        grant(current_user, account, form.language.data, bool(form.may_review.data))
    except Refused as refusal:
        db.session.rollback()
        return _page(form, [str(refusal)], 400)
    db.session.commit()
    flash(_("%(name)s may now translate in %(language)s.", name=account.name,
            language=languages()[form.language.data].name), "info")
    return redirect(url_for("translating_admin.translators"))


@bp.route("/<int:grant_id>/revoke", methods=["POST"])
@access(ADMIN)
def take_back(grant_id: int):
    found = db.session.get(LanguageGrant, grant_id)
    if found is None or not RevokeForm().validate_on_submit():
        return _page(_form(), [_("That permission no longer exists, or the form had "
                                 "expired.")], 400 if found else 404)
    name, code = found.account.name, found.language
    revoke(found)
    db.session.commit()
    flash(_("%(name)s may no longer translate in %(language)s.", name=name,
            language=languages()[code].name if code in languages() else code), "info")
    return redirect(url_for("translating_admin.translators"))
