"""One person's data: exported whole, erased so that nothing names them and figures hold."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import JSON, String, Text, select

from lms import audit
from lms.accounts.models import Person
from lms.admin import people_data
from lms.ambassadors.models import Consent, ConsentChannel
from lms.extensions import db
from lms.learning.models import Certificate, EventType, LessonProgress, ProgressEvent, Status
from tests.conftest import csrf_from

# Column names that hold something about a person wherever they appear.
PERSONAL_COLUMN_NAMES = {"name", "phone", "birth_year", "gender", "address_note", "ethnicity"}


def test_every_table_with_personal_columns_is_covered_by_export_and_erasure(app):
    uncovered = []
    for table in db.metadata.sorted_tables:
        points_at_person = any(fk.column.table.name == "person"
                               for column in table.columns for fk in column.foreign_keys)
        personal_names = PERSONAL_COLUMN_NAMES & {column.name for column in table.columns}
        if (points_at_person or personal_names or table.name == "person") and (
                table.name not in people_data.PERSONAL_TABLES
                and table.name not in people_data.NOT_PERSONAL):
            uncovered.append(table.name)
    assert uncovered == [], (
        f"tables with personal columns missing from admin/people_data.py: {uncovered}")
    assert set(people_data.PERSONAL_TABLES) <= set(db.metadata.tables)


@pytest.fixture
def learner(world):
    """A member with everything a learner leaves behind."""
    person = world["mine"].members[0]
    person.phone = "+84933000111"
    person.name = "Mùa Thị Dúa"  # nobody else in the world has this name
    child = world["mine"].members[1]
    now = datetime.now(UTC)
    db.session.add_all([
        ProgressEvent(event_id=str(uuid.uuid4()), person_id=person.id,
                      type=EventType.ANSWER_SUBMITTED,
                      course="dich-vu-cong", lesson="vneid", step=2, answer={"choice": "=1+1"},
                      correct=True, score=1.0, occurred_at=now, content_version="1"),
        LessonProgress(person_id=person.id, course="dich-vu-cong", lesson="vneid",
                       status=Status.COMPLETED, best_score=1.0, attempts=1, first_seen=now,
                       last_seen=now, completed_at=now, content_version="1"),
        Certificate(code="HS-TEST-0001", person_id=person.id, course="dich-vu-cong"),
        Consent(person_id=person.id, text_version="2026-11", channel=ConsentChannel.ASSISTED,
                ambassador_id=world["ambassador"].id, ethnicity="thai"),
        Consent(person_id=child.id, text_version="2026-11", channel=ConsentChannel.ASSISTED,
                representative_id=person.id, child_agreed=True),
    ])
    audit.record("person.changed", "person", person.id, {"name": ["Lò Thị X", person.name]},
                 account_id=world["ambassador"].id)
    db.session.commit()
    return person


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_from(client, "/admin/people")})


@pytest.mark.parametrize("who", ["official", "far_official", "ambassador", "mine"])
def test_only_the_admin_reaches_peoples_data(signed_in, learner, who):
    client = signed_in(who)
    assert client.get("/admin/people?q=Lò").status_code == 404
    assert client.get(f"/admin/people/{learner.id}").status_code == 404
    token = csrf_from(client, "/")
    assert client.post(f"/admin/people/{learner.id}/erase", data={
        "confirm_name": learner.name, "csrf_token": token}).status_code == 404


def test_find_a_person_by_name_or_phone(signed_in, learner):
    client = signed_in("admin")
    assert f"/admin/people/{learner.id}" in client.get("/admin/people?q=0933000111").get_data(
        as_text=True)
    assert f"/admin/people/{learner.id}" in client.get(
        f"/admin/people?q={learner.name}").get_data(as_text=True)


def test_export_as_json_holds_everything_and_is_audited(signed_in, learner):
    client = signed_in("admin")
    response = _post(client, f"/admin/people/{learner.id}/export", {"format": "json"})
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["person"][0]["name"] == learner.name
    assert data["household"][0]["village"] == "Bản Mé"
    assert data["certificate"][0]["code"] == "HS-TEST-0001"
    assert data["progress_event"][0]["answer"] == {"choice": "=1+1"}
    assert len(data["consent"]) == 2  # their own, and the one they gave for their child
    assert data["lesson_progress"][0]["status"] == "completed"
    assert db.session.scalar(select(audit.AuditEntry).filter_by(action="person.exported"))


def test_export_as_csv_neutralises_formulas(signed_in, world, learner):
    world["mine"].address_note = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    response = _post(signed_in("admin"), f"/admin/people/{learner.id}/export", {"format": "csv"})
    text = response.get_data(as_text=True)
    assert text.startswith("\ufefftable,row,field,value")
    assert "HS-TEST-0001" in text and learner.name in text
    assert "household,1,address_note,\"'=HYPERLINK" in text


@pytest.mark.parametrize("data", [{"format": "pdf"}, {}])
def test_a_bad_export_request_is_refused(signed_in, learner, data):
    assert _post(signed_in("admin"), f"/admin/people/{learner.id}/export", data
                 ).status_code == 400


def test_erasing_needs_the_name_typed_and_csrf(signed_in, learner):
    client = signed_in("admin")
    name = learner.name
    assert _post(client, f"/admin/people/{learner.id}/erase",
                 {"confirm_name": "someone else"}).status_code == 400
    assert client.post(f"/admin/people/{learner.id}/erase",
                       data={"confirm_name": name}).status_code == 400
    db.session.refresh(learner)
    assert learner.name == name


def _every_text_value() -> list[str]:
    values = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            values.extend(json.dumps(value, ensure_ascii=False) if not isinstance(value, str)
                          else value for value in row if value is not None)
    return values


def test_erasing_leaves_no_name_and_keeps_the_figures(signed_in, world, learner):
    from lms.auth import visible_villages
    from lms.stats.views import village_rows

    name, phone, person_id = learner.name, learner.phone, learner.id
    before_rows = village_rows(visible_villages(world["admin"]))
    before_summaries = db.session.scalar(select(db.func.count(LessonProgress.id)))
    client = signed_in("admin")
    response = _post(client, f"/admin/people/{person_id}/erase", {"confirm_name": name})
    assert response.status_code == 302
    values = _every_text_value()
    assert not [v for v in values if name in v or phone in v]
    assert db.session.scalar(select(db.func.count(LessonProgress.id))) == before_summaries
    assert village_rows(visible_villages(world["admin"])) == before_rows
    stand_in = db.session.get(Person, person_id)
    assert stand_in.gender is not None and stand_in.birth_year is not None
    assert db.session.scalar(select(Consent).filter_by(person_id=person_id)) is None
    assert db.session.scalar(select(db.func.count(Certificate.id))) == 0
    assert db.session.scalar(select(ProgressEvent.answer).filter_by(person_id=person_id)) is None
    assert db.session.scalar(select(audit.AuditEntry).filter_by(action="person.deleted",
                                                                object_id=person_id))
    # Rebuilding the summaries from the events gives the same figures.
    from lms.learning.progress import rebuild_summaries

    assert rebuild_summaries() == before_summaries


def test_erasing_a_staff_member_signs_them_out_for_good(app, signed_in, world):
    from tests.conftest import TEST_PASSWORD, sign_in

    ambassador_client = signed_in("ambassador")
    staff_person = world["ambassador"].person
    client = signed_in("admin")
    assert _post(client, f"/admin/people/{staff_person.id}/erase",
                 {"confirm_name": staff_person.name}).status_code == 302
    assert ambassador_client.get("/ambassador/").status_code == 302
    assert sign_in(app.test_client(), "0911000013", TEST_PASSWORD).status_code == 401
