"""Ambassadors register households and members; every change is kept in the history."""

import unicodedata

import pytest

from lms import audit
from lms.accounts.models import Account, Person
from lms.extensions import db
from lms.places.models import Household
from tests.conftest import csrf_from


def _register(client, village_id, phone="0912 345 678", members=None, token=None, **extra):
    members = members if members is not None else [
        {"name": "Lò Văn Pọm", "gender": "male", "birth_year": "1972"},
        {"name": "Lò Thị Ơn", "gender": "female", "birth_year": "1975", "phone": ""},
    ]
    data = {"csrf_token": token or csrf_from(client, "/ambassador/households/new"),
            "village": str(village_id), "name": "Lò Văn Pọm", "address_note": "Gần suối",
            "phone": phone}
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
    data.update(extra)
    return client.post("/ambassador/households/new", data=data)


def _households(name="Lò Văn Pọm"):
    return db.session.scalars(db.select(Household).filter_by(name=name)).all()


def test_register_a_household_with_two_members(signed_in, world):
    client = signed_in("ambassador")
    response = _register(client, world["other_village"].id)
    assert response.status_code == 302
    [household] = _households()
    assert household.phone == "+84912345678"
    assert [m.name for m in household.members] == ["Lò Văn Pọm", "Lò Thị Ơn"]
    assert household in world["ambassador"].assigned_households
    assert [e.action for e in audit.history("household", household.id)] == [
        "household.registered"]
    assert client.get("/ambassador/").get_data(as_text=True).count("Lò Văn Pọm") >= 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lò Thị Ơn" in page


def test_names_are_stored_in_nfc_and_length_limited(signed_in, world):
    client = signed_in("ambassador")
    decomposed = unicodedata.normalize("NFD", "Lò Thị Ơn")
    assert _register(client, world["village"].id, members=[
        {"name": decomposed, "gender": "female", "birth_year": "1975"}]).status_code == 302
    assert db.session.scalar(db.select(Person).filter_by(name="Lò Thị Ơn")) is not None
    response = _register(client, world["village"].id, phone="0912 345 679",
                         members=[{"name": "A" * 121, "gender": "female"}])
    assert response.status_code == 400
    assert len(_households()) == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"name": ""}, "name"),
    ({"phone": "12"}, "phone"),
    ({"village": "-1"}, "village"),
    ({"village": "abc"}, "village"),
    ({"members-0-birth_year": "3000"}, "members-0-birth_year"),
    ({"members-0-gender": "robot"}, "members-0-gender"),
    ({"members-0-name": "", "members-1-name": "", "members-0-gender": "",
      "members-1-gender": "", "members-0-birth_year": "", "members-1-birth_year": ""},
     "members"),
])
def test_bad_input_is_refused_per_field_and_writes_nothing(signed_in, world, change, field):
    client = signed_in("ambassador")
    response = _register(client, world["village"].id, **change)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="error-text"' in page
    assert _households() == []
    assert db.session.scalar(db.select(db.func.count()).select_from(audit.AuditEntry).where(
        audit.AuditEntry.object_type != "account")) == 0  # only the sign-in is recorded


def test_errors_are_translated(signed_in, world):
    client = signed_in("ambassador")
    page = _register(client, world["village"].id, name="", phone="12").get_data(as_text=True)
    assert "Nhập tên chủ hộ." in page


def test_a_village_of_another_commune_is_not_found(signed_in, world):
    response = _register(signed_in("ambassador"), world["far_village"].id)
    assert response.status_code == 404
    assert _households() == []


def test_a_registered_phone_is_a_clear_error_with_a_link_in_scope(signed_in, world):
    client = signed_in("ambassador")
    world["mine"].phone = "+84911000001"
    world["theirs"].phone = "+84911000002"
    db.session.commit()
    response = _register(client, world["village"].id, phone="0911 000 001")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"/ambassador/households/{world['mine'].id}" in page
    response = _register(client, world["village"].id, phone="0911000002")
    assert response.status_code == 409
    assert f"/ambassador/households/{world['theirs'].id}" not in response.get_data(as_text=True)
    # A staff member's phone is taken too.
    assert _register(client, world["village"].id, phone="0911000010").status_code == 409
    assert _households() == []


def test_registering_needs_the_csrf_token(signed_in, world):
    client = signed_in("ambassador")
    assert _register(client, world["village"].id, token="forged").status_code == 400
    assert _households() == []


@pytest.mark.parametrize("who", ["official", "admin", "mine"])
def test_only_ambassadors_register_households(signed_in, world, who):
    assert signed_in(who).get("/ambassador/households/new").status_code == 404


def test_edit_a_household_keeps_history(signed_in, world):
    client = signed_in("ambassador")
    household = world["mine"]
    path = f"/ambassador/households/{household.id}/edit"
    token = csrf_from(client, path)
    response = client.post(path, data={"csrf_token": token, "village": world["village"].id,
                                        "name": "Hộ Lò Văn Pọm", "address_note": "Cạnh trường",
                                        "phone": "0911000001"})
    assert response.status_code == 302
    db.session.refresh(household)
    assert household.address_note == "Cạnh trường"
    [entry] = audit.history("household", household.id)
    assert entry.changes["address_note"] == [None, "Cạnh trường"]
    assert entry.account_id == world["ambassador"].id


@pytest.mark.parametrize("path", [
    "/ambassador/households/{theirs}/edit", "/ambassador/households/{far}/edit",
    "/ambassador/households/{theirs}/members/new", "/ambassador/people/{theirs_member}/edit",
])
def test_other_households_cannot_be_edited(signed_in, world, path):
    client = signed_in("ambassador")
    url = path.format(theirs=world["theirs"].id, far=world["far"].id,
                      theirs_member=world["theirs"].members[0].id)
    assert client.get(url).status_code == 404
    token = csrf_from(client, "/ambassador/")
    assert client.post(url, data={"csrf_token": token, "name": "X", "village": "1"}
                       ).status_code == 404


def test_other_households_cannot_be_deactivated(signed_in, world):
    client = signed_in("ambassador")
    token = csrf_from(client, "/ambassador/")
    for url in (f"/ambassador/households/{world['theirs'].id}/active",
                f"/ambassador/people/{world['theirs'].members[0].id}/active"):
        assert client.post(url, data={"csrf_token": token, "active": "0"}).status_code == 404
    db.session.refresh(world["theirs"])
    assert world["theirs"].active


def test_add_edit_and_deactivate_a_member(signed_in, world):
    client = signed_in("ambassador")
    household = world["mine"]
    path = f"/ambassador/households/{household.id}/members/new"
    token = csrf_from(client, path)
    assert client.post(path, data={"csrf_token": token, "name": "",
                                   "gender": "male"}).status_code == 400
    assert client.post(path, data={"csrf_token": token, "name": "Lò Văn Tiến", "gender": "male",
                                   "birth_year": "1998", "phone": "0988 111 222"}
                       ).status_code == 302
    person = db.session.scalar(db.select(Person).filter_by(name="Lò Văn Tiến"))
    assert person.household_id == household.id and person.phone == "+84988111222"
    edit = f"/ambassador/people/{person.id}/edit"
    assert client.post(edit, data={"csrf_token": token, "name": "Lò Văn Tiến",
                                   "gender": "male", "birth_year": "1999"}).status_code == 302
    assert client.post(f"/ambassador/people/{person.id}/active",
                       data={"csrf_token": token, "active": "0"}).status_code == 302
    db.session.refresh(person)
    assert person.birth_year == 1999 and not person.active
    assert [e.action for e in audit.history("person", person.id)] == [
        "person.deactivated", "person.changed", "person.added"]
    page = client.get(f"/ambassador/people/{person.id}").get_data(as_text=True)
    assert "person.changed" not in page  # shown in words, not codes


def test_deactivating_a_household_signs_out_its_shared_phone(signed_in, world):
    household_phone = signed_in("mine")
    assert household_phone.get("/learn").status_code == 200
    client = signed_in("ambassador")
    token = csrf_from(client, "/ambassador/")
    assert client.post(f"/ambassador/households/{world['mine'].id}/active",
                       data={"csrf_token": token, "active": "0"}).status_code == 302
    login = db.session.scalar(db.select(Account).filter_by(household_id=world["mine"].id))
    assert not login.active
    assert household_phone.get("/learn").status_code == 302
