"""The province admin's pages."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..accounts.models import Role
from ..auth import access, visible_communes, visible_villages
from ..extensions import db
from ..places.models import Commune
from ..stats.queries import masked
from ..stats.views import village_rows

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@access(Role.ADMIN.value)
def home():
    communes = db.session.scalars(visible_communes(current_user).order_by(Commune.name)).all()
    rows = village_rows(visible_villages(current_user))
    return render_template("admin/home.html", communes=communes, villages=rows, masked=masked)
