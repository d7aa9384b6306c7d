"""Learner pages."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..accounts.models import Role
from ..auth import access, active_person

bp = Blueprint("learning", __name__)


@bp.route("/learn")
@access(Role.LEARNER.value)
def home():
    person = active_person()
    if person is None:
        return redirect(url_for("accounts.pick_person"))
    return render_template("learning/home.html", person=person, account=current_user)
