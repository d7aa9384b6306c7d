"""The field-work API of DESIGN.md §4.6: households and people in the caller's scope, and
guidance visits sent by the ambassador's phone (also from its offline queue)."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Account, Person, Role
from ..ambassadors import queries
from ..ambassadors.models import GuidanceVisit
from ..ambassadors.visits import MAX_BATCH, record_visits
from ..auth import access, get_visible_or_404, visible_households, visible_people
from ..extensions import db
from ..families.status import statuses
from ..places.models import Household
from . import bp

STAFF = (Role.AMBASSADOR.value, Role.OFFICIAL.value, Role.ADMIN.value)


def _bad_request(message: str):
    return jsonify({"error": message, "status": 400}), 400


@bp.route("/households")
@access(*STAFF)
def households():
    found = db.session.scalars(
        visible_households(current_user).where(Household.active.is_(True))
        .options(selectinload(Household.members), selectinload(Household.village))
        .order_by(Household.id)).all()
    ids = [h.id for h in found]
    last_visits = dict(db.session.execute(
        select(GuidanceVisit.household_id, func.max(GuidanceVisit.visited_on))
        .where(GuidanceVisit.household_id.in_(ids))
        .group_by(GuidanceVisit.household_id)).all()) if ids else {}
    flags = queries.needs_help_by_person([m.id for h in found for m in h.members])
    families = statuses(ids)
    body = []
    for household in found:
        members = [m for m in household.members if m.active]
        last = last_visits.get(household.id)
        body.append({
            "id": household.id, "name": household.name,
            "village": {"id": household.village.id, "name": household.village.name},
            "members": [{"id": m.id, "name": m.name,
                         "gender": m.gender.value if m.gender else None,
                         "birth_year": m.birth_year} for m in members],
            "needs_help": [flag for m in members for flag in flags.get(m.id, [])],
            "last_visit": last.isoformat() if last else None,
            "digital_family": _digital_family(families.get(household.id)),
        })
    return jsonify(body)


def _digital_family(stored) -> dict:
    reached = bool(stored and stored.reached)
    return {"reached": reached,
            "since": stored.since.isoformat() if reached and stored.since else None}


@bp.route("/people/<int:person_id>")
@access(*STAFF)
def person(person_id: int):
    found = get_visible_or_404(visible_people(current_user), Person, person_id)
    progress = [{"course": row.course, "lesson": row.lesson, "status": row.status.value,
                 "best_score": row.best_score, "attempts": row.attempts,
                 "last_seen": row.last_seen.isoformat()}
                for row in sorted(queries.progress_rows(found.id),
                                  key=lambda r: (r.course, r.lesson))]
    skills = queries.verified_skills(found.id)
    names = dict(db.session.execute(select(Account.id, Account.name).where(
        Account.id.in_({s.verified_by_id for s in skills if s.verified_by_id})))
        .all()) if skills else {}
    return jsonify({
        "id": found.id, "name": found.name, "household": found.household_id,
        "progress": progress,
        "skills": [{"course": s.course, "skill": s.skill,
                    "verified_by": names.get(s.verified_by_id),
                    "verified_on": s.verified_on.isoformat()} for s in skills],
        "needs_help": queries.needs_help_by_person([found.id]).get(found.id, []),
    })


@bp.route("/visits", methods=["POST"])
@access(Role.AMBASSADOR.value)
def post_visits():
    body = request.get_json(silent=True)
    items = body.get("visits") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return _bad_request(_('The body must be {"visits": [...]}.'))
    if len(items) > MAX_BATCH:
        return _bad_request(_("At most %(count)s visits at once.", count=MAX_BATCH))
    return jsonify(record_visits(current_user, items).as_json())
