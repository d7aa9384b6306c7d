"""Community classes and events in the field-work API (DESIGN.md §4.6): the events in the
caller's scope, and attendance sent by the phone (also from its offline queue)."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..accounts.models import Role
from ..auth import access, get_visible_or_404
from ..events import operations as ops
from ..events.models import CommunityEvent
from ..extensions import db
from . import bp


def _bad_request(message: str):
    return jsonify({"error": message, "status": 400}), 400


@bp.route("/events")
@access(Role.AMBASSADOR.value, Role.OFFICIAL.value, Role.ADMIN.value)
def events():
    found = list(db.session.scalars(ops.visible_events(current_user).options(
        selectinload(CommunityEvent.village))
        .order_by(CommunityEvent.held_on.desc(), CommunityEvent.id.desc())))
    counts = ops.attendee_counts([e.id for e in found])
    return jsonify([{
        "id": e.id, "title": e.title, "kind": e.kind.value, "date": e.held_on.isoformat(),
        "village": {"id": e.village.id, "name": e.village.name} if e.village else None,
        "courses": list(e.courses or []), "attendees": counts.get(e.id, 0),
    } for e in found])


@bp.route("/events/<int:event_id>/attendance", methods=["POST"])
@access(Role.AMBASSADOR.value, Role.OFFICIAL.value)
def post_attendance(event_id: int):
    event = get_visible_or_404(ops.visible_events(current_user), CommunityEvent, event_id)
    body = request.get_json(silent=True)
    items = body.get("attendance") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return _bad_request(_('The body must be {"attendance": [...]}.'))
    if len(items) > ops.MAX_BATCH:
        return _bad_request(_("At most %(count)s marks at once.", count=ops.MAX_BATCH))
    return jsonify(ops.record_attendance(current_user, event, items).as_json())
