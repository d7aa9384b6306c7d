"""Completing courses and verifying skills through the real write paths, for the Digital
Family tests."""

import re
import uuid

from lms.accounts.models import Account
from lms.ambassadors.visits import local_today, record_visits
from lms.content.catalog import catalog
from lms.demo_progress import lesson_events
from lms.extensions import db
from lms.learning.progress import record_events
from lms.models_common import utcnow

VILLAGER_THREE = ("public-services", "digital-payments", "online-safety")


def complete_online(person, course_slug: str, lessons: int | None = None) -> None:
    """The person finishes the course's lessons (all, or the first `lessons`) on the
    household's phone, through the progress module."""
    account = db.session.scalar(db.select(Account).filter_by(household_id=person.household_id))
    course = catalog().course(course_slug)
    events = []
    for lesson in course.lessons[:lessons]:
        events += [{**e, "id": str(uuid.uuid4())}
                   for e in lesson_events(person, course, lesson, True, True, utcnow())]
    result = record_events(account, events)
    assert not result.rejected, result.rejected


def verify_in_person(ambassador, person, course_slug: str) -> None:
    """The ambassador saw the person do every skill of the course, in one visit."""
    skills = [s.id for s in catalog().course(course_slug).skills]
    result = record_visits(ambassador, [{
        "id": str(uuid.uuid4()), "household": person.household_id,
        "date": local_today().isoformat(), "present": [person.id], "practised": [],
        "verified": [{"person": person.id, "course": course_slug, "skill": skill}
                     for skill in skills], "note": ""}])
    assert result.accepted, result.rejected


_TOKEN = re.compile(r"([Mmh])(-?\d+(?:\.\d+)?)(?: (-?\d+(?:\.\d+)?))?")


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (row, column) of a QR code drawn by segno's SVG path."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, first, second in _TOKEN.findall(path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            length = float(first)
            dark.update((int(y), int(x) + i) for i in range(int(length)))
            x += length
    return dark


def decode_qr(svg: str) -> str | None:
    """Decode the QR code with zxing-cpp when it is installed; else None."""
    try:
        import zxingcpp
    except ImportError:
        return None
    dark = svg_modules(svg)
    size = max(max(r, c) for r, c in dark) + 5  # the quiet zone of 4 on the far side
    scale = 4
    rows = [bytes(0 if (r // scale, c // scale) in dark else 255
                  for c in range(size * scale)) for r in range(size * scale)]
    image = memoryview(b"".join(rows)).cast("B", shape=[size * scale, size * scale])
    found = zxingcpp.read_barcodes(image)
    return found[0].text if found else ""
