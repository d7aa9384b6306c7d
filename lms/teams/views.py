"""Digital Ambassador teams: officials (their commune) and admins (any commune) make and fill
them; every member reads their own team's page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func

from ..accounts.models import Account, Role
from ..accounts.operations import InvalidInput
from ..auth import access, get_visible_or_404, visible_communes
from ..extensions import db
from ..places.models import Commune
from . import operations
from .forms import AddMemberForm, NewTeamForm, RemoveMemberForm, TeamForm
from .models import AmbassadorTeam, team_member
from .queries import Month, may_manage, team_figures, visible_teams

bp = Blueprint("teams", __name__, url_prefix="/teams", template_folder="templates")
MANAGERS = (Role.OFFICIAL.value, Role.ADMIN.value)
READERS = (*MANAGERS, Role.AMBASSADOR.value)


@bp.app_context_processor
def team_links() -> dict:
    def my_teams() -> list[tuple[int, str]]:
        """The signed-in ambassador's teams, for a link from their home (queried on use)."""
        if not current_user.is_authenticated or current_user.role != Role.AMBASSADOR:
            return []
        return list(db.session.execute(
            visible_teams(current_user).with_only_columns(AmbassadorTeam.id,
                                                          AmbassadorTeam.name)
            .order_by(AmbassadorTeam.name)))

    return {"my_teams": my_teams}


def _team(team_id: int, manage: bool = False) -> AmbassadorTeam:
    """A team in the caller's scope; one they may only read is a 404 for a change."""
    team = get_visible_or_404(visible_teams(current_user), AmbassadorTeam, team_id)
    if manage and not may_manage(current_user, team):
        abort(404)
    return team


@bp.route("/")
@access(*READERS)
def index():
    teams = db.session.execute(
        visible_teams(current_user).join(Commune)
        .outerjoin(team_member, team_member.c.team_id == AmbassadorTeam.id)
        .with_only_columns(AmbassadorTeam, Commune.name,
                           func.count(team_member.c.account_id))
        .group_by(AmbassadorTeam.id, Commune.name)
        .order_by(Commune.name, AmbassadorTeam.name)).all()
    return render_template("teams/index.html", teams=teams,
                           may_create=current_user.role != Role.AMBASSADOR)


@bp.route("/new", methods=["GET", "POST"])
@access(*MANAGERS)
def new():
    form = NewTeamForm()
    communes = {c.id: c for c in db.session.scalars(
        visible_communes(current_user).order_by(Commune.name))}
    if current_user.role == Role.ADMIN:
        form.commune.choices = [(-1, _("Choose the commune"))] + [
            (c.id, c.name) for c in communes.values()]
    else:
        del form.commune  # an official's team is of their own commune, whatever is posted
    if form.validate_on_submit():
        commune = (communes.get(form.commune.data) if current_user.role == Role.ADMIN
                   else communes.get(current_user.commune_id))
        if commune is None:
            if current_user.role != Role.ADMIN:
                abort(404)
            form.commune.errors = [_("Choose the commune.")]
        else:
            try:
                team = operations.create_team(commune, form.name.data, current_user)
            except InvalidInput as error:
                db.session.rollback()
                form.name.errors = [str(error)]
            else:
                flash(_("The team %(name)s was created. Now add its ambassadors.",
                        name=team.name), "info")
                return redirect(url_for("teams.team", team_id=team.id))
    crumbs = [(_("Ambassador teams"), url_for("teams.index")), (_("New team"), None)]
    return render_template("teams/form.html", form=form, crumbs=crumbs,
                           title=_("New ambassador team"), submit=_("Create the team")), \
        400 if request.method == "POST" else 200


@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
@access(*MANAGERS)
def rename(team_id: int):
    team = _team(team_id, manage=True)
    form = TeamForm(obj=team if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.rename_team(team, form.name.data)
        except InvalidInput as error:
            db.session.rollback()
            form.name.errors = [str(error)]
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("teams.team", team_id=team.id))
    crumbs = [(_("Ambassador teams"), url_for("teams.index")),
              (team.name, url_for("teams.team", team_id=team.id)), (_("Rename"), None)]
    return render_template("teams/form.html", form=form, crumbs=crumbs,
                           title=_("Rename the team"), submit=_("Save")), \
        400 if request.method == "POST" else 200


def _team_page(team: AmbassadorTeam, add_form: AddMemberForm | None = None,
               error: str | None = None, status: int = 200):
    members = list(team.members)
    manage = may_manage(current_user, team)
    addable: list[Account] = []
    if manage:
        addable = list(db.session.scalars(operations.addable_ambassadors(team)))
        add_form = add_form or AddMemberForm(formdata=None)
        add_form.account.choices = [(-1, _("Choose an ambassador"))] + [
            (a.id, a.name) for a in addable]
    month = Month.now()
    crumbs = [(_("Ambassador teams"), url_for("teams.index")), (team.name, None)]
    return render_template("teams/team.html", team=team, members=members, manage=manage,
                           addable=addable, add_form=add_form, remove_form=RemoveMemberForm(),
                           figures=team_figures([m.id for m in members], month), month=month,
                           error=error, crumbs=crumbs), status


@bp.route("/<int:team_id>")
@access(*READERS)
def team(team_id: int):
    return _team_page(_team(team_id))


@bp.route("/<int:team_id>/members", methods=["POST"])
@access(*MANAGERS)
def add_member(team_id: int):
    team = _team(team_id, manage=True)
    form = AddMemberForm()
    if form.validate_on_submit() and form.account.data not in (None, -1):
        try:
            account = operations.add_member(team, form.account.data)
        except InvalidInput as error:
            db.session.rollback()
            form.account.errors = [str(error)]
        else:
            flash(_("%(name)s joined the team.", name=account.name), "info")
            return redirect(url_for("teams.team", team_id=team.id))
    elif not form.errors:
        form.account.errors = [_("Choose an active ambassador of this commune who is not in "
                                 "the team yet.")]
    return _team_page(team, add_form=form, status=400)


@bp.route("/<int:team_id>/members/<int:account_id>/remove", methods=["POST"])
@access(*MANAGERS)
def remove_member(team_id: int, account_id: int):
    team = _team(team_id, manage=True)
    if not RemoveMemberForm().validate_on_submit():
        abort(400)
    try:
        account = operations.remove_member(team, account_id)
    except InvalidInput as error:
        db.session.rollback()
        return _team_page(team, error=str(error), status=400)
    flash(_("%(name)s left the team. Their visits and training are kept.",
            name=account.name), "info")
    return redirect(url_for("teams.team", team_id=team.id))
