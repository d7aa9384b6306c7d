"""Field work for the demo commune: consent, guidance visits with skills seen in person,
and people needing help for each reason, recorded through the same modules as real work.
Ids are derived from names, so loading twice adds nothing."""

import hashlib
import uuid
from datetime import UTC, timedelta

from sqlalchemy import select

from .accounts.models import Account, Gender, Person
from .ambassadors import consent, needs_help, visits
from .ambassadors.models import ConsentChannel
from .content.catalog import catalog
from .demo_progress import lesson_events
from .extensions import db
from .learning.models import LessonProgress, Status
from .learning.progress import record_events
from .models_common import utcnow

# Who said which ethnic group (with consent); everyone else chose not to say.
ETHNICITY = {"Lò Văn Pọm": "thai", "Giàng A Chứ": "mong", "Mùa Thị Dợ": "mong",
             "Điêu Chính Tươi": "thai", "Nguyễn Văn Hải": "kinh"}
# A member registered a month and a half ago who has not opened a lesson yet.
LATE_STARTER = ("Hộ Sùng A Páo", "Sùng Thị Máy", Gender.FEMALE, 1989)
# (household, days ago, present member indexes, [(member index, course, skill)], note)
VISITS = [
    ("Hộ Lò Văn Pọm", 12, [0, 1], [(1, "public-services", "vneid-installed")],
     "Bà Ơn cài VNeID, lần sau kích hoạt mức 2."),
    ("Hộ Lò Văn Pọm", 3, [1, 2], [(1, "public-services", "vneid-level2-activated"),
                                  (2, "digital-payments", "bank-app-signed-in")],
     "Bà Ơn tự đăng nhập VNeID được."),
    ("Hộ Quàng Văn Ỏn", 20, [0, 2], [(2, "online-safety", "otp-kept-secret")], None),
    ("Hộ Giàng A Chứ", 6, [0, 1, 3], [(0, "public-services", "vneid-installed"),
                                      (3, "online-safety", "scam-call-recognised")],
     "Cả nhà tập nhận ra cuộc gọi giả công an."),
    ("Hộ Vàng A Lử", 25, [2], [(2, "digital-payments", "vietqr-payment-made")], None),
    ("Hộ Nguyễn Văn Hải", 2, [0, 1, 2], [(2, "public-services", "portal-signed-in"),
                                         (1, "digital-payments", "e-wallet-used")],
     "Chị Ngọc hướng dẫn lại cho mẹ."),
    ("Hộ Điêu Chính Tươi", 9, [1], [], "Bà Pâng bận, hẹn tuần sau."),
]


def _demo_uuid(*parts) -> str:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _ambassador_of(household) -> Account | None:
    return next((a for a in db.session.scalars(select(Account).where(
        Account.role == "ambassador")) if household in a.assigned_households), None)


def _consent_everyone(households) -> None:
    for household in households:
        ambassador = _ambassador_of(household)
        agreed = consent.consented_ids([m.id for m in household.members])
        for member in household.members:
            if member.id in agreed or ambassador is None or consent.is_child(member):
                continue
            consent.give_consent(member, ambassador, channel=ConsentChannel.ASSISTED,
                                 representative_id=None, child_agreed=False,
                                 ethnicity=ETHNICITY.get(member.name))


def _fail_a_quiz_twice(households) -> None:
    """One person who already failed a quiz fails it again: the quiz_failed reason."""
    ids = [m.id for h in households for m in h.members]
    row = db.session.scalar(select(LessonProgress).where(
        LessonProgress.person_id.in_(ids), LessonProgress.status == Status.FAILED)
        .order_by(LessonProgress.person_id).limit(1))
    if row is None:
        return
    person = db.session.get(Person, row.person_id)
    course = catalog().course(row.course)
    lesson = course.lesson(row.lesson)
    account = db.session.scalar(select(Account).filter_by(household_id=person.household_id))
    events = lesson_events(person, course, lesson, passed=False, finished=True,
                           start=utcnow() - timedelta(days=1))
    for raw in events:  # a second attempt: new ids, derived from the first ones
        raw["id"] = _demo_uuid(raw["id"], "second attempt")
    record_events(account, events)


def load_demo_fieldwork(households) -> None:
    by_name = {h.name: h for h in households}
    now = utcnow()
    household = by_name[LATE_STARTER[0]]
    if not any(m.name == LATE_STARTER[1] for m in household.members):
        db.session.add(Person(household=household, name=LATE_STARTER[1],
                              gender=LATE_STARTER[2], birth_year=LATE_STARTER[3],
                              created_at=now - timedelta(days=45)))
    for member in (m for h in households for m in h.members):
        # Registered before their first lesson, so "no progress after 30 days" can hold.
        created = member.created_at
        if created is None or created.replace(tzinfo=created.tzinfo or UTC) > now - timedelta(
                days=42):
            member.created_at = now - timedelta(days=42)
    db.session.commit()
    _consent_everyone(households)
    for name, days_ago, present, verified, note in VISITS:
        household = by_name[name]
        ambassador = _ambassador_of(household)
        members = household.members
        visits.record_visits(ambassador, [{
            "id": _demo_uuid("visit", name, days_ago),
            "household": household.id,
            "date": visits.local_today(now - timedelta(days=days_ago)).isoformat(),
            "present": [members[i].id for i in present],
            "practised": [{"course": course, "lesson": catalog().course(course).lessons[0].slug}
                          for _i, course, _skill in verified[:1]],
            "verified": [{"person": members[i].id, "course": course, "skill": skill}
                         for i, course, skill in verified],
            "note": note,
        }])
    _fail_a_quiz_twice(households)
    needs_help.refresh_everyone()
