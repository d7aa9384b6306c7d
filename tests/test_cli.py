"""The CLI: creating accounts and loading the demo commune."""

import pytest

from lms.accounts.models import Account, Person, Role
from lms.extensions import db
from lms.places.models import Commune, Household, Village

from .conftest import sign_in


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_users_create_an_official(runner, make_commune):
    make_commune("Chiềng Mung")
    result = runner.invoke(args=["users", "create", "--role", "official", "--phone",
                                 "0912 345 678", "--commune", "Chiềng Mung",
                                 "--name", "Cầm Văn Thắng", "--password-stdin"],
                           input="mật-khẩu-đủ-dài\n")
    assert result.exit_code == 0, result.output
    account = db.session.scalar(db.select(Account).filter_by(phone="+84912345678"))
    assert account.role == Role.OFFICIAL and account.commune.name == "Chiềng Mung"


@pytest.mark.parametrize(("args", "secret", "message"), [
    (["--role", "official", "--phone", "0912345678", "--commune", "Chiềng Mung"],
     "short", "10"),
    (["--role", "official", "--phone", "0912345678", "--commune", "Chiềng Mung"],
     "password123", "dễ đoán"),
    (["--role", "official", "--phone", "12", "--commune", "Chiềng Mung"],
     "mật-khẩu-đủ-dài", "số điện thoại"),
    (["--role", "official", "--phone", "0912345678", "--commune", "Nowhere"],
     "mật-khẩu-đủ-dài", "Nowhere"),
    (["--role", "official", "--phone", "0912345678"], "mật-khẩu-đủ-dài", "xã"),
    (["--role", "learner", "--phone", "0912345678", "--village", "Bản Mé"], "111111",
     "dễ đoán"),
    (["--role", "learner", "--phone", "0912345678"], "246810", "--village"),
])
def test_users_create_refuses_bad_input_and_writes_nothing(runner, make_village, args, secret,
                                                           message, monkeypatch):
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    make_village(name="Bản Mé")
    before = (count(Account), count(Person), count(Household))
    result = runner.invoke(args=["users", "create", *args, "--password-stdin"],
                           input=secret + "\n")
    assert result.exit_code == 2
    assert message in result.output
    assert (count(Account), count(Person), count(Household)) == before


def test_users_create_refuses_a_duplicate_phone(runner, make_commune):
    make_commune("Chiềng Mung")
    args = ["users", "create", "--role", "admin", "--phone", "0912345678", "--password-stdin"]
    assert runner.invoke(args=args, input="mật-khẩu-đủ-dài\n").exit_code == 0
    assert runner.invoke(args=args, input="mật-khẩu-khác-nữa\n").exit_code == 2
    assert count(Account) == 1


def test_demo_load_is_idempotent_and_its_sign_ins_work(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    sizes = (count(Commune), count(Village), count(Household), count(Person), count(Account))
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert (count(Commune), count(Village), count(Household), count(Person),
            count(Account)) == sizes
    commune = db.session.scalar(db.select(Commune).filter_by(name="Chiềng Mung"))
    assert len(commune.villages) >= 3
    households = db.session.scalars(
        db.select(Household).join(Village).where(Village.commune_id == commune.id)).all()
    assert len(households) >= 12
    assert sum(len(h.members) for h in households) >= 40
    for phone, secret, home in [
        ("0900000001", "demo-admin-2026", "/admin/"),
        ("0900000002", "demo-official-2026", "/official/"),
        ("0900000003", "demo-ambassador-2026", "/ambassador/"),
        ("0900000004", "demo-ambassador-2026", "/ambassador/"),
        ("0900000101", "246810", "/who"),
    ]:
        client = app.test_client()
        response = sign_in(client, phone, secret)
        assert response.status_code == 302 and response.headers["Location"].startswith(home)


def test_demo_ambassadors_split_the_villages(app, runner):
    runner.invoke(args=["demo", "load"])
    first = db.session.scalar(db.select(Account).filter_by(phone="+84900000003"))
    second = db.session.scalar(db.select(Account).filter_by(phone="+84900000004"))
    assert {h.village.name for h in first.assigned_households} == {"Bản Mé", "Bản Nà Ban"}
    assert {h.village.name for h in second.assigned_households} == {"Bản Púng"}


def test_demo_load_refuses_production(app, runner):
    app.config["LMS_ENV"] = "production"
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 2
    assert count(Account) == 0
