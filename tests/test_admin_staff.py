"""Staff accounts, temporary passwords, signing out everywhere, and assignments."""

import re

import pytest

from lms.accounts.models import Account, Role, SignedInDevice, ambassador_assignment
from lms.audit import AuditEntry
from lms.extensions import db
from lms.places.models import Household
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in

SECRET = re.compile(r'<code class="secret">([a-z2-9-]+)</code>')


def _post(client, path, data=None, page="/admin/staff"):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_from(client, page)})


def _assigned(ambassador) -> set[int]:
    return set(db.session.scalars(db.select(ambassador_assignment.c.household_id).where(
        ambassador_assignment.c.account_id == ambassador.id)))


def _new_ambassador(client, world, phone="0922000001"):
    response = _post(client, "/admin/staff", {"name": "Lò Văn Tâm", "phone": phone,
                                              "role": "ambassador", "commune": world["home"].id})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return SECRET.search(response.get_data(as_text=True)).group(1)


# --- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "list_status", "ambassador", "far_official", "admin"), [
    ("admin", 200, 200, 200, 200),
    ("official", 200, 200, 404, 404),
    ("far_official", 200, 404, 200, 404),
    ("ambassador", 404, 404, 404, 404),
    ("mine", 404, 404, 404, 404)])
def test_staff_pages_follow_scope(signed_in, world, who, list_status, ambassador, far_official,
                                  admin):
    client = signed_in(who)
    assert client.get("/admin/staff").status_code == list_status
    assert client.get(f"/admin/staff/{world['ambassador'].id}").status_code == ambassador
    assert client.get(f"/admin/staff/{world['far_official'].id}").status_code == far_official
    assert client.get(f"/admin/staff/{world['admin'].id}").status_code == admin


# --- creating ------------------------------------------------------------------------------


def test_admin_creates_an_ambassador_who_must_change_the_temporary_password(app, signed_in,
                                                                            world):
    secret = _new_ambassador(signed_in("admin"), world)
    account = db.session.scalar(db.select(Account).filter_by(phone="+84922000001"))
    assert account.role == Role.AMBASSADOR and account.commune_id == world["home"].id
    assert account.must_change_secret and account.person is not None
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="account.created",
                                                             object_id=account.id))
    client = app.test_client()
    response = sign_in(client, "0922000001", secret, follow_redirects=True)
    assert "/account/password" in response.request.path
    assert client.get("/ambassador/").headers["Location"] == "/account/password"
    response = client.post("/account/password", data={
        "current": secret, "new": "bản-mới-của-tôi", "repeat": "bản-mới-của-tôi",
        "csrf_token": csrf_from(client, "/account/password")})
    assert response.status_code == 302
    assert client.get("/ambassador/").status_code == 200
    db.session.refresh(account)
    assert not account.must_change_secret


def test_a_new_password_must_follow_the_rules(app, signed_in, world):
    secret = _new_ambassador(signed_in("admin"), world)
    client = app.test_client()
    sign_in(client, "0922000001", secret)
    for new, repeat in (("short", "short"), ("bản-mới-của-tôi", "khác-hẳn-rồi-nhé"),
                        (secret, secret)):
        response = client.post("/account/password", data={
            "current": secret, "new": new, "repeat": repeat,
            "csrf_token": csrf_from(client, "/account/password")})
        assert response.status_code == 400
    assert db.session.scalar(db.select(Account).filter_by(phone="+84922000001")
                             ).must_change_secret


def test_an_official_creates_only_ambassadors_of_their_own_commune(signed_in, world):
    client = signed_in("official")
    for role in ("official", "admin"):
        response = _post(client, "/admin/staff", {"name": "Cà Văn Hùng", "phone": "0922000002",
                                                  "role": role, "commune": world["home"].id})
        assert response.status_code == 400
    response = _post(client, "/admin/staff", {"name": "Cà Văn Hùng", "phone": "0922000002",
                                              "role": "ambassador", "commune": world["away"].id})
    assert response.status_code == 400  # another commune is not a choice
    assert db.session.scalar(db.select(Account).filter_by(phone="+84922000002")) is None
    _new_ambassador(client, world, "0922000003")
    account = db.session.scalar(db.select(Account).filter_by(phone="+84922000003"))
    assert account.commune_id == world["home"].id


@pytest.mark.parametrize("data", [
    {"name": "", "phone": "0922000004", "role": "ambassador"},
    {"name": "Lò Văn A", "phone": "12", "role": "ambassador"},
    {"name": "Lò Văn A", "phone": "0911000013", "role": "ambassador"},  # taken
    {"name": "Lò Văn A", "phone": "0922000004", "role": "learner"},
    {"name": "Lò Văn A", "phone": "0922000004", "role": "ambassador", "commune": "0"},
])
def test_bad_staff_input_writes_nothing(signed_in, world, data):
    client = signed_in("admin")
    before = db.session.scalar(db.select(db.func.count(Account.id)))
    data = {"commune": world["home"].id, **data}
    response = _post(client, "/admin/staff", data)
    assert response.status_code == 400
    assert 'class="error-text"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Account.id))) == before


def test_creating_without_csrf_is_refused(signed_in, world):
    response = signed_in("admin").post("/admin/staff", data={
        "name": "Lò Văn A", "phone": "0922000005", "role": "ambassador",
        "commune": world["home"].id})
    assert response.status_code == 400
    assert db.session.scalar(db.select(Account).filter_by(phone="+84922000005")) is None


# --- managing ------------------------------------------------------------------------------


def test_reset_password_signs_out_and_the_old_one_stops_working(app, signed_in, world):
    ambassador_client = signed_in("ambassador")
    admin = signed_in("admin")
    response = _post(admin, f"/admin/staff/{world['ambassador'].id}/reset")
    assert response.status_code == 200
    temporary = SECRET.search(response.get_data(as_text=True)).group(1)
    assert ambassador_client.get("/ambassador/").status_code == 302
    assert sign_in(app.test_client(), world["ambassador"].phone, TEST_PASSWORD).status_code == 401
    client = app.test_client()
    sign_in(client, world["ambassador"].phone, temporary)
    assert client.get("/ambassador/").headers["Location"] == "/account/password"


def test_sign_out_everywhere_ends_every_device(app, signed_in, world):
    first, second = signed_in("ambassador"), signed_in("ambassador")
    assert _post(signed_in("official"),
                 f"/admin/staff/{world['ambassador'].id}/sign-out").status_code == 302
    assert first.get("/ambassador/").status_code == 302
    assert second.get("/ambassador/").status_code == 302
    assert db.session.scalar(db.select(db.func.count(SignedInDevice.id)).filter_by(
        account_id=world["ambassador"].id)) == 0


def test_deactivated_staff_cannot_sign_in(app, signed_in, world):
    assert _post(signed_in("admin"), f"/admin/staff/{world['ambassador'].id}/active",
                 {"active": "0"}).status_code == 302
    assert sign_in(app.test_client(), world["ambassador"].phone, TEST_PASSWORD).status_code == 401


@pytest.mark.parametrize("action", ["active", "reset", "sign-out"])
def test_an_official_cannot_manage_another_commune_or_an_equal(signed_in, world, action):
    client = signed_in("official")
    for target in ("far_official", "admin"):
        assert _post(client, f"/admin/staff/{world[target].id}/{action}",
                     {"active": "0"}).status_code == 404
    db.session.refresh(world["far_official"])
    assert world["far_official"].active


def test_only_an_admin_removes_a_second_factor(signed_in, world):
    assert _post(signed_in("official"),
                 f"/admin/staff/{world['official'].id}/second-factor").status_code == 404


# --- assignments ---------------------------------------------------------------------------


def test_admin_assigns_one_household_then_a_whole_village(signed_in, world, make_household):
    extra = make_household(world["other_village"], "Hộ Quàng Văn Ơn")
    client = signed_in("admin")
    path = f"/admin/staff/{world['ambassador'].id}/assign"
    assert _post(client, path, {"choice": world["theirs"].id}).status_code == 302
    assert _assigned(world["ambassador"]) == {world["mine"].id, world["theirs"].id}
    assert _post(client, path, {"choice": world["other_village"].id, "by": "village"}
                 ).status_code == 302
    assert _assigned(world["ambassador"]) == {world["mine"].id, world["theirs"].id, extra.id}
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).filter_by(
        action="assignment.added")) == 2


def test_a_household_of_another_commune_cannot_be_assigned(signed_in, world):
    client = signed_in("admin")
    response = _post(client, f"/admin/staff/{world['ambassador'].id}/assign",
                     {"choice": world["far"].id})
    assert response.status_code == 400
    assert world["far"].id not in _assigned(world["ambassador"])
    official = signed_in("official")
    response = _post(official, f"/admin/staff/{world['ambassador'].id}/assign",
                     {"choice": world["far"].id})
    assert response.status_code == 404


def test_an_official_assigns_their_communes_households(signed_in, world):
    client = signed_in("official")
    assert _post(client, f"/admin/staff/{world['ambassador'].id}/assign",
                 {"choice": world["theirs"].id}).status_code == 302
    assert world["theirs"].id in _assigned(world["ambassador"])
    assert _post(client, f"/admin/staff/{world['ambassador'].id}/unassign/{world['mine'].id}"
                 ).status_code == 302
    assert world["mine"].id not in _assigned(world["ambassador"])


@pytest.mark.parametrize("choice", ["", "abc", "99999"])
def test_bad_assignments_are_refused(signed_in, world, choice):
    client = signed_in("admin")
    response = _post(client, f"/admin/staff/{world['ambassador'].id}/assign", {"choice": choice})
    assert response.status_code in (400, 404)
    assert _assigned(world["ambassador"]) == {world["mine"].id}


def test_a_household_moves_with_its_history(signed_in, world):
    client = signed_in("official")
    response = _post(client, f"/admin/households/{world['mine'].id}/move",
                     {"choice": world["other_village"].id})
    assert response.status_code == 302
    household = db.session.get(Household, world["mine"].id)
    assert household.village_id == world["other_village"].id
    assert len(household.members) == 3
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="household.moved"))
    # The ambassador keeps the household; another commune's village is out of reach.
    assert world["mine"].id in _assigned(world["ambassador"])
    assert _post(client, f"/admin/households/{world['mine'].id}/move",
                 {"choice": world["far_village"].id}).status_code == 404
    assert _post(signed_in("ambassador"), f"/admin/households/{world['mine'].id}/move",
                 {"choice": world["village"].id}, page="/ambassador/").status_code == 404


def test_changing_the_password_without_csrf_is_refused(app, signed_in, world):
    secret = _new_ambassador(signed_in("admin"), world)
    client = app.test_client()
    sign_in(client, "0922000001", secret)
    response = client.post("/account/password", data={
        "current": secret, "new": "bản-mới-của-tôi", "repeat": "bản-mới-của-tôi"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(Account).filter_by(phone="+84922000001")
                             ).must_change_secret
