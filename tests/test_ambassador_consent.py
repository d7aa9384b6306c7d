"""Consent per person: text version, time, channel, a representative for a child, and an
ethnicity kept only while consent stands."""

import pytest

from lms import audit
from lms.accounts.models import Person
from lms.ambassadors.consent import TEXT_VERSION, current_consent
from lms.ambassadors.models import Consent
from lms.extensions import db
from lms.models_common import utcnow
from tests.conftest import csrf_from


def _consent(client, person, **fields):
    path = f"/ambassador/people/{person.id}/consent"
    data = {"csrf_token": csrf_from(client, path), "channel": "assisted", "agreed": "y",
            **fields}
    return client.post(path, data=data)


def test_consent_is_recorded_with_version_time_channel_and_ambassador(signed_in, world):
    client = signed_in("ambassador")
    person = world["mine"].members[0]
    assert _consent(client, person, ethnicity="thai").status_code == 302
    found = current_consent(person.id)
    assert found.text_version == TEXT_VERSION and found.channel.value == "assisted"
    assert found.ambassador_id == world["ambassador"].id and found.ethnicity == "thai"
    page = client.get(f"/ambassador/people/{person.id}?lang=en").get_data(as_text=True)
    assert "Ethnic group: Thai" in page and world["ambassador"].name in page
    [entry] = audit.history("person", person.id)
    assert entry.action == "consent.given" and "thai" not in str(entry.changes)


def test_withdrawing_removes_the_ethnicity(signed_in, world):
    client = signed_in("ambassador")
    person = world["mine"].members[0]
    _consent(client, person, ethnicity="mong")
    token = csrf_from(client, f"/ambassador/people/{person.id}")
    assert client.post(f"/ambassador/people/{person.id}/consent/withdraw",
                       data={"csrf_token": token}).status_code == 302
    assert current_consent(person.id) is None
    assert db.session.scalars(db.select(Consent.ethnicity)).all() == [None]


def test_giving_consent_again_keeps_one_standing_record(signed_in, world):
    client = signed_in("ambassador")
    person = world["mine"].members[0]
    _consent(client, person, ethnicity="mong")
    _consent(client, person, channel="self")
    rows = db.session.scalars(db.select(Consent).order_by(Consent.id)).all()
    assert [r.withdrawn_at is None for r in rows] == [False, True]
    assert [r.ethnicity for r in rows] == [None, None]


def _make_child(household, age=12):
    child = Person(household=household, name="Lò Văn Bé", birth_year=utcnow().year - age)
    db.session.add(child)
    db.session.commit()
    return child


def test_a_child_needs_a_parent_in_the_household_and_their_own_agreement(signed_in, world):
    client = signed_in("ambassador")
    child = _make_child(world["mine"])
    parent = world["mine"].members[0]
    response = _consent(client, child)
    assert response.status_code == 400 and current_consent(child.id) is None
    assert _consent(client, child, representative=parent.id).status_code == 400
    assert _consent(client, child, representative=parent.id, child_agrees="y"
                    ).status_code == 302
    assert current_consent(child.id).representative_id == parent.id


def test_a_representative_from_another_household_is_not_found(signed_in, world):
    client = signed_in("ambassador")
    child = _make_child(world["mine"])
    outsider = world["theirs"].members[0]
    assert _consent(client, child, representative=outsider.id,
                    child_agrees="y").status_code == 404
    assert current_consent(child.id) is None


@pytest.mark.parametrize("fields", [{"agreed": ""}, {"channel": "phone"},
                                    {"ethnicity": "martian"}])
def test_bad_consent_input_writes_nothing(signed_in, world, fields):
    client = signed_in("ambassador")
    assert _consent(client, world["mine"].members[0], **fields).status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Consent)) == 0


def test_consent_of_other_households_is_out_of_reach(signed_in, world):
    client = signed_in("ambassador")
    outsider = world["theirs"].members[0]
    assert client.get(f"/ambassador/people/{outsider.id}/consent").status_code == 404
    token = csrf_from(client, "/ambassador/")
    assert client.post(f"/ambassador/people/{outsider.id}/consent",
                       data={"csrf_token": token, "channel": "self", "agreed": "y"}
                       ).status_code == 404
    assert client.post(f"/ambassador/people/{outsider.id}/consent/withdraw",
                       data={"csrf_token": token}).status_code == 404


def test_consent_needs_the_csrf_token(signed_in, world):
    client = signed_in("ambassador")
    response = client.post(f"/ambassador/people/{world['mine'].members[0].id}/consent",
                           data={"channel": "self", "agreed": "y"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Consent)) == 0


def test_an_official_sees_consent_on_the_person_page(signed_in, world):
    _consent(signed_in("ambassador"), world["mine"].members[0])
    page = signed_in("official").get(
        f"/ambassador/people/{world['mine'].members[0].id}?lang=en").get_data(as_text=True)
    assert "Agreed on" in page and "withdraw consent" not in page
