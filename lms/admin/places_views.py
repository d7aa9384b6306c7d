"""Communes and villages: the admin changes them, an official reads their own commune."""

import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from .. import audit
from ..accounts.models import Account, Role
from ..auth import (
    access,
    get_visible_or_404,
    visible_communes,
    visible_households,
    visible_villages,
)
from ..extensions import db
from ..places import csv_import
from ..places import operations as places
from ..places.models import Commune, Household, Village
from ..stats.rollups import households_changed
from ..uploads import MEGABYTE, upload_limit
from .forms import CommuneForm, ConfirmForm, ImportForm, MergeForm, RenameForm, VillageForm

bp = Blueprint("admin_places", __name__, url_prefix="/admin")

ADMIN, OFFICIAL = Role.ADMIN.value, Role.OFFICIAL.value
# A province's villages fit in a few hundred kilobytes; 2 MB leaves room, no more.
IMPORT_LIMIT = 2 * MEGABYTE
IMPORT_KEY = "place_import"
IMPORT_LIFETIME_SECONDS = 3600


@bp.route("/places")
@access(ADMIN)
def index():
    query = request.args.get("q", "").strip()[:120]
    found = None
    if query:
        found = places.find_places(query, visible_communes(current_user),
                                   visible_villages(current_user))
    return _index_page(CommuneForm(), found=found, query=query)


def _index_page(form, status: int = 200, **context):
    counts = dict(db.session.execute(
        select(Village.commune_id, func.count(Village.id)).group_by(Village.commune_id)).all())
    communes = db.session.scalars(visible_communes(current_user)
                                  .order_by(Commune.active.desc(), Commune.name)).all()
    context.setdefault("found", None)
    context.setdefault("query", "")
    return render_template("admin/places.html", communes=communes, counts=counts, form=form,
                           **context), status


@bp.route("/communes", methods=["POST"])
@access(ADMIN)
def create_commune():
    form = CommuneForm()
    if form.validate_on_submit():
        try:
            commune = places.create_commune(form.name.data, form.kind.data, form.code.data)
        except places.PlaceError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The commune %(name)s was added.", name=commune.name), "info")
            return redirect(url_for("admin_places.commune", commune_id=commune.id))
    return _index_page(form, 400)


@bp.route("/communes/<int:commune_id>")
@access(ADMIN, OFFICIAL)
def commune(commune_id: int):
    found = get_visible_or_404(visible_communes(current_user), Commune, commune_id)
    return _commune_page(found)


def _commune_page(commune: Commune, status: int = 200, **forms):
    villages = db.session.scalars(visible_villages(current_user).where(
        Village.commune_id == commune.id).order_by(Village.active.desc(), Village.name)).all()
    households = dict(db.session.execute(
        visible_households(current_user).with_only_columns(Household.village_id,
                                                           func.count(Household.id))
        .where(Household.village_id.in_([v.id for v in villages]))
        .group_by(Household.village_id)).all())
    staff = db.session.scalars(select(Account).where(
        Account.commune_id == commune.id, Account.role.in_((Role.AMBASSADOR, Role.OFFICIAL)))
        .order_by(Account.role, Account.name)).all()
    merge = forms.get("merge") or MergeForm()
    merge.target.choices = [(c.id, c.name) for c in db.session.scalars(
        select(Commune).where(Commune.id != commune.id, Commune.active.is_(True))
        .order_by(Commune.name))]
    is_admin = current_user.role == Role.ADMIN
    return render_template(
        "admin/commune.html", commune=commune, villages=villages, households=households,
        staff=staff, is_admin=is_admin, rename=forms.get("rename") or RenameForm(),
        village_form=forms.get("village") or VillageForm(), merge=merge,
        confirm=ConfirmForm(), former=places.former_names(commune),
        history=audit.history("commune", commune.id) if is_admin else []), status


def _admin_commune(commune_id: int) -> Commune:
    return get_visible_or_404(visible_communes(current_user), Commune, commune_id)


@bp.route("/communes/<int:commune_id>/rename", methods=["POST"])
@access(ADMIN)
def rename_commune(commune_id: int):
    commune = _admin_commune(commune_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            places.rename_commune(commune, form.name.data)
        except places.PlaceError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("admin_places.commune", commune_id=commune.id))
    return _commune_page(commune, 400, rename=form)


@bp.route("/communes/<int:commune_id>/villages", methods=["POST"])
@access(ADMIN)
def create_village(commune_id: int):
    commune = _admin_commune(commune_id)
    form = VillageForm()
    if form.validate_on_submit():
        try:
            village = places.create_village(commune, form.name.data, form.kind.data,
                                            form.code.data)
        except places.PlaceError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The village %(name)s was added.", name=village.name), "info")
            return redirect(url_for("admin_places.commune", commune_id=commune.id))
    return _commune_page(commune, 400, village=form)


@bp.route("/communes/<int:commune_id>/merge", methods=["POST"])
@access(ADMIN)
def merge_commune(commune_id: int):
    commune = _admin_commune(commune_id)
    form = MergeForm()
    form.target.choices = [(c.id, c.name) for c in db.session.scalars(
        select(Commune).where(Commune.id != commune.id, Commune.active.is_(True)))]
    if form.validate_on_submit():
        target = db.session.get(Commune, form.target.data)
        try:
            moved = places.merge_communes(commune, target)
        except places.PlaceError as error:
            form.target.errors.append(str(error))
        else:
            # The merged commune's people are counted in the commune they belong to now.
            households_changed(db.session.scalars(
                select(Household.id).join(Village, Household.village_id == Village.id)
                .where(Village.commune_id == target.id)).all())
            db.session.commit()
            flash(_("%(count)s villages moved to %(name)s.", count=moved, name=target.name),
                  "info")
            return redirect(url_for("admin_places.commune", commune_id=target.id))
    return _commune_page(commune, 400, merge=form)


@bp.route("/communes/<int:commune_id>/active", methods=["POST"])
@access(ADMIN)
def commune_active(commune_id: int):
    commune = _admin_commune(commune_id)
    if not ConfirmForm().validate_on_submit():
        return _commune_page(commune, 400)
    places.set_active(commune, request.form.get("active") == "1")
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("admin_places.commune", commune_id=commune.id))


@bp.route("/villages/<int:village_id>")
@access(ADMIN, OFFICIAL)
def village(village_id: int):
    found = get_visible_or_404(visible_villages(current_user), Village, village_id)
    return _village_page(found)


def _village_page(village: Village, status: int = 200, rename=None):
    households = db.session.scalars(visible_households(current_user).where(
        Household.village_id == village.id).order_by(Household.name)).all()
    is_admin = current_user.role == Role.ADMIN
    move_choices = db.session.scalars(visible_villages(current_user).where(
        Village.commune_id == village.commune_id, Village.id != village.id,
        Village.active.is_(True)).order_by(Village.name)).all()
    return render_template(
        "admin/village.html", village=village, households=households, is_admin=is_admin,
        move_choices=move_choices,
        rename=rename or RenameForm(), confirm=ConfirmForm(),
        former=places.former_names(village),
        history=audit.history("village", village.id) if is_admin else []), status


@bp.route("/villages/<int:village_id>/rename", methods=["POST"])
@access(ADMIN)
def rename_village(village_id: int):
    village = get_visible_or_404(visible_villages(current_user), Village, village_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            places.rename_village(village, form.name.data)
        except places.PlaceError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("admin_places.village", village_id=village.id))
    return _village_page(village, 400, rename=form)


@bp.route("/villages/<int:village_id>/active", methods=["POST"])
@access(ADMIN)
def village_active(village_id: int):
    village = get_visible_or_404(visible_villages(current_user), Village, village_id)
    if not ConfirmForm().validate_on_submit():
        return _village_page(village, 400)
    places.set_active(village, request.form.get("active") == "1")
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("admin_places.village", village_id=village.id))


# --- CSV import ------------------------------------------------------------------------------


def _import_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    # Uploads nobody applied are of no use after an hour.
    for old in folder.glob("*.csv"):
        if time.time() - old.stat().st_mtime > IMPORT_LIFETIME_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _pending_upload() -> Path | None:
    token = session.get(IMPORT_KEY)
    if not isinstance(token, str) or not token.isalnum():
        return None
    path = _import_folder() / f"{token}.csv"
    return path if path.exists() else None


@bp.route("/places/import", methods=["GET", "POST"])
@access(ADMIN)
@upload_limit(IMPORT_LIMIT)
def import_villages():
    """Upload, preview every row with its errors, then apply all rows in one go."""
    form = ImportForm()
    communes = visible_communes(current_user)
    if request.method == "POST" and request.form.get("action") == "apply":
        pending = _pending_upload()
        if not ConfirmForm().validate_on_submit() or pending is None:
            form.file.errors = [_("Upload the file again and check it first.")]
            return render_template("admin/import.html", form=form, result=None), 400
        result = csv_import.apply(pending.read_bytes(), communes)
        if not result.ok:
            db.session.rollback()
            return render_template("admin/import.html", form=form, result=result,
                                   confirm=ConfirmForm()), 400
        audit.record("villages.imported", "province", 0, {"villages": len(result.rows)})
        db.session.commit()
        pending.unlink(missing_ok=True)
        session.pop(IMPORT_KEY, None)
        flash(_("%(count)s villages were added.", count=len(result.rows)), "info")
        return redirect(url_for("admin_places.index"))
    if form.validate_on_submit():
        data = form.file.data.read()
        result = csv_import.preview(data, communes)
        if result.ok:
            token = secrets.token_hex(16)
            (_import_folder() / f"{token}.csv").write_bytes(data)
            session[IMPORT_KEY] = token
        return render_template("admin/import.html", form=form, result=result,
                               confirm=ConfirmForm()), 200 if result.ok else 400
    status = 400 if request.method == "POST" else 200
    return render_template("admin/import.html", form=form, result=None), status


@bp.app_context_processor
def admin_words() -> dict:
    from .labels import action_label, object_label

    return {"action_label": action_label, "object_label": object_label,
            "village_kinds": places.VILLAGE_KINDS}
