"""A past National Digital Learning Day in the demo commune, run by the first demo
ambassador, with attendees from every village, recorded through the same module as real
attendance. Ids are derived from names, so loading twice adds nothing."""

import hashlib
import uuid
from datetime import date

from sqlalchemy import select

from .accounts.models import Account, Person
from .accounts.operations import normalise_phone
from .events import operations
from .events.models import CommunityEvent, EventKind
from .extensions import db
from .places.models import Household

LEARNING_DAY = date(2026, 10, 10)
TITLE = "Ngày hội toàn dân học tập số"
PLACE = "Nhà văn hoá xã Chiềng Mung"
COURSES = ["public-services", "online-safety", "digital-payments"]
RUN_BY = "0900000003"
# (household, member names) who came
ATTENDEES = [
    ("Hộ Lò Văn Pọm", ["Lò Văn Pọm", "Lò Thị Ơn", "Lò Thị Mai"]),
    ("Hộ Quàng Văn Ỏn", ["Quàng Văn Ỏn"]),
    ("Hộ Giàng A Chứ", ["Giàng A Chứ", "Mùa Thị Dợ"]),
    ("Hộ Nguyễn Văn Hải", ["Nguyễn Văn Hải"]),
    ("Hộ Điêu Chính Tươi", ["Điêu Chính Tươi"]),
]


def _demo_uuid(*parts) -> str:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def load_demo_events(commune_id: int, households: list[Household]) -> None:
    runner = db.session.scalar(select(Account).where(
        Account.phone == normalise_phone(RUN_BY)))
    if runner is None:
        return
    held_on = min(LEARNING_DAY, operations.local_today())
    event = db.session.scalar(select(CommunityEvent).where(
        CommunityEvent.commune_id == commune_id, CommunityEvent.title == TITLE))
    if event is None:
        event = CommunityEvent(commune_id=commune_id, title=TITLE,
                               kind=EventKind.LEARNING_DAY, held_on=held_on, place=PLACE,
                               courses=COURSES, created_by_id=runner.id)
        db.session.add(event)
        db.session.flush()
    by_name = {h.name: h for h in households}
    marks = []
    for household_name, names in ATTENDEES:
        household = by_name.get(household_name)
        if household is None:
            continue
        for person in db.session.scalars(select(Person).where(
                Person.household_id == household.id, Person.name.in_(names))):
            marks.append({"id": _demo_uuid("event", TITLE, person.name), "person": person.id})
    operations.record_attendance(runner, event, marks)
