"""The commune official's pages: figures for their commune."""

from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Person, Role
from ..api import bp as api_bp
from ..auth import (
    access,
    get_visible_or_404,
    visible_communes,
    visible_households,
    visible_villages,
)
from ..extensions import db
from ..places.models import Commune, Household, Village
from .queries import commune_people, course_figures, masked, people_count

bp = Blueprint("stats", __name__, url_prefix="/official")


def village_rows(villages_query) -> list[dict]:
    """Households and people per village, in one query."""
    rows = db.session.execute(
        select(Village.id, Village.name,
               func.count(func.distinct(Household.id)), func.count(Person.id))
        .select_from(Village)
        .outerjoin(Household, Household.village_id == Village.id)
        .outerjoin(Person, Person.household_id == Household.id)
        .where(Village.id.in_(villages_query.with_only_columns(Village.id)))
        .group_by(Village.id, Village.name)
        .order_by(Village.name)
    ).all()
    return [{"id": r[0], "name": r[1], "households": r[2], "people": r[3]} for r in rows]


def commune_summary(commune: Commune) -> dict:
    people = commune_people(current_user, commune)
    return {"people": people_count(people), "courses": course_figures(people)}


@bp.route("/")
@access(Role.OFFICIAL.value)
def home():
    commune = db.session.scalar(visible_communes(current_user))
    if commune is None:
        abort(404)
    return render_template("stats/home.html", commune=commune, masked=masked,
                           summary=commune_summary(commune),
                           villages=village_rows(visible_villages(current_user)))


@bp.route("/villages/<int:village_id>")
@access(Role.OFFICIAL.value, Role.ADMIN.value)
def village(village_id: int):
    found = get_visible_or_404(visible_villages(current_user), Village, village_id)
    households = db.session.scalars(
        visible_households(current_user).where(Household.village_id == found.id)
        .options(selectinload(Household.members)).order_by(Household.name)
    ).all()
    return render_template("stats/village.html", village=found, households=households)


@api_bp.route("/stats/communes/<int:commune_id>")
@access(Role.OFFICIAL.value, Role.ADMIN.value)
def commune_stats(commune_id: int):
    """The official home's headline figures; counts under 5 are given as "<5"."""
    commune = get_visible_or_404(visible_communes(current_user), Commune, commune_id)
    summary = commune_summary(commune)
    return jsonify({
        "commune": {"id": commune.id, "name": commune.name},
        "people": masked(summary["people"]),
        "courses": [{"slug": c.slug, "started": masked(c.started),
                     "completed": masked(c.completed)} for c in summary["courses"]],
    })
