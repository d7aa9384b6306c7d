"""Staff accounts and assignments: the admin for the province, an official for the
ambassadors of their own commune."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..accounts import second_factor
from ..accounts.models import Account, Role
from ..accounts.operations import InvalidInput
from ..auth import (
    access,
    get_visible_or_404,
    visible_communes,
    visible_households,
    visible_staff,
    visible_villages,
)
from ..extensions import db
from ..families.status import refresh_households
from ..places import operations as places
from ..places.models import Commune, Household, Village
from ..stats.rollups import households_changed
from . import staff as staff_ops
from .forms import ChooseForm, ConfirmForm, StaffForm

bp = Blueprint("admin_staff", __name__, url_prefix="/admin")

ADMIN, OFFICIAL = Role.ADMIN.value, Role.OFFICIAL.value
ROLE_LABELS = {Role.AMBASSADOR: _l("Digital Ambassador"), Role.OFFICIAL: _l("Commune official"),
               Role.ADMIN: _l("Province admin")}


def _staff_form(form: StaffForm | None = None) -> StaffForm:
    form = form or StaffForm()
    form.role.choices = [(r.value, str(ROLE_LABELS[r]))
                         for r in staff_ops.roles_granted_by(current_user)]
    communes = db.session.scalars(visible_communes(current_user).where(
        Commune.active.is_(True)).order_by(Commune.name)).all()
    form.commune.choices = [(c.id, c.name) for c in communes]
    if current_user.role == Role.ADMIN:
        form.commune.choices.insert(0, (0, str(_l("None (province admin)"))))
    return form


@bp.route("/staff")
@access(ADMIN, OFFICIAL)
def staff_list(form=None, status: int = 200):
    accounts = db.session.scalars(visible_staff(current_user).order_by(
        Account.active.desc(), Account.role, Account.name)).all()
    communes = dict(db.session.execute(select(Commune.id, Commune.name)).all())
    return render_template("admin/staff_list.html", accounts=accounts, communes=communes,
                           form=_staff_form(form), roles=ROLE_LABELS), status


@bp.route("/staff", methods=["POST"])
@access(ADMIN, OFFICIAL)
def create_staff():
    form = _staff_form()
    if form.validate_on_submit():
        role = Role(form.role.data)
        if role != Role.ADMIN and not form.commune.data:
            form.commune.errors.append(_("Officials and ambassadors need a commune."))
        else:
            try:
                account, secret = staff_ops.create_staff(
                    current_user, name=form.name.data, phone=form.phone.data, role=role,
                    commune_id=form.commune.data or None)
            except InvalidInput as error:
                form.phone.errors.append(str(error))
            else:
                db.session.commit()
                return render_template("admin/staff_secret.html", account=account,
                                       secret=secret, created=True)
    db.session.rollback()
    return staff_list(form, 400)


def _staff_or_404(account_id: int) -> Account:
    return get_visible_or_404(visible_staff(current_user), Account, account_id)


def _managed_or_404(account_id: int) -> Account:
    staff = _staff_or_404(account_id)
    if not staff_ops.may_manage(current_user, staff):
        abort(404)
    return staff


@bp.route("/staff/<int:account_id>")
@access(ADMIN, OFFICIAL)
def staff_page(account_id: int, status: int = 200, errors: list[str] = ()):
    staff = _staff_or_404(account_id)
    assigned, one, village = [], ChooseForm(), ChooseForm()
    if staff.role == Role.AMBASSADOR:
        ids = staff_ops.assigned_ids(staff)
        in_commune = visible_households(current_user).where(Household.village_id.in_(
            select(Village.id).where(Village.commune_id == staff.commune_id)))
        households = sorted(db.session.scalars(in_commune).all(),
                            key=lambda h: (h.village.name, h.name))
        assigned = [h for h in households if h.id in ids]
        one.choice.choices = [(h.id, f"{h.name} ({h.village.name})") for h in households
                              if h.id not in ids and h.active]
        village.choice.choices = [(v.id, v.name) for v in db.session.scalars(
            visible_villages(current_user).where(Village.commune_id == staff.commune_id,
                                                 Village.active.is_(True))
            .order_by(Village.name))]
    return render_template(
        "admin/staff.html", staff=staff, roles=ROLE_LABELS, assigned=assigned, one=one,
        village=village, confirm=ConfirmForm(), errors=errors,
        manage=staff_ops.may_manage(current_user, staff),
        factor_on=second_factor.is_enabled(staff),
        history=audit.history("account", staff.id)), status


@bp.route("/staff/<int:account_id>/active", methods=["POST"])
@access(ADMIN, OFFICIAL)
def staff_active(account_id: int):
    staff = _managed_or_404(account_id)
    if not ConfirmForm().validate_on_submit() or staff.id == current_user.id:
        return staff_page(account_id, 400)
    staff_ops.set_active(staff, request.form.get("active") == "1")
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("admin_staff.staff_page", account_id=staff.id))


@bp.route("/staff/<int:account_id>/reset", methods=["POST"])
@access(ADMIN, OFFICIAL)
def reset_secret(account_id: int):
    staff = _managed_or_404(account_id)
    if not ConfirmForm().validate_on_submit() or staff.id == current_user.id:
        return staff_page(account_id, 400)
    secret = staff_ops.reset_secret(staff)
    db.session.commit()
    return render_template("admin/staff_secret.html", account=staff, secret=secret,
                           created=False)


@bp.route("/staff/<int:account_id>/sign-out", methods=["POST"])
@access(ADMIN, OFFICIAL)
def sign_out_everywhere(account_id: int):
    staff = _managed_or_404(account_id)
    if not ConfirmForm().validate_on_submit():
        return staff_page(account_id, 400)
    ended = staff_ops.sign_out_everywhere(staff)
    db.session.commit()
    flash(_("Signed out on %(count)s devices.", count=ended), "info")
    return redirect(url_for("admin_staff.staff_page", account_id=staff.id))


@bp.route("/staff/<int:account_id>/second-factor", methods=["POST"])
@access(ADMIN)
def reset_second_factor(account_id: int):
    staff = _staff_or_404(account_id)
    if not ConfirmForm().validate_on_submit():
        return staff_page(account_id, 400)
    staff_ops.reset_second_factor(staff)
    db.session.commit()
    flash(_("The second factor was removed. It can be set up again at the next sign-in."),
          "info")
    return redirect(url_for("admin_staff.staff_page", account_id=staff.id))


@bp.route("/staff/<int:account_id>/assign", methods=["POST"])
@access(ADMIN, OFFICIAL)
def assign(account_id: int):
    """Assign one household, or (`by=village`) every household of a village."""
    staff = _managed_or_404(account_id)
    form = ChooseForm()
    form.choice.validate_choice = False  # checked below through the scope helpers
    if not form.validate_on_submit() or form.choice.data is None:
        return staff_page(account_id, 400, [_("Choose one from the list.")])
    try:
        if request.form.get("by") == "village":
            found = get_visible_or_404(visible_villages(current_user), Village,
                                       form.choice.data)
            added = staff_ops.assign_village(staff, found, visible_households(current_user))
        else:
            found = get_visible_or_404(visible_households(current_user), Household,
                                       form.choice.data)
            added = staff_ops.assign(staff, [found])
    except InvalidInput as error:
        db.session.rollback()
        return staff_page(account_id, 400, [str(error)])
    db.session.commit()
    flash(_("%(count)s households given to %(name)s.", count=added, name=staff.name), "info")
    return redirect(url_for("admin_staff.staff_page", account_id=staff.id))


@bp.route("/staff/<int:account_id>/unassign/<int:household_id>", methods=["POST"])
@access(ADMIN, OFFICIAL)
def unassign(account_id: int, household_id: int):
    staff = _managed_or_404(account_id)
    household = get_visible_or_404(visible_households(current_user), Household, household_id)
    if not ConfirmForm().validate_on_submit():
        return staff_page(account_id, 400)
    staff_ops.unassign(staff, household)
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("admin_staff.staff_page", account_id=staff.id))


@bp.route("/households/<int:household_id>/move", methods=["POST"])
@access(ADMIN, OFFICIAL)
def move_household(household_id: int):
    """A household moves to another village (of the official's own commune)."""
    household = get_visible_or_404(visible_households(current_user), Household, household_id)
    form = ChooseForm()
    form.choice.validate_choice = False  # checked below through the scope helpers
    if not form.validate_on_submit() or form.choice.data is None:
        abort(400)
    target = get_visible_or_404(visible_villages(current_user), Village, form.choice.data)
    try:
        places.move_household(household, target)
    except places.PlaceError:
        abort(400)
    refresh_households([household.id])
    households_changed([household.id])  # figures follow the household and its members
    db.session.commit()
    flash(_("%(household)s now lives in %(village)s.", household=household.name,
            village=target.name), "info")
    return redirect(url_for("admin_places.village", village_id=target.id))
