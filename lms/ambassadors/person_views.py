"""What an ambassador does for one member: consent (and withdrawing it), and taking a
lesson beside them (assisted learning)."""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..accounts.operations import InvalidInput
from ..auth import ASSISTED_PERSON_KEY, access
from ..extensions import db
from . import consent
from .forms import ConfirmForm, ConsentForm
from .household_views import own_member
from .models import ConsentChannel
from .views import bp, household_crumbs

AMBASSADOR = Role.AMBASSADOR.value


@bp.route("/people/<int:person_id>/consent", methods=["GET", "POST"])
@access(AMBASSADOR)
def record_consent(person_id: int):
    person = own_member(person_id)
    form = ConsentForm()
    adults = consent.possible_representatives(person)
    child = consent.is_child(person)
    form.representative.choices = [(0, _("Choose"))] + [(m.id, m.name) for m in adults]
    form.ethnicity.choices = [("", _("Not said"))] + [
        (code, str(name)) for code, name in consent.ETHNIC_GROUPS.items()]
    error, status = None, 200
    if form.validate_on_submit():
        chosen = form.representative.data or None
        if chosen and chosen not in {m.id for m in adults}:
            abort(404)  # an id from outside the household, sent by hand
        try:
            consent.give_consent(person, current_user,
                                 channel=ConsentChannel(form.channel.data),
                                 representative_id=chosen,
                                 child_agreed=bool(form.child_agrees.data),
                                 ethnicity=form.ethnicity.data or None)
        except InvalidInput as problem:
            db.session.rollback()
            error, status = str(problem), 400
        else:
            flash(_("Consent recorded."), "info")
            return redirect(url_for("ambassadors.person", person_id=person.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "ambassadors/consent.html", person=person, form=form, child=child,
        needs_assent=consent.needs_child_assent(person), text=consent.consent_text(),
        error=error, crumbs=household_crumbs(
            person.household, person.name,
            url_for("ambassadors.person", person_id=person.id), _("Consent"))), status


@bp.route("/people/<int:person_id>/consent/withdraw", methods=["POST"])
@access(AMBASSADOR)
def withdraw_consent(person_id: int):
    person = own_member(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if consent.withdraw_consent(person):
        flash(_("Consent withdrawn. The ethnic group was removed."), "info")
    return redirect(url_for("ambassadors.person", person_id=person.id))


@bp.route("/people/<int:person_id>/assist", methods=["POST"])
@access(AMBASSADOR)
def assist(person_id: int):
    """Take lessons beside this member on the ambassador's phone: progress is theirs, each
    event carries the ambassador's account (shown as "with ambassador")."""
    person = own_member(person_id)
    if not ConfirmForm().validate_on_submit() or not person.active:
        abort(400)
    session[ASSISTED_PERSON_KEY] = person.id
    flash(_("You are now learning with %(name)s. Their progress is saved for them.",
            name=person.name), "info")
    return redirect(url_for("learning.home"))


@bp.route("/assist/stop", methods=["POST"])
@access(AMBASSADOR)
def stop_assisting():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person_id = session.pop(ASSISTED_PERSON_KEY, None)
    if person_id is not None:
        return redirect(url_for("ambassadors.person", person_id=person_id))
    return redirect(url_for("ambassadors.home"))
