"""The audit trail: an append-only record of who changed what, when, from which device.

Shared by every feature (households and members, consent, visits, PIN resets, and the
admin's pages that read it), so it knows nothing about any of them: a change is an
action name, the kind and id of the object, and the fields that changed.
"""

import enum
import hashlib
import logging
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .models_common import utcnow

# The device cookie that sign-in sets (a random id per phone); kept here only hashed.
DEVICE_COOKIE = "device"
# Sensitive values (ethnicity, PINs) are never copied into the trail: only that they changed.
REDACTED = "(hidden)"


class AuditEntry(db.Model):
    """One change. Rows are only ever added, never updated or deleted."""

    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(48))
    object_id: Mapped[int] = mapped_column(Integer)
    device: Mapped[str | None] = mapped_column(String(16))
    # {"field": [old, new]} for an edit, {"field": new} for a creation.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)


def _json_value(value):
    if isinstance(value, enum.Enum):
        return value.value
    if hasattr(value, "isoformat"):  # dates and times
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return str(value)


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """The fields' current values, JSON-ready, to compare after an edit."""
    return {name: _json_value(getattr(obj, name)) for name in fields}


def differences(before: dict, after: dict, sensitive: frozenset[str] = frozenset()) -> dict:
    """{"field": [old, new]} for every field whose value changed; sensitive ones redacted."""
    changed = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changed[name] = [REDACTED, REDACTED] if name in sensitive else [old, new]
    return changed


def device_fingerprint() -> str | None:
    if not has_request_context():
        return None
    value = request.cookies.get(DEVICE_COOKIE)
    return hashlib.sha256(value.encode()).hexdigest()[:16] if value else None


def record(action: str, object_type: str, object_id: int, changes: dict | None = None,
           account_id: int | None = None, at: datetime | None = None) -> AuditEntry:
    """Add one entry to the session; it is committed with the change it describes."""
    if account_id is None and has_request_context() and current_user.is_authenticated:
        account_id = current_user.id
    entry = AuditEntry(action=action, object_type=object_type, object_id=object_id,
                       changes=changes or {}, account_id=account_id,
                       device=device_fingerprint(), at=at or utcnow())
    db.session.add(entry)
    return entry


def record_refusal(action: str, object_type: str, object_id: int,
                   changes: dict | None = None) -> None:
    """Write a refusal (an access or sign-in refused) at once. Whatever the refused
    request had not committed is rolled back first: nothing of it may be stored. Never
    raises: the trail must not turn a refusal into an error page."""
    try:
        db.session.rollback()
        record(action, object_type, object_id, changes)
        db.session.commit()
    except Exception:  # noqa: BLE001 (logged; the refusal itself must still be answered)
        db.session.rollback()
        logging.getLogger(__name__).exception("audit entry not written: %s", action)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(mapper, connection, target) -> None:
    raise RuntimeError("the audit trail is append-only")


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    """Every entry about one object, newest first."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == object_type,
                                 AuditEntry.object_id == object_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))
