"""The Digital Ambassador's pages: their households and the people in them."""


from flask import Blueprint, abort, render_template, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..accounts.models import Account, Person, Role
from ..accounts.operations import display_phone
from ..auth import access, get_visible_or_404, visible_households, visible_people
from ..extensions import db
from ..i18n import current_language
from ..places.models import Household
from ..stats.queries import member_activity
from . import consent, queries, visits
from .forms import ConfirmForm

bp = Blueprint("ambassadors", __name__, url_prefix="/ambassador", template_folder="templates")
STAFF = (Role.AMBASSADOR.value, Role.OFFICIAL.value, Role.ADMIN.value)


def household_crumbs(household: Household, *tail) -> list[tuple[str, str | None]]:
    """Village → household → …: `tail` is (label, url) pairs, then the current page."""
    if current_user.role == Role.AMBASSADOR:
        village_url = url_for("ambassadors.home", _anchor=f"village-{household.village_id}")
    else:
        village_url = url_for("stats.village", village_id=household.village_id)
    items = [(household.village.name, village_url)]
    items.append((household.name, url_for("ambassadors.household",
                                          household_id=household.id)))
    rest = list(tail)
    while len(rest) > 1:
        items.append((rest.pop(0), rest.pop(0)))
    if rest:
        items.append((rest[0], None))
    return items


@bp.app_context_processor
def field_work_helpers() -> dict:
    return {"lesson_title": lambda course, lesson: queries.lesson_title(
        course, lesson, current_language().code),
        "skill_title": lambda course, skill: queries.skill_title(
            course, skill, current_language().code)}


@bp.app_template_filter("phone")
def phone_filter(e164: str | None) -> str:
    return display_phone(e164) if e164 else ""


def history_context(object_type: str, object_id: int) -> dict:
    """The audit trail of one object and the names of who made each change."""
    entries = audit.history(object_type, object_id)
    ids = {entry.account_id for entry in entries if entry.account_id}
    authors = dict(db.session.execute(
        db.select(Account.id, Account.name).where(Account.id.in_(ids))).all()) if ids else {}
    return {"history": entries, "authors": authors}


@bp.route("/")
@access(Role.AMBASSADOR.value)
def home():
    by_village = queries.home_lines(visible_households(current_user))
    lines = [line for _village, village_lines in by_village for line in village_lines]
    # Each count's words once per page, not once per row: 200 rows stay fast.
    members = {n: ngettext("%(num)s member", "%(num)s members", n)
               for n in {line.members for line in lines}}
    courses = {n: ngettext("%(num)s course done", "%(num)s courses done", n)
               for n in {line.courses_completed for line in lines}}
    visited = {day: _("visited %(date)s", date=format_date(day, "short"))
               for day in {line.last_visit for line in lines if line.last_visit}}
    return render_template("ambassadors/home.html", by_village=by_village,
                           members_label=members, courses_label=courses,
                           visited_label=visited)


@bp.route("/households/<int:household_id>")
@access(*STAFF)
def household(household_id: int):
    found = get_visible_or_404(visible_households(current_user), Household, household_id)
    recent = visits.household_visits(found.id)
    return render_template("ambassadors/household.html", household=found, visits=recent,
                           correctable={v.id for v in recent
                                        if visits.correctable(v, current_user)},
                           activity=member_activity(found.members),
                           flags=queries.flags_of([m.id for m in found.members]),
                           confirm=ConfirmForm(), crumbs=household_crumbs(found),
                           **history_context("household", found.id))


@bp.route("/people/<int:person_id>")
@access(*STAFF)
def person(person_id: int):
    """A household member as staff see them: progress per lesson, skills, visits, consent."""
    found = get_visible_or_404(visible_people(current_user), Person, person_id)
    if found.household is None:
        abort(404)  # staff members' own training is on their own pages
    return render_template("ambassadors/person.html", person=found,
                           courses=queries.person_progress(found.id),
                           consent=consent.current_consent(found.id),
                           skills=queries.verified_skills(found.id),
                           assisted=queries.assisted_lessons(found.id),
                           visits=queries.person_visits(found.id),
                           flags=queries.flags_of([found.id]).get(found.id, []),
                           ethnic_groups=consent.ETHNIC_GROUPS,
                           confirm=ConfirmForm(),
                           crumbs=household_crumbs(found.household, found.name),
                           **history_context("person", found.id))


from . import household_views, person_views, pin_views, visit_views  # noqa: E402,F401  (routes register on bp)
