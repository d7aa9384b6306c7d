"""The guidance visit form (works with JavaScript off) and its 7-day correction."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Role
from ..auth import access, get_visible_or_404, visible_households
from ..content.catalog import catalog, lesson_text, localized
from ..extensions import db
from ..i18n import current_language
from ..places.models import Household
from . import consent, visits
from .forms import VisitForm
from .models import GuidanceVisit
from .views import bp, household_crumbs

AMBASSADOR = Role.AMBASSADOR.value


def _choices(form: VisitForm, household: Household) -> dict:
    """Fill the form's choices from the household and the courses; what the page shows."""
    language = current_language().code
    members = [m for m in household.members if m.active]
    agreed = consent.consented_ids([m.id for m in members])
    form.present.choices = [(m.id, m.name) for m in members]
    courses, lessons, skills = [], [], []
    for course in catalog().for_track("villager"):
        title = localized(course.titles, language)[0]
        course_lessons = [(f"{course.slug}/{lesson.slug}",
                           lesson_text(lesson, language)[0].title) for lesson in course.lessons]
        course_skills = [(f"{course.slug}/{skill.id}", localized(skill.titles, language)[0])
                         for skill in course.skills]
        lessons += course_lessons
        skills += course_skills
        courses.append({"title": title, "lessons": course_lessons, "skills": course_skills})
    form.practised.choices = lessons
    form.verified.choices = [(f"{m.id}/{value}", label) for m in members if m.id in agreed
                             for value, label in skills]
    ticked = {value.partition("/")[0] for value in form.verified.data or []}
    return {"members": members, "agreed": agreed, "courses": courses,
            "open_members": {m.id for m in members if str(m.id) in ticked}}


def _raw_visit(form: VisitForm, household: Household) -> dict:
    """The form as a visit in the API's shape, so both go through one check."""
    members = {m.id for m in household.members}
    if any(person not in members for person in form.present.data or []):
        abort(404)  # an id from outside the household, sent by hand
    verified = []
    for value in form.verified.data or []:
        person, _sep, rest = value.partition("/")
        course, _sep, skill = rest.partition("/")
        if not person.isdigit() or int(person) not in members:
            abort(404)
        verified.append({"person": int(person), "course": course, "skill": skill})
    practised = [dict(zip(("course", "lesson"), value.partition("/")[::2], strict=True))
                 for value in form.practised.data or []]
    return {"household": household.id, "date": form.visited_on.data,
            "present": form.present.data or [], "practised": practised,
            "verified": verified, "note": form.note.data}


def _show_error(form: VisitForm, error: visits.BadVisit) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is None:
        target = form.present
    target.errors = [*target.errors, str(error)]


def _render(form, household, page, status, visit=None):
    today = visits.local_today()
    title = _("Correct the visit") if visit else _("Record a visit")
    return render_template("ambassadors/visit_form.html", form=form, household=household,
                           title=title, today=today.isoformat(), visit=visit,
                           crumbs=household_crumbs(household, title), **page), status


@bp.route("/households/<int:household_id>/visits/new", methods=["GET", "POST"])
@access(AMBASSADOR)
def record_visit(household_id: int):
    household = get_visible_or_404(
        visible_households(current_user).where(Household.active.is_(True)), Household,
        household_id)
    form = VisitForm()
    if request.method == "GET":
        form.visited_on.data = visits.local_today()
    page = _choices(form, household)
    if form.validate_on_submit():
        raw = {"id": visits.new_visit_id(), **_raw_visit(form, household)}
        try:
            visits.check_visit(raw, visits.ambassador_households(current_user),
                               visits.local_today())
        except visits.BadVisit as error:
            _show_error(form, error)
        else:
            visits.record_visits(current_user, [{**raw, "date": raw["date"].isoformat()}])
            flash(_("Visit recorded."), "info")
            return redirect(url_for("ambassadors.household", household_id=household.id))
    return _render(form, household, page, 400 if request.method == "POST" else 200)


@bp.route("/visits/<int:visit_id>/edit", methods=["GET", "POST"])
@access(AMBASSADOR)
def correct_visit(visit_id: int):
    households = visible_households(current_user).with_only_columns(Household.id)
    visit = get_visible_or_404(select(GuidanceVisit).where(
        GuidanceVisit.household_id.in_(households)), GuidanceVisit, visit_id)
    if not visits.correctable(visit, current_user):
        abort(404)
    household = visit.household
    form = VisitForm()
    if request.method == "GET":
        form.visited_on.data = visit.visited_on
        form.present.data = [p.id for p in visit.present]
        form.practised.data = [f"{p['course']}/{p['lesson']}" for p in visit.practised]
        form.verified.data = [f"{v.person_id}/{v.course}/{v.skill}" for v in visit.verified]
        form.note.data = visit.note
    page = _choices(form, household)
    if form.validate_on_submit():
        try:
            visits.correct_visit(visit, current_user, _raw_visit(form, household))
        except visits.BadVisit as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            flash(_("The visit is corrected. The earlier version is kept in the history."),
                  "info")
            return redirect(url_for("ambassadors.household", household_id=household.id))
    return _render(form, household, page, 400 if request.method == "POST" else 200, visit)
