"""The audit log: every sign-in, refused access and change, filtered and paged. It only
reads: the trail has no page that changes or removes an entry."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from ..accounts.models import Account, Person, Role
from ..accounts.operations import InvalidInput, normalise_phone
from ..audit import AuditEntry
from ..auth import access
from ..extensions import db

bp = Blueprint("admin_audit", __name__, url_prefix="/admin")
PAGE_SIZE = 50


def _date_check(form, field) -> None:
    if field.data:
        try:
            field.parsed = date.fromisoformat(field.data)
        except ValueError:
            raise ValidationError(_l("Type a date like 2026-12-01.")) from None
    else:
        field.parsed = None


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    account = StringField(_l("Account (phone number)"), validators=[Optional(), Length(max=32)],
                          render_kw={"inputmode": "tel"})
    person = StringField(_l("Person number"), validators=[Optional(), Regexp(
        r"^[0-9]{1,9}$", message=_l("Type the person's number, like 125."))],
        render_kw={"inputmode": "numeric"})
    since = StringField(_l("From"), validators=[_date_check], render_kw={"type": "date"})
    until = StringField(_l("To"), validators=[_date_check], render_kw={"type": "date"})


def _local_zone() -> ZoneInfo:
    # Days are the admin's days in Vietnam, not UTC's.
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _entries_query(form: AuditFilterForm):
    query = select(AuditEntry)
    if form.account.data:
        number = normalise_phone(form.account.data)
        account_id = db.session.scalar(select(Account.id).where(Account.phone == number))
        # By or about the account: what it did, and what was done to it.
        query = query.where(or_(AuditEntry.account_id == account_id, (
            (AuditEntry.object_type == "account") & (AuditEntry.object_id == account_id))))
    if form.person.data:
        person_id = int(form.person.data)
        person = db.session.get(Person, person_id)
        about = (AuditEntry.object_type == "person") & (AuditEntry.object_id == person_id)
        if person is not None and person.account is not None:
            about = about | ((AuditEntry.object_type == "account")
                             & (AuditEntry.object_id == person.account.id))
        if person is not None and person.household_id:
            about = about | ((AuditEntry.object_type == "household")
                             & (AuditEntry.object_id == person.household_id))
        query = query.where(about)
    if form.since.parsed:
        query = query.where(AuditEntry.at >= datetime.combine(form.since.parsed, time(),
                                                               tzinfo=_local_zone()))
    if form.until.parsed:
        query = query.where(AuditEntry.at < datetime.combine(
            form.until.parsed + timedelta(days=1), time(), tzinfo=_local_zone()))
    return query


@bp.route("/audit")
@access(Role.ADMIN.value)
def audit_log():
    form = AuditFilterForm(request.args)
    entries, total, page, status = [], 0, 1, 200
    if form.validate():
        try:
            query = _entries_query(form)
        except InvalidInput as error:
            form.account.errors.append(str(error))
            status = 400
        else:
            page = request.args.get("page", "1")
            page = int(page) if page.isdigit() and 0 < len(page) < 7 and int(page) else 1
            total = db.session.scalar(select(func.count()).select_from(query.subquery()))
            entries = db.session.scalars(query.order_by(AuditEntry.at.desc(),
                                                        AuditEntry.id.desc())
                                         .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    else:
        status = 400
    ids = {e.account_id for e in entries if e.account_id}
    authors = dict(db.session.execute(select(Account.id, Account.name).where(
        Account.id.in_(ids))).all()) if ids else {}
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("admin/audit.html", form=form, entries=entries, authors=authors,
                           total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
                           args=args), status
