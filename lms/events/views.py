"""The pages of community classes and events (all work with JavaScript off): the commune's
list, the event form, the event's page with its attendees' progress, marking attendance
(search and tap, or a walk-in), unmarking, and the printable sheet."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Person, Role
from ..auth import access, get_visible_or_404
from ..content.catalog import localized
from ..extensions import db
from ..i18n import current_language
from ..places.models import Household, Village
from . import operations as ops
from .forms import ConfirmForm, EventForm, MarkForm, SearchForm, WalkInForm, kind_label
from .models import CommunityEvent, EventAttendance

bp = Blueprint("events", __name__, url_prefix="/events", template_folder="templates")
STAFF = (Role.AMBASSADOR.value, Role.OFFICIAL.value)


@bp.app_context_processor
def event_helpers() -> dict:
    return {"event_kind_label": kind_label}


def _event_or_404(event_id: int) -> CommunityEvent:
    return get_visible_or_404(ops.visible_events(current_user), CommunityEvent, event_id)


def _run_or_404(event_id: int) -> CommunityEvent:
    event = _event_or_404(event_id)
    if not ops.runs(current_user, event):
        abort(404)
    return event


def _commune_villages() -> list[Village]:
    return list(db.session.scalars(select(Village).where(
        Village.commune_id == current_user.commune_id, Village.active.is_(True))
        .order_by(Village.name)))


def _course_choices() -> list[tuple[str, str]]:
    language = current_language().code
    return [(slug, localized(course.titles, language)[0])
            for slug, course in ops.villager_courses().items()]


def _course_titles() -> dict[str, str]:
    return dict(_course_choices())


@bp.route("/")
@access(*STAFF)
def index():
    events = list(db.session.scalars(ops.visible_events(current_user).options(
        selectinload(CommunityEvent.village))
        .order_by(CommunityEvent.held_on.desc(), CommunityEvent.id.desc())))
    today = ops.local_today()
    counts = ops.attendee_counts([e.id for e in events])
    upcoming = sorted((e for e in events if e.held_on >= today), key=lambda e: e.held_on)
    past = [e for e in events if e.held_on < today]
    return render_template("events/list.html", upcoming=upcoming, past=past, counts=counts,
                           today=today)


def _fields(form: EventForm) -> dict:
    return {"title": form.title.data, "kind": form.kind.data, "held_on": form.held_on.data,
            "place": form.place.data,
            "village_id": int(form.village.data) if form.village.data else None,
            "courses": list(form.courses.data or [])}


def _event_form(event: CommunityEvent | None):
    villages = _commune_villages()
    form = EventForm(villages=villages, courses=_course_choices())
    if request.method == "GET":
        if event is None:
            form.held_on.data = ops.local_today()
        else:
            form.title.data, form.kind.data = event.title, event.kind.value
            form.held_on.data, form.place.data = event.held_on, event.place
            form.village.data = str(event.village_id) if event.village_id else ""
            form.courses.data = list(event.courses or [])
    if form.validate_on_submit():
        try:
            if event is None:
                event = ops.create_event(current_user, _fields(form))
                flash(_("Event created."), "info")
            else:
                if ops.update_event(event, current_user, _fields(form)):
                    flash(_("Event saved."), "info")
        except ops.BadAttendance as error:
            db.session.rollback()
            form.held_on.errors = [*form.held_on.errors, str(error)]
        else:
            return redirect(url_for("events.event", event_id=event.id))
    title = _("Change the event") if event else _("New event")
    return render_template("events/form.html", form=form, event=event, title=title), (
        400 if request.method == "POST" else 200)


@bp.route("/new", methods=["GET", "POST"])
@access(*STAFF)
def new_event():
    if not current_user.commune_id:
        abort(404)
    return _event_form(None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@access(*STAFF)
def edit_event(event_id: int):
    return _event_form(_run_or_404(event_id))


def _attendees(event: CommunityEvent, only_reachable: bool):
    """The event's attendance marks the viewer may see by name, oldest first, and how many
    others there are (people of other ambassadors' households)."""
    marks = list(db.session.scalars(
        select(EventAttendance).where(EventAttendance.event_id == event.id)
        .options(selectinload(EventAttendance.person).selectinload(Person.household)
                 .selectinload(Household.village))
        .order_by(EventAttendance.id)))
    if not only_reachable:
        return marks, 0
    reachable = set(db.session.scalars(
        ops.markable_people(current_user, event).with_only_columns(Person.id)))
    shown = [m for m in marks if m.person_id in reachable]
    return shown, len(marks) - len(shown)


@bp.route("/<int:event_id>")
@access(*STAFF)
def event(event_id: int):
    found = _event_or_404(event_id)
    running = ops.runs(current_user, found)
    marks, others = _attendees(found, only_reachable=not running)
    summary, per_person = ops.progress_before_after(
        found, [m.person_id for m in db.session.scalars(select(EventAttendance).where(
            EventAttendance.event_id == found.id))])
    return render_template("events/event.html", event=found, marks=marks, others=others,
                           running=running, summary=summary, per_person=per_person,
                           course_titles=_course_titles(), confirm=ConfirmForm(),
                           can_mark=ops.can_mark_now(found, ops.local_today()),
                           total=len(marks) + others)


def _walk_in_form(event: CommunityEvent, formdata=None) -> WalkInForm:
    households = list(db.session.scalars(
        ops.markable_households(current_user, event)
        .options(selectinload(Household.village)).order_by(Household.name)))
    form = WalkInForm(formdata=formdata, villages=_commune_villages(), households=households,
                      prefix="walkin")
    if event.village_id and not form.village.data:
        form.village.data = str(event.village_id)
    return form


def _mark_page(event: CommunityEvent, walk_in: WalkInForm | None = None, status: int = 200,
               message: str | None = None):
    search = SearchForm(request.args)
    words = search.q.data or ""
    found = ops.search_people(current_user, event, words) if search.validate() else []
    present = ops.present_ids(event)
    return render_template(
        "events/mark.html", event=event, search=search, words=words, found=found,
        present=present, walk_in=walk_in or _walk_in_form(event, formdata=None),
        mark_form=MarkForm(), message=message, new_mark_id=ops.new_mark_id,
        can_mark=ops.can_mark_now(event, ops.local_today()),
        running=ops.runs(current_user, event)), status


# One rule for both methods: with two, an id beyond the database's range answered 405.
@bp.route("/<int:event_id>/attendance", methods=["GET", "POST"])
@access(Role.AMBASSADOR.value, Role.OFFICIAL.value)
def mark(event_id: int):
    event = _event_or_404(event_id)
    if request.method == "GET":
        return _mark_page(event)
    form = MarkForm()
    if not form.validate_on_submit():
        return _mark_page(event, status=400, message=_("Tap a name to mark them present."))
    mark_id = form.mark.data or ops.new_mark_id()
    result = ops.record_attendance(current_user, event,
                                   [{"id": mark_id, "person": form.person.data}])
    back = url_for("events.mark", event_id=event.id, q=request.args.get("q") or None)
    if result.rejected:
        return _mark_page(event, status=400, message=result.rejected[0]["error"])
    name = db.session.scalar(select(Person.name).where(Person.id == form.person.data))
    if result.accepted:
        flash(_("%(name)s is marked present.", name=name), "info")
    else:
        flash(_("%(name)s was already marked present.", name=name), "info")
    return redirect(back)


@bp.route("/<int:event_id>/walk-in", methods=["POST"])
@access(Role.AMBASSADOR.value, Role.OFFICIAL.value)
def walk_in(event_id: int):
    event = _event_or_404(event_id)
    form = _walk_in_form(event, formdata=request.form)
    if not ops.can_mark_now(event, ops.local_today()):
        return _mark_page(event, form, 400,
                          _("Attendance can be marked from the day of the event."))
    if not form.validate_on_submit():
        return _mark_page(event, form, 400)
    village = db.session.get(Village, int(form.village.data))
    household = None
    if form.household.data:
        household = db.session.scalar(ops.markable_households(current_user, event).where(
            Household.id == int(form.household.data)))
        if household is None:
            abort(404)
        if household.village_id != village.id:
            form.household.errors = [_("This household is in another village.")]
            return _mark_page(event, form, 400)
    try:
        person, _result = ops.add_walk_in(
            current_user, event, name=form.name.data, gender=form.gender.data,
            birth_year=form.birth_year.data, village=village, household=household)
    except ops.BadAttendance as error:
        return _mark_page(event, form, 400, str(error))
    flash(_("%(name)s is added and marked present.", name=person.name), "info")
    return redirect(url_for("events.mark", event_id=event.id))


def _mark_or_404(event: CommunityEvent, attendance_id: int) -> EventAttendance:
    """A mark the caller may take back: of someone within their reach at this event."""
    reachable = ops.markable_people(current_user, event).with_only_columns(Person.id)
    return get_visible_or_404(select(EventAttendance).where(
        EventAttendance.event_id == event.id, EventAttendance.person_id.in_(reachable)),
        EventAttendance, attendance_id)


@bp.route("/<int:event_id>/attendance/<int:attendance_id>/remove", methods=["GET", "POST"])
@access(Role.AMBASSADOR.value, Role.OFFICIAL.value)
def unmark(event_id: int, attendance_id: int):
    event = _event_or_404(event_id)
    found = _mark_or_404(event, attendance_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = found.person.name
        ops.remove_attendance(current_user, found)
        flash(_("%(name)s is no longer marked present.", name=name), "info")
        return redirect(url_for("events.event", event_id=event.id))
    return render_template("events/unmark.html", event=event, mark=found, form=form), (
        400 if request.method == "POST" else 200)


@bp.route("/<int:event_id>/sheet")
@access(*STAFF)
def sheet(event_id: int):
    found = _event_or_404(event_id)
    running = ops.runs(current_user, found)
    marks, others = _attendees(found, only_reachable=not running)
    blank = max(10, 25 - len(marks))
    return render_template("events/sheet.html", event=found, marks=marks, others=others,
                           blank_rows=range(blank), course_titles=_course_titles())


@bp.route("/<int:event_id>/people")
@access(Role.AMBASSADOR.value, Role.OFFICIAL.value)
def people(event_id: int):
    """The people the caller may mark at this event, for the phone to keep offline."""
    found = _event_or_404(event_id)
    rows = ops.reachable_rows(current_user, found)
    present = ops.present_ids(found)
    return jsonify({"event": found.id, "people": [
        {"id": pid, "name": name, "village": village, "birth_year": year,
         "present": pid in present, "key": ops.folded(name)}
        for pid, name, village, year in rows]})
