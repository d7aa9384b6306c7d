"""Registering and editing households and their members (ambassadors only)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Person, Role
from ..auth import access, get_visible_or_404, registrable_villages, visible_households
from ..extensions import db
from ..places.models import Household, Village
from . import operations
from .forms import ConfirmForm, HouseholdForm, MemberForm, RegisterHouseholdForm
from .views import bp, household_crumbs

AMBASSADOR = Role.AMBASSADOR.value


def _village_choices(form) -> dict[int, Village]:
    villages = {v.id: v for v in db.session.scalars(
        registrable_villages(current_user).order_by(Village.name))}
    form.village.choices = [(-1, _("Choose the village"))] + [
        (v.id, v.name) for v in villages.values()]
    return villages


def _chosen_village(form, villages: dict[int, Village]) -> Village | None:
    """The chosen village of the ambassador's commune; another commune's id is a 404."""
    village = villages.get(form.village.data)
    if village is None and form.village.data not in (None, -1):
        abort(404)
    if village is None and not form.village.errors:
        form.village.errors = [_("Choose the village.")]
    return village


def _member_fields(form) -> dict:
    return {"name": form.name.data, "gender": form.gender.data or None,
            "birth_year": form.birth_year.data, "phone": form.phone.data}


def _taken(error: operations.PhoneTaken, form) -> dict:
    """The "already registered" error, linking to the household only if it is in scope."""
    form.phone.errors = [str(error)]
    url = None
    if error.household_id is not None and db.session.scalar(
            visible_households(current_user).where(Household.id == error.household_id)
            .with_only_columns(Household.id)):
        url = url_for("ambassadors.household", household_id=error.household_id)
    return {"taken": True, "taken_url": url}


@bp.route("/households/new", methods=["GET", "POST"])
@access(AMBASSADOR)
def register_household():
    form = RegisterHouseholdForm()
    villages = _village_choices(form)
    extra, status = {}, 200
    if request.method == "POST" and form.add_member.data:
        form.members.append_entry()
    elif form.validate_on_submit() and (village := _chosen_village(form, villages)):
        members = [_member_fields(entry.form) for entry in form.members
                   if not entry.form.is_blank()]
        try:
            household = operations.register_household(
                current_user, village, name=form.name.data,
                address_note=form.address_note.data, phone=form.phone.data, members=members)
        except operations.PhoneTaken as error:
            db.session.rollback()
            extra, status = _taken(error, form), 409
        else:
            flash(_("Household registered."), "info")
            return redirect(url_for("ambassadors.household", household_id=household.id))
    elif request.method == "POST":
        _chosen_village(form, villages)
        status = 400
    crumbs = [(_("My households"), url_for("ambassadors.home")),
              (_("Register a household"), None)]
    return render_template("ambassadors/household_form.html", form=form, crumbs=crumbs,
                           title=_("Register a household"), submit=_("Register"),
                           **extra), status


def _own_household(household_id: int) -> Household:
    return get_visible_or_404(visible_households(current_user), Household, household_id)


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@access(AMBASSADOR)
def edit_household(household_id: int):
    household = _own_household(household_id)
    form = HouseholdForm(obj=household if request.method == "GET" else None)
    if request.method == "GET":
        form.village.data = household.village_id
    villages = _village_choices(form)
    extra, status = {}, 200
    if form.validate_on_submit() and (village := _chosen_village(form, villages)):
        try:
            operations.update_household(household, village=village, name=form.name.data,
                                        address_note=form.address_note.data,
                                        phone=form.phone.data)
        except operations.PhoneTaken as error:
            db.session.rollback()
            extra, status = _taken(error, form), 409
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("ambassadors.household", household_id=household.id))
    elif request.method == "POST":
        _chosen_village(form, villages)
        status = 400
    return render_template("ambassadors/household_form.html", form=form,
                           crumbs=household_crumbs(household, _("Edit")),
                           title=_("Edit the household"), submit=_("Save"), **extra), status


@bp.route("/households/<int:household_id>/active", methods=["POST"])
@access(AMBASSADOR)
def household_active(household_id: int):
    household = _own_household(household_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    operations.set_household_active(household, active)
    flash(_("The household is active again.") if active else
          _("The household is deactivated. Its history is kept."), "info")
    return redirect(url_for("ambassadors.household", household_id=household.id))


@bp.route("/households/<int:household_id>/members/new", methods=["GET", "POST"])
@access(AMBASSADOR)
def add_member(household_id: int):
    household = _own_household(household_id)
    form = MemberForm()
    if form.validate_on_submit():
        person = operations.add_member(household, _member_fields(form))
        flash(_("%(name)s was added.", name=person.name), "info")
        return redirect(url_for("ambassadors.household", household_id=household.id))
    return render_template("ambassadors/member_form.html", form=form,
                           crumbs=household_crumbs(household, _("Add a member")),
                           title=_("Add a member")), 400 if request.method == "POST" else 200


def own_member(person_id: int) -> Person:
    """A member of one of the ambassador's households; anyone else is a 404."""
    households = visible_households(current_user).with_only_columns(Household.id)
    return get_visible_or_404(select(Person).where(Person.household_id.in_(households)),
                              Person, person_id)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@access(AMBASSADOR)
def edit_member(person_id: int):
    person = own_member(person_id)
    form = MemberForm(obj=person if request.method == "GET" else None)
    if request.method == "GET" and person.gender:
        form.gender.data = person.gender.value
    if form.validate_on_submit():
        operations.update_member(person, _member_fields(form))
        flash(_("Saved."), "info")
        return redirect(url_for("ambassadors.person", person_id=person.id))
    return render_template("ambassadors/member_form.html", form=form,
                           crumbs=household_crumbs(person.household, person.name,
                                                   url_for("ambassadors.person",
                                                           person_id=person.id),
                                                   _("Edit")),
                           title=_("Edit %(name)s", name=person.name)), \
        400 if request.method == "POST" else 200


@bp.route("/people/<int:person_id>/active", methods=["POST"])
@access(AMBASSADOR)
def member_active(person_id: int):
    person = own_member(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    operations.set_member_active(person, active)
    flash(_("%(name)s is active again.", name=person.name) if active else
          _("%(name)s is deactivated. Their history is kept.", name=person.name), "info")
    return redirect(url_for("ambassadors.household", household_id=person.household_id))
