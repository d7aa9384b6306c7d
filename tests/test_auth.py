"""Signing in with a phone number and a PIN or password."""

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from werkzeug.security import generate_password_hash

from lms.accounts.models import Account, SignedInDevice, SignInThrottle
from lms.accounts.operations import set_secret
from lms.extensions import db

from .conftest import TEST_PASSWORD, TEST_PIN, csrf_from, sign_in


@pytest.mark.parametrize(
    ("who", "home"),
    [("admin", "/admin/"), ("official", "/official/"), ("ambassador", "/ambassador/")],
)
def test_staff_land_on_their_home(client, world, who, home):
    response = sign_in(client, world[who].phone, TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == home


def test_phone_may_be_typed_in_any_usual_form(client, world):
    response = sign_in(client, "091 100 0013", TEST_PASSWORD)
    assert response.headers["Location"] == "/ambassador/"


def test_household_phone_picks_a_member_then_learns(client, world):
    response = sign_in(client, "0911000001", TEST_PIN)
    assert response.headers["Location"].startswith("/who")
    page = client.get("/who").get_data(as_text=True)
    for member in world["mine"].members:
        assert member.name in page
    assert client.get("/learn").headers["Location"].startswith("/who")
    token = csrf_from(client, "/who")
    chosen = world["mine"].members[1]
    response = client.post("/who", data={"person": chosen.id, "csrf_token": token},
                           follow_redirects=True)
    assert chosen.first_name in response.get_data(as_text=True)


def test_household_phone_cannot_pick_someone_from_another_household(client, world):
    sign_in(client, "0911000001", TEST_PIN)
    token = csrf_from(client, "/who")
    outsider = world["theirs"].members[0]
    assert client.post("/who", data={"person": outsider.id, "csrf_token": token}
                       ).status_code == 404


@pytest.mark.parametrize(("phone", "secret"), [
    ("0911000013", "wrong password!"),
    ("0911000001", "000001"),
    ("0999999999", TEST_PIN),
    ("not a phone", TEST_PIN),
])
def test_wrong_secret_answers_a_clear_message_and_signs_nobody_in(client, world, phone, secret):
    response = sign_in(client, phone, secret)
    assert response.status_code == 401
    assert "không đúng" in response.get_data(as_text=True)
    assert client.get("/learn").status_code == 302


def test_wrong_secret_in_english(client, world):
    token = csrf_from(client, "/login?lang=en")
    response = client.post("/login?lang=en", data={"phone": "0911000013", "secret": "nope-nope",
                                                   "csrf_token": token})
    assert "is not right" in response.get_data(as_text=True)


def test_empty_form_is_refused_with_field_messages(client, world):
    token = csrf_from(client)
    response = client.post("/login", data={"phone": "", "secret": "", "csrf_token": token})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(SignInThrottle.key))) == 0


def test_repeated_failures_are_slowed_even_with_the_right_secret(client, world):
    for _ in range(5):
        assert sign_in(client, "0911000013", "wrong password!").status_code == 401
    response = sign_in(client, "0911000013", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Vui lòng chờ" in response.get_data(as_text=True)
    account = db.session.scalar(db.select(Account).filter_by(phone="+84911000013"))
    assert account.last_sign_in_at is None


def test_failures_on_one_device_do_not_lock_the_account_for_another(app, world):
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(5):
        sign_in(attacker, "0911000099", "guess-guess")  # an unknown number: device counts
    assert sign_in(attacker, "0911000013", TEST_PASSWORD).status_code == 429
    assert sign_in(owner, "0911000013", TEST_PASSWORD).status_code == 302


def test_the_wait_ends_it_is_never_a_lockout(client, world):
    for _ in range(6):
        sign_in(client, "0911000013", "wrong password!")
    rows = db.session.scalars(db.select(SignInThrottle)).all()
    for row in rows:
        assert row.blocked_until is not None
        row.blocked_until = row.last_failure_at  # as if the wait had passed
    db.session.commit()
    assert sign_in(client, "0911000013", TEST_PASSWORD).status_code == 302


def test_changing_the_secret_ends_old_sessions(app, signed_in, world):
    client = signed_in("official")
    assert client.get("/official/").status_code == 200
    account = db.session.get(Account, world["official"].id)
    set_secret(account, "một-mật-khẩu-mới-2026")
    db.session.commit()
    assert client.get("/official/").status_code == 302


def test_sign_out_ends_the_session_and_clears_the_cache(signed_in):
    client = signed_in("official")
    token = csrf_from(client, "/official/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert client.get("/official/").status_code == 302


def test_sign_out_needs_the_csrf_token(signed_in):
    client = signed_in("official")
    assert client.post("/logout").status_code == 400
    assert client.get("/official/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_sign_in_never_redirects_to_another_site(client, world, target):
    token = csrf_from(client)
    response = client.post("/login", data={"phone": "0911000011", "secret": TEST_PASSWORD,
                                           "next": target, "csrf_token": token})
    assert response.headers["Location"] == "/official/"


def test_sign_in_follows_a_local_next(client, world):
    token = csrf_from(client)
    response = client.post("/login", data={"phone": "0911000011", "secret": TEST_PASSWORD,
                                           "next": "/people/1", "csrf_token": token})
    assert response.headers["Location"] == "/people/1"


def test_signed_in_pages_are_not_cached_and_carry_security_headers(signed_in):
    response = signed_in("official").get("/official/")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_sign_in_attempts_are_counted_across_workers_in_redis(test_config, app, world):
    """Two app instances (two gunicorn workers) share one count through Redis."""
    import os
    import uuid

    import redis

    from lms import create_app

    url = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on this machine")
    config = {**test_config, "RATELIMIT_STORAGE_URI": url, "LMS_LOGIN_RATE_LIMIT": "3 per minute",
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    workers = [create_app(config), create_app(config)]
    for worker in workers:
        from .conftest import IsolatedClient

        worker.test_client_class = IsolatedClient
    clients = [worker.test_client() for worker in workers]
    codes = [sign_in(clients[n % 2], "0911000013", "wrong password!").status_code
             for n in range(4)]
    assert codes == [401, 401, 401, 429]


def test_a_household_phone_signs_out_for_good(signed_in):
    client = signed_in("mine")
    token = csrf_from(client, "/learn")
    client.post("/logout", data={"csrf_token": token})
    response = client.get("/learn")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_staff_session_ends_sooner_than_a_household_phone(signed_in, world):
    official = signed_in("official")
    household = signed_in("mine")
    ends = {device.account_id: device.expires_at.replace(tzinfo=None)
            for device in db.session.scalars(db.select(SignedInDevice))}
    assert ends[world["official"].id] < ends[household_account(world).id] - timedelta(days=100)
    assert official.get_cookie("remember_token") is None
    assert household.get_cookie("remember_token") is not None
    db.session.execute(db.update(SignedInDevice).where(
        SignedInDevice.account_id == world["official"].id).values(
        expires_at=datetime(2026, 1, 1, tzinfo=UTC)))
    db.session.commit()
    assert official.get("/official/").status_code == 302
    assert household.get("/learn").status_code == 200


# --- sign-out ends the session for real --------------------------------------------------


def household_account(world) -> Account:
    return db.session.scalar(db.select(Account).filter_by(household_id=world["mine"].id))


def copy_cookies(app, source, names: tuple[str, ...]):
    """Another browser holding a copy of some of `source`'s cookies."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def sign_out(client, page: str) -> None:
    response = client.post("/logout", data={"csrf_token": csrf_from(client, page)})
    assert response.status_code == 302


@pytest.mark.parametrize(("who", "page"), [("official", "/official/"), ("admin", "/admin/"),
                                           ("ambassador", "/ambassador/"), ("mine", "/learn")])
def test_a_copy_of_the_session_cookie_dies_with_the_sign_out(app, signed_in, who, page):
    client = signed_in(who)
    copy = copy_cookies(app, client, ("session",))
    assert copy.get(page).status_code == 200  # the copy works while the device is signed in
    sign_out(client, page)
    assert copy.get(page).status_code == 302
    assert copy.get("/api/v1/me").status_code == 401


def test_a_copy_of_the_remember_cookie_dies_with_the_sign_out(app, signed_in):
    client = signed_in("mine")
    copy = copy_cookies(app, client, ("remember_token",))
    assert copy.get("/api/v1/me").status_code == 200
    sign_out(client, "/learn")
    assert copy.get("/api/v1/me").status_code == 401
    assert copy.get("/learn").status_code == 302


def test_signing_out_one_phone_leaves_the_others_signed_in(app, signed_in):
    phone, tablet = signed_in("mine"), signed_in("mine")
    sign_out(phone, "/learn")
    assert phone.get("/learn").status_code == 302
    assert tablet.get("/learn").status_code == 200


def test_sign_out_everywhere_ends_every_device(app, signed_in, world, runner):
    phone = signed_in("mine")
    remembered = copy_cookies(app, phone, ("remember_token",))
    tablet = signed_in("mine")
    official = signed_in("official")
    result = runner.invoke(args=["users", "sign-out-everywhere", "--phone", "0911000001"])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    for client in (phone, remembered, tablet):
        assert client.get("/api/v1/me").status_code == 401
    assert official.get("/official/").status_code == 200


def test_sign_out_everywhere_for_an_unknown_phone_says_so(runner, world):
    result = runner.invoke(args=["users", "sign-out-everywhere", "--phone", "0999999999"])
    assert result.exit_code == 2 and db.session.scalar(
        db.select(db.func.count(SignedInDevice.id))) == 0


def test_a_new_secret_ends_every_device_even_remembered_ones(app, signed_in, world):
    phone = signed_in("mine")
    remembered = copy_cookies(app, phone, ("remember_token",))
    set_secret(household_account(world), "864213")
    db.session.commit()
    assert phone.get("/learn").status_code == 302
    assert remembered.get("/api/v1/me").status_code == 401


def test_the_device_token_is_stored_only_hashed(signed_in):
    client = signed_in("official")
    stored = db.session.scalar(db.select(SignedInDevice.token_hash))
    cookie = client.get_cookie("session").value
    assert len(stored) == 64 and stored not in cookie


def test_refused_access_is_logged_without_secrets(signed_in, world, caplog):
    import logging

    caplog.set_level(logging.INFO)
    signed_in("ambassador").get(f"/ambassador/households/{world['theirs'].id}")
    assert any("refused access" in r.getMessage() for r in caplog.records)
    assert not any("TEST" in r.getMessage() or "núi" in r.getMessage() for r in caplog.records)


# --- staff time-outs and a fresh session at every sign-in ------------------------------------


def test_an_idle_staff_session_ends_and_its_device_with_it(app, signed_in, world):
    official = signed_in("official")
    assert official.get("/official/").status_code == 200
    with official.session_transaction() as stored:
        stored["seen"] -= app.config["LMS_STAFF_IDLE"].total_seconds() + 60
    assert official.get("/official/").status_code == 302
    assert not db.session.scalars(db.select(SignedInDevice).filter_by(
        account_id=world["official"].id)).all()


def test_a_working_staff_member_stays_signed_in(app, signed_in):
    official = signed_in("official")
    with official.session_transaction() as stored:
        stored["seen"] -= app.config["LMS_STAFF_IDLE"].total_seconds() - 120
        before = stored["seen"]
    assert official.get("/official/").status_code == 200
    with official.session_transaction() as stored:
        assert stored["seen"] > before  # the activity moved the idle clock on


def test_a_household_phone_has_no_idle_time_out(app, signed_in):
    household = signed_in("mine")
    with household.session_transaction() as stored:
        stored["seen"] = 0
    assert household.get("/learn").status_code == 200


def test_sign_in_starts_a_new_session_that_a_planted_cookie_does_not_share(app, client, world):
    client.get("/login")
    planted = client.get_cookie("session").value
    assert sign_in(client, world["official"].phone, TEST_PASSWORD).status_code == 302
    assert client.get_cookie("session").value != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/official/").status_code == 302


# --- hashing -------------------------------------------------------------------------------


def test_secrets_are_hashed_with_argon2id_at_owasps_minimum(test_config):
    from lms import create_app
    from lms.accounts.hashing import hash_secret, verify_secret

    defaults = {key: value for key, value in test_config.items()
                if key != "LMS_SECRET_HASH_METHOD"}
    with create_app(defaults).app_context():
        stored = hash_secret(TEST_PASSWORD)
        assert stored.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
        assert verify_secret(stored, TEST_PASSWORD)
        assert not verify_secret(stored, TEST_PASSWORD + "x")
        assert not verify_secret("$argon2id$broken", TEST_PASSWORD)


@pytest.mark.parametrize("old_hash", [
    lambda secret: generate_password_hash(secret, method="scrypt:1024:8:1"),
    lambda secret: generate_password_hash(secret, method="scrypt"),
    lambda secret: PasswordHasher(memory_cost=64, time_cost=1, parallelism=1).hash(secret),
])
def test_an_old_hash_still_signs_in_and_is_replaced_at_that_sign_in(client, world, old_hash):
    from lms.accounts.hashing import hash_secret

    account = db.session.get(Account, world["official"].id)
    account.secret_hash = old_hash(TEST_PASSWORD)
    db.session.commit()
    current = hash_secret(TEST_PASSWORD).rsplit("$", 2)[0]  # the settings, without salt
    assert sign_in(app_client_for(client), account.phone, "wrong password!").status_code == 401
    db.session.refresh(account)
    assert not account.secret_hash.startswith(current)  # a failure changes nothing
    assert sign_in(client, account.phone, TEST_PASSWORD).status_code == 302
    db.session.refresh(account)
    assert account.secret_hash.startswith(current + "$")
    again = app_client_for(client)
    assert sign_in(again, account.phone, TEST_PASSWORD).status_code == 302


def test_a_current_hash_is_not_rewritten_at_sign_in(client, world):
    account = db.session.get(Account, world["official"].id)
    before = account.secret_hash
    assert sign_in(client, account.phone, TEST_PASSWORD).status_code == 302
    db.session.refresh(account)
    assert account.secret_hash == before


def app_client_for(client):
    return client.application.test_client()


def test_signing_in_again_on_a_device_replaces_its_session(app, signed_in, world):
    client = signed_in("official")
    copy = copy_cookies(app, client, ("session",))
    assert sign_in(client, world["official"].phone, TEST_PASSWORD).status_code == 302
    assert client.get("/official/").status_code == 200
    assert copy.get("/official/").status_code == 302
    assert db.session.scalar(db.select(db.func.count(SignedInDevice.id))) == 1
