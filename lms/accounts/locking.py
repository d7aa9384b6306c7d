"""One lock order for everything that re-counts a household: its members' rows, in id
order, before anything else of the household (its Digital Family row, its figures).

A progress batch, a guidance visit and an event mark can each end by re-counting every
member of a household (when its Digital Family status flips). Were one to lock a single
member first and another the household's status row first, two of them could each hold
what the other waits for. Taking the whole household's members first, in one ordered
statement, makes the second wait for the first instead. On SQLite, which writes one
transaction at a time, the statement takes no lock and costs one query.
"""

from collections.abc import Iterable

from sqlalchemy import or_, select

from ..extensions import db
from .models import Person


def lock_people(person_ids: Iterable[int]) -> list[int]:
    """Lock these people and every member of their households; returns the people asked
    for, sorted. FOR NO KEY UPDATE: it does not wait for the key-share locks that storing
    a person's events, visits or marks takes."""
    ids = sorted(set(person_ids))
    if ids:
        households = select(Person.household_id).where(Person.id.in_(ids),
                                                       Person.household_id.is_not(None))
        db.session.execute(select(Person.id).where(or_(Person.id.in_(ids),
                                                       Person.household_id.in_(households)))
                           .order_by(Person.id).with_for_update(key_share=True))
    return ids


def lock_households(household_ids: Iterable[int]) -> None:
    """Lock every member of these households, before their status or figures."""
    ids = sorted({i for i in household_ids if i is not None})
    if ids:
        db.session.execute(select(Person.id).where(Person.household_id.in_(ids))
                           .order_by(Person.id).with_for_update(key_share=True))
