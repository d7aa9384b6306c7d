"""Digital Families in the demo commune, on both sides of the line: one household that
has reached the criteria (one member's Online safety seen in person by the ambassador),
and one where a single thing is missing ("Lò Thị Ơn: finish Online safety"). Recorded
through the progress and visit modules like real work; ids come from names, so loading
twice adds nothing."""

from .accounts.models import Account
from .ambassadors import visits
from .content.catalog import catalog
from .demo_fieldwork import _ambassador_of, _demo_uuid
from .demo_progress import lesson_events
from .extensions import db
from .families.status import refresh_all
from .learning.progress import record_events
from .models_common import utcnow

THREE = ("public-services", "digital-payments", "online-safety")
# household → [(member, courses done online, courses seen done in person)]
REACHED = ("Hộ Mùa A Chá", [("Mùa A Chá", THREE, ()),
                            ("Hờ Thị Chi", ("online-safety",), ()),
                            ("Mùa A Dế", (), ("online-safety",))])
CLOSE = ("Hộ Lò Văn Pọm", [("Lò Văn Pọm", THREE, ()),
                           ("Lò Văn Tiến", ("online-safety",), ()),
                           ("Lò Thị Mai", ("online-safety",), ())])
# Lò Thị Ơn (Hộ Lò Văn Pọm) has done Online safety up to its last lesson.
ALMOST = ("Hộ Lò Văn Pọm", "Lò Thị Ơn", "online-safety")


def _complete(account, person, slug: str, lessons=None) -> None:
    course = catalog().course(slug)
    events = []
    for number, lesson in enumerate(course.lessons[:lessons]):
        for event in lesson_events(person, course, lesson, True, True,
                                   utcnow().replace(microsecond=0)):
            events.append({**event, "id": _demo_uuid("family", event["id"], number)})
    record_events(account, events)


def load_demo_families(households) -> None:
    by_name = {h.name: h for h in households}
    for household_name, members in (REACHED, CLOSE):
        household = by_name[household_name]
        account = db.session.scalar(db.select(Account).filter_by(household_id=household.id))
        people = {m.name: m for m in household.members}
        for name, online, in_person in members:
            for slug in online:
                _complete(account, people[name], slug)
            for slug in in_person:
                person = people[name]
                visits.record_visits(_ambassador_of(household), [{
                    "id": _demo_uuid("family-visit", household_name, name, slug),
                    "household": household.id, "date": visits.local_today().isoformat(),
                    "present": [person.id], "practised": [],
                    "verified": [{"person": person.id, "course": slug, "skill": skill.id}
                                 for skill in catalog().course(slug).skills],
                    "note": None}])
    household = by_name[ALMOST[0]]
    account = db.session.scalar(db.select(Account).filter_by(household_id=household.id))
    person = next(m for m in household.members if m.name == ALMOST[1])
    course = catalog().course(ALMOST[2])
    _complete(account, person, ALMOST[2], lessons=len(course.lessons) - 1)
    refresh_all()  # every household gets its stored status
