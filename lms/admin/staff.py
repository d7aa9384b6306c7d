"""Staff accounts and assignments: create an ambassador or official with their commune,
deactivate, give a temporary password, sign out everywhere, and assign households to
ambassadors. The caller commits; every change is in the audit trail.

Who may do what: an admin anything; an official only inside their own commune, only for
ambassadors (never a role equal to or above their own), and never an admin's account.
"""

import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select

from .. import audit
from ..accounts import second_factor
from ..accounts.models import Account, Person, Role, ambassador_assignment
from ..accounts.operations import InvalidInput, create_account, set_secret
from ..accounts.sessions import end_all_sessions
from ..extensions import db
from ..places.models import Household, Village
from ..stats.rollups import households_changed

_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ACCOUNT_FIELDS = ("name", "phone", "role", "commune_id", "active")


def roles_granted_by(account: Account) -> list[Role]:
    """The roles an account may give: below its own (an admin may give any staff role)."""
    if account.role == Role.ADMIN:
        return [Role.AMBASSADOR, Role.OFFICIAL, Role.ADMIN]
    if account.role == Role.OFFICIAL:
        return [Role.AMBASSADOR]
    return []


def may_manage(actor: Account, staff: Account) -> bool:
    """Whether `actor` may change `staff` (deactivate, reset, sign out, assign)."""
    if actor.role == Role.ADMIN:
        return True
    return (actor.role == Role.OFFICIAL and staff.role == Role.AMBASSADOR
            and staff.commune_id == actor.commune_id)


def temporary_secret() -> str:
    raw = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def create_staff(actor: Account, *, name: str, phone: str, role: Role,
                 commune_id: int | None) -> tuple[Account, str]:
    """A staff account with its own person (for their training) and a temporary secret,
    which the caller shows once; it must be changed at the first sign-in."""
    if role not in roles_granted_by(actor):
        raise InvalidInput(_("You cannot give this role."))
    if actor.role == Role.OFFICIAL:
        commune_id = actor.commune_id
    if role == Role.ADMIN:
        commune_id = None
    secret = temporary_secret()
    person = Person(name=name)
    db.session.add(person)
    db.session.flush()
    account = create_account(phone=phone, name=name, role=role, secret=secret,
                             commune_id=commune_id, person_id=person.id)
    account.must_change_secret = True
    db.session.flush()
    audit.record("account.created", "account", account.id,
                 audit.snapshot(account, ACCOUNT_FIELDS))
    return account, secret


def set_active(staff: Account, active: bool) -> None:
    if staff.active == active:
        return
    staff.active = active
    if not active:
        end_all_sessions(staff)
    audit.record("account.deactivated" if not active else "account.reactivated", "account",
                 staff.id, {"active": [not active, active]})


def reset_secret(staff: Account) -> str:
    """A temporary secret (shown once by the caller); every device is signed out."""
    secret = temporary_secret()
    set_secret(staff, secret)
    staff.must_change_secret = True
    audit.record("account.secret_reset", "account", staff.id)
    return secret


def sign_out_everywhere(staff: Account) -> int:
    ended = end_all_sessions(staff)
    audit.record("account.signed_out_everywhere", "account", staff.id, {"devices": ended})
    return ended


def reset_second_factor(staff: Account) -> None:
    """For a lost phone: the factor is removed (set up again at the next sign-in when the
    role requires it) and every device is signed out."""
    second_factor.turn_off(staff, reason="admin")
    end_all_sessions(staff)


# --- assignments ---------------------------------------------------------------------------


def assigned_ids(ambassador: Account) -> set[int]:
    return set(db.session.scalars(select(ambassador_assignment.c.household_id).where(
        ambassador_assignment.c.account_id == ambassador.id)))


def assign(ambassador: Account, households: list[Household]) -> int:
    """Assign households of the ambassador's commune; returns how many were new."""
    if ambassador.role != Role.AMBASSADOR or not ambassador.active:
        raise InvalidInput(_("Households can only be given to an active ambassador."))
    already = assigned_ids(ambassador)
    added, newly = 0, []
    for household in households:
        if household.village.commune_id != ambassador.commune_id:
            raise InvalidInput(_("%(name)s is not in the ambassador's commune.",
                                 name=household.name))
        if household.id in already:
            continue
        db.session.execute(insert(ambassador_assignment).values(
            account_id=ambassador.id, household_id=household.id))
        audit.record("assignment.added", "household", household.id,
                     {"ambassador": ambassador.id})
        already.add(household.id)
        added += 1
        newly.append(household.id)
    households_changed(newly)  # the "ambassadors" cohort follows
    return added


def assign_village(ambassador: Account, village: Village, households_query) -> int:
    """Every active household of a village (within the caller's scope)."""
    households = db.session.scalars(households_query.where(
        Household.village_id == village.id, Household.active.is_(True))).all()
    return assign(ambassador, list(households))


def unassign(ambassador: Account, household: Household) -> None:
    result = db.session.execute(delete(ambassador_assignment).where(
        ambassador_assignment.c.account_id == ambassador.id,
        ambassador_assignment.c.household_id == household.id))
    if result.rowcount:
        audit.record("assignment.removed", "household", household.id,
                     {"ambassador": ambassador.id})
        households_changed([household.id])
