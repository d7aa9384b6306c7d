"""Who may see what: the access rule every route declares, and the scope helpers.

Every query that returns people or progress goes through one of the `visible_*`
helpers, so that an out-of-scope object is simply not found (404), never shown.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import Select, false, select

from .accounts.models import Account, Person, Role, ambassador_assignment
from .extensions import db
from .places.models import Commune, Household, Village

PUBLIC = "public"
SIGNED_IN = "signed_in"
ACCESS_RULES = frozenset({PUBLIC, SIGNED_IN, *(r.value for r in Role)})


def access(*rules: str) -> Callable:
    """Declare and enforce who may call a view: `public`, `signed_in` or role names.

    A signed-in caller whose role is not allowed gets 404, as if the page did not exist.
    """
    unknown = set(rules) - ACCESS_RULES
    if not rules or unknown:
        raise ValueError(f"unknown access rules: {sorted(unknown) or 'none given'}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if PUBLIC not in rules:
                if not current_user.is_authenticated:
                    if request.path.startswith("/api/"):
                        abort(401)
                    return redirect(url_for("accounts.login", next=request.full_path))
                if SIGNED_IN not in rules and current_user.role.value not in rules:
                    _refused("page", 0)
                    abort(404)
            return view(*args, **kwargs)

        guarded.access_rules = frozenset(rules)
        return guarded

    return decorate


def _refused(object_type: str, object_id: int) -> None:
    """Refused accesses go into the audit trail (in a transaction of their own)."""
    from . import audit

    audit.record_refusal("access.refused", object_type, object_id,
                       {"path": request.path[:200], "method": request.method})


def mark_public(view: Callable) -> Callable:
    """Declare a view registered by a library (e.g. Flask's static files) as public."""
    view.access_rules = frozenset({PUBLIC})
    return view


# --- scope -----------------------------------------------------------------------------


def visible_communes(account: Account) -> Select:
    query = select(Commune)
    if account.role == Role.ADMIN:
        return query
    if account.role in (Role.OFFICIAL, Role.AMBASSADOR) and account.commune_id:
        return query.where(Commune.id == account.commune_id)
    return query.where(false())


def visible_villages(account: Account) -> Select:
    query = select(Village)
    if account.role == Role.ADMIN:
        return query
    if account.role == Role.OFFICIAL:
        return query.where(Village.commune_id == account.commune_id)
    if account.role == Role.AMBASSADOR:
        assigned = select(Household.village_id).join(
            ambassador_assignment, ambassador_assignment.c.household_id == Household.id
        ).where(ambassador_assignment.c.account_id == account.id)
        return query.where(Village.id.in_(assigned))
    return query.where(false())


def visible_staff(account: Account) -> Select:
    """Staff accounts the account may see: an official those of their commune (never an
    admin), an admin everyone's."""
    query = select(Account).where(Account.role.in_((Role.AMBASSADOR, Role.OFFICIAL,
                                                    Role.ADMIN)))
    if account.role == Role.ADMIN:
        return query
    if account.role == Role.OFFICIAL and account.commune_id:
        return query.where(Account.commune_id == account.commune_id,
                           Account.role.in_((Role.AMBASSADOR, Role.OFFICIAL)))
    return query.where(false())


def registrable_villages(account: Account) -> Select:
    """Villages where the account may register a new household: an ambassador's commune."""
    if account.role == Role.AMBASSADOR and account.commune_id:
        return select(Village).where(Village.commune_id == account.commune_id,
                                     Village.active.is_(True))
    return select(Village).where(false())


def visible_households(account: Account) -> Select:
    query = select(Household)
    if account.role == Role.ADMIN:
        return query
    if account.role == Role.OFFICIAL:
        return query.join(Village).where(Village.commune_id == account.commune_id)
    if account.role == Role.AMBASSADOR:
        return query.join(
            ambassador_assignment, ambassador_assignment.c.household_id == Household.id
        ).where(ambassador_assignment.c.account_id == account.id)
    own = _own_household_id(account)
    return query.where(Household.id == own) if own else query.where(false())


def visible_people(account: Account) -> Select:
    """People whose data the account may see."""
    query = select(Person)
    if account.role == Role.ADMIN:
        return query
    if account.role == Role.LEARNER and account.household_id is None:
        return query.where(Person.id == account.person_id)
    households = visible_households(account).with_only_columns(Household.id)
    if account.role == Role.LEARNER:
        return query.where(Person.household_id.in_(households))
    people = Person.household_id.in_(households)
    if account.person_id:
        people = people | (Person.id == account.person_id)
    if account.role == Role.OFFICIAL:
        # Staff of the commune (ambassadors' own training) count for the commune too.
        staff = select(Account.person_id).where(
            Account.commune_id == account.commune_id, Account.person_id.is_not(None)
        )
        people = people | Person.id.in_(staff)
    return query.where(people)


def recordable_people(account: Account) -> Select:
    """People the account may record progress for: itself, its household, or (ambassadors,
    in assisted mode) the members of the households assigned to it."""
    if account.role in (Role.LEARNER, Role.AMBASSADOR):
        return visible_people(account)
    return select(Person).where(Person.id == account.person_id) if account.person_id else (
        select(Person).where(false())
    )


def _own_household_id(account: Account) -> int | None:
    if account.household_id:
        return account.household_id
    if account.person is not None:
        return account.person.household_id
    return None


def get_visible_or_404(query: Select, model, object_id: int):
    """Fetch one object through a scope query; anything outside the scope is a 404."""
    found = db.session.scalar(query.where(model.id == object_id))
    if found is None:
        current_app.logger.info("refused access: account=%s %s=%s", current_user.id,
                                model.__name__, object_id)
        _refused(model.__tablename__, object_id)
        abort(404)
    return found


# --- the learner on a shared phone -------------------------------------------------------

ACTIVE_PERSON_KEY = "person_id"
# An ambassador taking a lesson beside a member of an assigned household (assisted mode).
ASSISTED_PERSON_KEY = "assisted_person_id"


def active_person() -> Person | None:
    """The person learning now: the account's own person, the member picked on a
    household's shared phone, or the member an ambassador is helping (both re-checked
    against the scope on every request)."""
    if not current_user.is_authenticated:
        return None
    if current_user.is_household_login:
        person_id = session.get(ACTIVE_PERSON_KEY)
        if person_id is None:
            return None
        person = db.session.get(Person, person_id)
        if person is None or person.household_id != current_user.household_id:
            session.pop(ACTIVE_PERSON_KEY, None)
            return None
        return person
    if current_user.role == Role.AMBASSADOR and session.get(ASSISTED_PERSON_KEY):
        person = db.session.scalar(recordable_people(current_user).where(
            Person.id == session[ASSISTED_PERSON_KEY], Person.household_id.is_not(None)))
        if person is not None:
            return person
        session.pop(ASSISTED_PERSON_KEY, None)
    return current_user.person


def people_ids(query: Select) -> Iterable[int]:
    return db.session.scalars(query.with_only_columns(Person.id)).all()
