"""The Digital Ambassador's pages: their households and the people in them."""

from itertools import groupby

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..accounts.models import Role
from ..auth import access, get_visible_or_404, visible_households
from ..extensions import db
from ..places.models import Household, Village
from ..stats.queries import member_activity

bp = Blueprint("ambassadors", __name__, url_prefix="/ambassador")


@bp.route("/")
@access(Role.AMBASSADOR.value)
def home():
    households = db.session.scalars(
        visible_households(current_user)
        .join(Household.village, isouter=False)
        .options(selectinload(Household.members), selectinload(Household.village))
        .order_by(Village.name, Household.name)
    ).all()
    by_village = [(village, list(group)) for village, group in
                  groupby(households, key=lambda h: h.village)]
    activity = member_activity([m for h in households for m in h.members])
    return render_template("ambassadors/home.html", by_village=by_village, activity=activity)


@bp.route("/households/<int:household_id>")
@access(Role.AMBASSADOR.value, Role.OFFICIAL.value, Role.ADMIN.value)
def household(household_id: int):
    found = get_visible_or_404(visible_households(current_user), Household, household_id)
    return render_template("ambassadors/household.html", household=found,
                           activity=member_activity(found.members))
