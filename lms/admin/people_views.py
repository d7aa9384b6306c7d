"""People's data for the admin: find a person, export everything about them, erase them."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from .. import audit
from ..accounts.models import Person, Role
from ..accounts.operations import InvalidInput, normalise_phone
from ..auth import access, get_visible_or_404, visible_people
from ..extensions import db
from ..families.status import refresh_households
from ..models_common import nfc
from . import people_data
from .forms import ConfirmForm

bp = Blueprint("admin_people", __name__, url_prefix="/admin")


class EraseForm(FlaskForm):
    confirm_name = StringField(_l("Type the person's name to confirm"), validators=[
        DataRequired(message=_l("Type the person's name.")), Length(max=120)])


@bp.route("/people")
@access(Role.ADMIN.value)
def people():
    text = request.args.get("q", "").strip()[:120]
    found = []
    if text:
        needle = f"%{nfc(text).lower()}%"
        match = func.lower(Person.name).like(needle)
        try:
            match = or_(match, Person.phone == normalise_phone(text))
        except InvalidInput:
            pass
        found = db.session.scalars(visible_people(current_user).where(
            match, Person.name != people_data.ANONYMOUS_NAME).order_by(Person.name)
            .limit(50)).all()
    return render_template("admin/people.html", found=found, query=text)


def _page(person: Person, form: EraseForm | None = None, status: int = 200):
    data = people_data.export(person)
    counts = {table: len(rows) for table, rows in data.items() if rows}
    return render_template("admin/person.html", person=person, counts=counts,
                           confirm=ConfirmForm(), form=form or EraseForm()), status


@bp.route("/people/<int:person_id>")
@access(Role.ADMIN.value)
def person(person_id: int):
    return _page(get_visible_or_404(visible_people(current_user), Person, person_id))


@bp.route("/people/<int:person_id>/export", methods=["POST"])
@access(Role.ADMIN.value)
def export(person_id: int):
    found = get_visible_or_404(visible_people(current_user), Person, person_id)
    kind = request.form.get("format")
    if kind not in ("json", "csv") or not ConfirmForm().validate_on_submit():
        abort(400)
    data = people_data.export(found)
    audit.record("person.exported", "person", found.id, {"format": kind})
    db.session.commit()
    if kind == "json":
        body, mimetype = json.dumps(data, ensure_ascii=False, indent=1), "application/json"
    else:
        body, mimetype = people_data.export_csv(data), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=person-{found.id}.{kind}"})


@bp.route("/people/<int:person_id>/erase", methods=["POST"])
@access(Role.ADMIN.value)
def erase(person_id: int):
    found = get_visible_or_404(visible_people(current_user), Person, person_id)
    form = EraseForm()
    if form.validate_on_submit():
        if nfc(form.confirm_name.data).strip() != found.name:
            form.confirm_name.errors.append(_("This is not the person's name as written above."))
        elif current_user.person_id == found.id:
            form.confirm_name.errors.append(_("You cannot erase yourself."))
        else:
            people_data.erase(found)
            refresh_households([found.household_id])  # an erased member no longer counts
            db.session.commit()
            flash(_("The person's data was erased. The commune figures still count them, "
                    "without a name."), "info")
            return redirect(url_for("admin_people.people"))
    return _page(found, form, 400)
