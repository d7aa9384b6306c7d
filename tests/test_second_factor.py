"""The second factor: set-up, codes at sign-in, recovery codes, the requirement per role."""

import re
import time

import pyotp
import pytest

from lms.accounts.models import Role, SignedInDevice
from lms.accounts.second_factor import RecoveryCode, SecondFactor
from lms.audit import AuditEntry
from lms.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in

CODE_PATTERN = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")
SECRET_PATTERN = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')


def _code(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def _set_up(client) -> tuple[str, list[str]]:
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = SECRET_PATTERN.search(page).group(1).replace(" ", "")
    response = client.post("/account/second-factor", data={
        "code": _code(secret), "csrf_token": csrf_from(client, "/account/second-factor")})
    assert response.status_code == 200
    return secret, CODE_PATTERN.findall(response.get_data(as_text=True))


def _password_step(client, account):
    response = sign_in(client, account.phone, TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/code")
    return response


def _send_code(client, code: str):
    return client.post("/login/code", data={"code": code,
                                            "csrf_token": csrf_from(client, "/login/code")})


@pytest.fixture
def admin_with_factor(app, world, signed_in):
    client = signed_in("admin")
    secret, codes = _set_up(client)
    # The code used to turn it on must not work again: step past it for sign-in.
    factor = db.session.get(SecondFactor, world["admin"].id)
    factor.last_step -= 1
    db.session.commit()
    return world["admin"], secret, codes


def test_set_up_shows_a_qr_and_the_key_and_is_off_until_a_code_confirms(signed_in, world):
    client = signed_in("official")
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page and SECRET_PATTERN.search(page)
    factor = db.session.get(SecondFactor, world["official"].id)
    assert factor is not None and factor.confirmed_at is None
    wrong = client.post("/account/second-factor", data={
        "code": "000000", "csrf_token": csrf_from(client, "/account/second-factor")})
    assert wrong.status_code == 400
    db.session.refresh(factor)
    assert factor.confirmed_at is None
    assert db.session.scalar(db.select(db.func.count(RecoveryCode.id))) == 0


def test_set_up_gives_ten_recovery_codes_stored_only_hashed(signed_in, world):
    client = signed_in("official")
    _secret, codes = _set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in stored or code in stored for code in codes)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="second_factor.enabled"))
    # Shown once: the page now only says how many are left.
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert not CODE_PATTERN.search(page)


def test_set_up_without_csrf_is_refused(signed_in, world):
    client = signed_in("official")
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = SECRET_PATTERN.search(page).group(1).replace(" ", "")
    assert client.post("/account/second-factor", data={"code": _code(secret)}).status_code == 400
    assert db.session.get(SecondFactor, world["official"].id).confirmed_at is None


@pytest.mark.parametrize("who", ["ambassador", "mine"])
def test_only_officials_and_admins_have_the_set_up_page(signed_in, who):
    assert signed_in(who).get("/account/second-factor").status_code == 404


def test_password_alone_signs_nobody_in(app, admin_with_factor):
    account, _secret, _codes = admin_with_factor
    devices = db.session.scalar(db.select(db.func.count(SignedInDevice.id)))
    client = app.test_client()
    _password_step(client, account)
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    assert db.session.scalar(db.select(db.func.count(SignedInDevice.id))) == devices


def test_a_right_code_signs_in(app, admin_with_factor):
    account, secret, _codes = admin_with_factor
    client = app.test_client()
    _password_step(client, account)
    response = _send_code(client, _code(secret))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_used_code_does_not_work_twice(app, admin_with_factor):
    account, secret, _codes = admin_with_factor
    first, second = app.test_client(), app.test_client()
    code = _code(secret)
    _password_step(first, account)
    assert _send_code(first, code).status_code == 302
    _password_step(second, account)
    assert _send_code(second, code).status_code == 401


def test_a_wrong_code_is_refused_and_slowed_down_like_a_wrong_password(app, admin_with_factor):
    account, secret, _codes = admin_with_factor
    client = app.test_client()
    _password_step(client, account)
    for _ in range(5):
        assert _send_code(client, "000000").status_code == 401
    assert _send_code(client, _code(secret)).status_code == 429
    assert client.get("/admin/").status_code == 302
    # A right password does not reset the count of wrong codes.
    other = app.test_client()
    _password_step(other, account)
    assert _send_code(other, _code(secret)).status_code == 429
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).filter_by(
        action="sign_in.second_factor_refused")) == 5


def test_a_recovery_code_signs_in_once(app, admin_with_factor):
    account, _secret, codes = admin_with_factor
    client = app.test_client()
    _password_step(client, account)
    assert _send_code(client, codes[3].upper()).status_code == 302
    assert client.get("/admin/").status_code == 200
    again = app.test_client()
    _password_step(again, account)
    assert _send_code(again, codes[3]).status_code == 401
    assert _send_code(again, codes[4]).status_code == 302


def test_the_code_page_without_a_password_step_goes_back_to_sign_in(client):
    assert client.get("/login/code").headers["Location"].startswith("/login")


def test_the_code_page_refuses_a_post_without_csrf(app, admin_with_factor):
    account, secret, _codes = admin_with_factor
    client = app.test_client()
    _password_step(client, account)
    assert client.post("/login/code", data={"code": _code(secret)}).status_code == 400
    assert client.get("/admin/").status_code == 302


def test_admin_requires_it_and_an_official_is_sent_to_set_it_up(app, world, signed_in):
    admin = signed_in("admin")
    token = csrf_from(admin, "/admin/second-factor")
    assert admin.post("/admin/second-factor",
                      data={"official": "y", "csrf_token": token}).status_code == 302
    official = app.test_client()
    response = sign_in(official, world["official"].phone, TEST_PASSWORD)
    assert official.get(response.headers["Location"]).headers["Location"] == (
        "/account/second-factor")
    assert official.get("/official/").status_code == 302
    assert official.get("/api/v1/me").status_code == 403
    _set_up(official)
    assert official.get("/official/").status_code == 200
    # The admin's own role was not chosen: the admin goes on as before.
    assert admin.get("/admin/").status_code == 200


def test_a_required_factor_cannot_be_turned_off(app, world, signed_in):
    from lms.accounts import second_factor

    official = signed_in("official")
    secret, _codes = _set_up(official)
    second_factor.set_required_roles({Role.OFFICIAL})
    db.session.commit()
    response = official.post("/account/second-factor", data={
        "code": _code(secret, 1), "action": "off",
        "csrf_token": csrf_from(official, "/account/second-factor")})
    assert response.status_code == 400
    assert second_factor.is_enabled(world["official"])


@pytest.mark.parametrize("who", ["official", "far_official", "ambassador", "mine"])
def test_only_an_admin_sets_the_requirement(signed_in, who):
    client = signed_in(who)
    assert client.get("/admin/second-factor").status_code == 404
    assert client.post("/admin/second-factor", data={"official": "y"}).status_code in (400, 404)


def test_the_requirement_without_csrf_changes_nothing(signed_in, world):
    from lms.accounts import second_factor

    response = signed_in("admin").post("/admin/second-factor", data={"official": "y"})
    assert response.status_code == 400
    assert second_factor.required_roles() == set()
