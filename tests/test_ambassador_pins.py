"""PINs set by the ambassador (shown once; trivial ones refused; a reset signs out the
household's other devices) and the printable household card."""

import pytest

from lms import audit
from lms.accounts.models import Account
from lms.extensions import db
from tests.conftest import TEST_PIN, csrf_from, sign_in


def _set(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_from(client, path), **data})


def test_a_pin_reset_shows_the_pin_once_and_signs_out_the_shared_phone(signed_in, world):
    world["mine"].phone = "+84911000001"
    db.session.commit()
    shared_phone = signed_in("mine")
    assert shared_phone.get("/learn").status_code == 200
    client = signed_in("ambassador")
    path = f"/ambassador/households/{world['mine'].id}/pin"
    response = _set(client, path, pin="482913")
    assert response.status_code == 200 and "482913" in response.get_data(as_text=True)
    assert "482913" not in client.get(path).get_data(as_text=True)
    assert shared_phone.get("/learn").status_code == 302  # signed out
    assert sign_in(client.application.test_client(), "0911000001", "482913"
                   ).status_code == 302
    [entry] = audit.history("household", world["mine"].id)
    assert entry.action == "household.pin_set" and "482913" not in str(entry.changes)


@pytest.mark.parametrize("pin", ["000000", "123456", "000001", "12345", "abcdef"])
def test_trivial_pins_and_the_phones_last_digits_are_refused(signed_in, world, pin):
    world["mine"].phone = "+84911000001"
    db.session.commit()
    response = _set(signed_in("ambassador"), f"/ambassador/households/{world['mine'].id}/pin",
                    pin=pin)
    assert response.status_code == 400 and 'class="error-text"' in response.get_data(
        as_text=True)
    assert sign_in(signed_in("ambassador").application.test_client(), "0911000001",
                   TEST_PIN).status_code == 302  # the old PIN still works


def test_a_made_pin_is_shown_and_works(signed_in, world, make_household):
    household = make_household(world["village"], "Hộ Mới", members=1)
    household.phone = "+84977000111"
    db.session.execute(db.text("INSERT INTO ambassador_assignment (account_id, household_id,"
                               " assigned_at) VALUES (:a, :h, CURRENT_TIMESTAMP)"),
                       {"a": world["ambassador"].id, "h": household.id})
    db.session.commit()
    page = _set(signed_in("ambassador"), f"/ambassador/households/{household.id}/pin",
                make="1").get_data(as_text=True)
    import re
    pin = re.search(r'class="big-pin">(\d{6})<', page).group(1)
    login = db.session.scalar(db.select(Account).filter_by(household_id=household.id))
    assert login.phone == "+84977000111"
    assert sign_in(signed_in("ambassador").application.test_client(), "0977000111", pin
                   ).status_code == 302


def test_a_member_gets_their_own_pin_for_their_own_phone(signed_in, world):
    person = world["mine"].members[1]
    client = signed_in("ambassador")
    path = f"/ambassador/people/{person.id}/pin"
    assert _set(client, path, pin="582016").status_code == 400  # no own phone yet
    person.phone = "+84988123456"
    db.session.commit()
    assert _set(client, path, pin="123456").status_code == 400
    assert _set(client, path, pin="582016").status_code == 200
    login = db.session.scalar(db.select(Account).filter_by(person_id=person.id))
    assert login.phone == "+84988123456"


def test_pins_and_cards_of_other_households_are_not_found(signed_in, world):
    client = signed_in("ambassador")
    theirs = world["theirs"]
    for path in (f"/ambassador/households/{theirs.id}/pin",
                 f"/ambassador/households/{theirs.id}/card",
                 f"/ambassador/people/{theirs.members[0].id}/pin"):
        assert client.get(path).status_code == 404
    token = csrf_from(client, "/ambassador/")
    assert client.post(f"/ambassador/households/{theirs.id}/pin",
                       data={"csrf_token": token, "pin": "482913"}).status_code == 404
    assert client.post(f"/ambassador/households/{world['mine'].id}/pin",
                       data={"pin": "482913"}).status_code == 400


def test_the_card_has_a_qr_for_the_sign_in_page_and_never_the_pin(signed_in, world):
    world["mine"].phone = "+84911000001"
    db.session.commit()
    page = signed_in("ambassador").get(f"/ambassador/households/{world['mine'].id}/card"
                                       ).get_data(as_text=True)
    assert "<svg" in page and "0911 000 001" in page and TEST_PIN not in page
    login = signed_in("ambassador").application.test_client().get("/login?phone=0911000001")
    assert 'value="0911000001"' in login.get_data(as_text=True)
