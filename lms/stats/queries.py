"""Per-person activity for staff who see named people (ambassadors). The commune figures,
which never name anyone, are in `figures` (summed from rollups)."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..accounts.models import Person
from ..extensions import db
from ..learning.models import LessonProgress, Status


@dataclass(frozen=True)
class MemberActivity:
    person: Person
    completed: int
    last_seen: object
    stuck: bool


def member_activity(people: list[Person]) -> dict[int, MemberActivity]:
    """Lessons completed, last activity and whether someone is stuck (a failed quiz not
    yet passed), per person, in one query."""
    if not people:
        return {}
    rows = db.session.execute(
        select(LessonProgress.person_id,
               func.sum(case((LessonProgress.status == Status.COMPLETED, 1), else_=0)),
               func.max(LessonProgress.last_seen),
               func.sum(case((LessonProgress.status == Status.FAILED, 1), else_=0)))
        .where(LessonProgress.person_id.in_([p.id for p in people]))
        .group_by(LessonProgress.person_id)
    ).all()
    found = {row[0]: row for row in rows}
    result = {}
    for person in people:
        row = found.get(person.id)
        result[person.id] = MemberActivity(
            person=person, completed=int(row[1] or 0) if row else 0,
            last_seen=row[2] if row else None, stuck=bool(row and row[3]))
    return result
