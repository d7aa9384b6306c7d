"""On a household's shared phone each member keeps their own language."""

from lms.accounts.models import Account, Person
from lms.extensions import db

from .conftest import TEST_PIN, csrf_from, sign_in


def _choose(client, code: str, page: str = "/learn") -> None:
    token = csrf_from(client, page)
    response = client.post("/language", data={"lang": code, "next": page, "csrf_token": token})
    assert response.status_code == 302


def _pick(client, person: Person) -> None:
    token = csrf_from(client, "/who")
    assert client.post("/who", data={"person": person.id, "csrf_token": token}).status_code == 302


def _language(client, path: str = "/learn") -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_one_member_choosing_tai_dam_does_not_switch_the_family(signed_in, world):
    first, second = world["mine"].members[0], world["mine"].members[1]
    client = signed_in("mine", member=0)
    _choose(client, "blt")
    assert _language(client) == "blt"
    assert db.session.get(Person, first.id).locale == "blt"
    household = db.session.scalar(db.select(Account).filter_by(household_id=world["mine"].id))
    assert household.locale is None

    _pick(client, second)  # same phone, same cookie
    assert _language(client) == "vi"
    _choose(client, "en")
    assert _language(client) == "en"
    _pick(client, first)
    assert _language(client) == "blt"
    assert db.session.get(Person, second.id).locale == "en"


def test_a_members_choice_follows_them_to_another_sign_in(app, signed_in, world):
    _choose(signed_in("mine", member=2), "hmn")
    again = signed_in("mine", member=2)  # a new phone: no cookie
    assert _language(again) == "hmn"
    assert _language(signed_in("mine", member=0)) == "vi"


def test_before_a_member_is_picked_the_households_choice_is_used(app, signed_in, world):
    client = signed_in("mine", member=0)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/learn")})
    sign_in(client, "0911000001", TEST_PIN)
    _choose(client, "en", page="/who")
    household = db.session.scalar(db.select(Account).filter_by(household_id=world["mine"].id))
    assert household.locale == "en"
    assert _language(client, "/who") == "en"
    _pick(client, world["mine"].members[1])  # a member who never chose: the household's
    assert _language(client) == "en"


def test_a_personal_account_keeps_its_choice_on_the_account(signed_in, world):
    client = signed_in("ambassador")
    _choose(client, "en", page="/ambassador/")
    account = db.session.get(Account, world["ambassador"].id)
    assert account.locale == "en" and account.person.locale is None
    client.delete_cookie("lang")
    assert _language(client, "/ambassador/") == "en"
