"""The audit log page: sign-ins, refused accesses and changes, filtered and paged."""

from datetime import UTC, datetime, timedelta

import pytest

from lms import audit
from lms.audit import AuditEntry
from lms.extensions import db
from tests.conftest import sign_in


def _actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_sign_ins_and_refused_sign_ins_are_in_the_trail(app, world):
    client = app.test_client()
    assert sign_in(client, world["official"].phone, "wrong password!").status_code == 401
    assert sign_in(client, "0999999999", "wrong password!").status_code == 401
    assert sign_in(client, world["official"].phone, "núi-cao-suối-sâu").status_code == 302
    refused = db.session.scalars(db.select(AuditEntry).filter_by(action="sign_in.refused")
                                 .order_by(AuditEntry.id)).all()
    assert [entry.object_id for entry in refused] == [world["official"].id, 0]
    assert all(entry.device for entry in refused)
    assert "0999999999" not in str([entry.changes for entry in refused])
    assert db.session.scalar(db.select(AuditEntry).filter_by(
        action="sign_in", object_id=world["official"].id)).account_id == world["official"].id


def test_refused_accesses_are_in_the_trail(signed_in, world):
    client = signed_in("official")
    assert client.get(f"/official/villages/{world['far_village'].id}").status_code == 404
    assert client.get("/admin/audit").status_code == 404
    entries = db.session.scalars(db.select(AuditEntry).filter_by(action="access.refused")).all()
    assert {(e.object_type, e.object_id) for e in entries} == {
        ("village", world["far_village"].id), ("page", 0)}
    assert all(e.account_id == world["official"].id for e in entries)


@pytest.mark.parametrize("who", ["official", "far_official", "ambassador", "mine"])
def test_only_the_admin_reads_the_audit_log(signed_in, who):
    assert signed_in(who).get("/admin/audit").status_code == 404


def test_the_log_filters_by_account_person_and_date(signed_in, world):
    person = world["mine"].members[0]
    old = datetime.now(UTC) - timedelta(days=40)
    audit.record("person.changed", "person", person.id, {"name": ["A", "B"]},
                 account_id=world["ambassador"].id, at=old)
    audit.record("household.changed", "household", world["far"].id, {"name": ["C", "D"]},
                 account_id=world["far_official"].id)
    db.session.commit()
    client = signed_in("admin")
    page = client.get(f"/admin/audit?person={person.id}").get_data(as_text=True)
    assert f"người #{person.id}" in page and f"hộ #{world['far'].id}" not in page
    page = client.get("/admin/audit?account=0911000012").get_data(as_text=True)
    assert f"hộ #{world['far'].id}" in page and f"người #{person.id}" not in page
    since = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    page = client.get(f"/admin/audit?since={since}").get_data(as_text=True)
    assert f"người #{person.id}" not in page and f"hộ #{world['far'].id}" in page


@pytest.mark.parametrize("query", ["since=yesterday", "until=2026-13-45", "person=abc",
                                   "account=12", "person=-1"])
def test_bad_filters_get_a_clear_error(signed_in, world, query):
    response = signed_in("admin").get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert 'class="error-text"' in response.get_data(as_text=True)


def test_the_log_is_paged(signed_in, world):
    for index in range(120):
        audit.record("village.renamed", "village", world["village"].id,
                     {"name": [str(index), str(index + 1)]})
    db.session.commit()
    client = signed_in("admin")
    first = client.get("/admin/audit").get_data(as_text=True)
    assert first.count('<tr><td data-label') == 50 and "page=2" in first
    third = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert 0 < third.count('<tr><td data-label') <= 50
    assert client.get("/admin/audit?page=x").status_code == 200


def test_entries_cannot_be_changed_or_removed(app, world):
    entry = audit.record("village.renamed", "village", 1, {"name": ["a", "b"]})
    db.session.commit()
    entry.action = "something.else"
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()
