"""Digital Ambassador teams: who may make and fill them, who may read them, and bad input."""

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Account, Role
from lms.audit import AuditEntry
from lms.extensions import db
from lms.teams.models import AmbassadorTeam, team_member

from .conftest import csrf_from

TEAM_NAME = "Đại sứ số Chiềng Mung 2026"


@pytest.fixture
def team(world, make_staff):
    """A team of the home commune holding the world's ambassador."""
    found = AmbassadorTeam(commune_id=world["home"].id, name=TEAM_NAME,
                           created_by_id=world["official"].id)
    db.session.add(found)
    db.session.flush()
    db.session.execute(team_member.insert().values(team_id=found.id,
                                                   account_id=world["ambassador"].id))
    db.session.commit()
    return found


@pytest.fixture
def far_team(world, make_staff):
    far_ambassador = make_staff(Role.AMBASSADOR, "0911000020", world["away"])
    found = AmbassadorTeam(commune_id=world["away"].id, name="Đại sứ số Mường Bon")
    db.session.add(found)
    db.session.flush()
    db.session.execute(team_member.insert().values(team_id=found.id,
                                                   account_id=far_ambassador.id))
    db.session.commit()
    return found


def _teams() -> list[tuple[int, str]]:
    return list(db.session.execute(select(AmbassadorTeam.commune_id, AmbassadorTeam.name)
                                   .order_by(AmbassadorTeam.id)))


def _members(team_id: int) -> set[int]:
    return set(db.session.scalars(select(team_member.c.account_id)
                                  .where(team_member.c.team_id == team_id)))


def _audit(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action))


def _post(client, path: str, data: dict, token_from: str):
    token = csrf_from(client, token_from)
    return client.post(path, data={**data, "csrf_token": token})


# --- creating and renaming -------------------------------------------------------------------


def test_official_creates_a_team_of_their_commune(signed_in, world):
    client = signed_in("official")
    # A commune posted by an official is ignored: their team is of their own commune.
    response = _post(client, "/teams/new?lang=vi", {"name": f"  {TEAM_NAME} ",
                                                     "commune": world["away"].id},
                     "/teams/new")
    assert response.status_code == 302
    assert _teams() == [(world["home"].id, TEAM_NAME)]
    assert _audit("team.created") == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert TEAM_NAME in page


def test_admin_creates_a_team_in_any_commune(signed_in, world):
    client = signed_in("admin")
    response = _post(client, "/teams/new", {"name": "Đại sứ số Mường Bon",
                                            "commune": world["away"].id}, "/teams/new")
    assert response.status_code == 302
    assert _teams() == [(world["away"].id, "Đại sứ số Mường Bon")]


@pytest.mark.parametrize(("data", "message"), [
    ({"name": ""}, "Nhập tên của đội."),
    ({"name": "   "}, "Nhập tên của đội."),
    ({"name": "x" * 121}, "Tên dài nhiều nhất 120 ký tự."),
])
def test_a_bad_name_is_refused_and_nothing_is_written(signed_in, data, message):
    client = signed_in("official")
    response = _post(client, "/teams/new?lang=vi", data, "/teams/new")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _teams() == []
    assert _audit("team.created") == 0


def test_admin_must_choose_a_commune(signed_in, world):
    client = signed_in("admin")
    for commune in ("", "-1", "abc", "999999"):
        response = _post(client, "/teams/new?lang=vi", {"name": TEAM_NAME,
                                                        "commune": commune}, "/teams/new")
        assert response.status_code == 400
        assert "Chọn xã." in response.get_data(as_text=True)
    assert _teams() == []


def test_a_name_taken_in_the_commune_is_refused_in_any_case(signed_in, world, team):
    client = signed_in("official")
    response = _post(client, "/teams/new?lang=vi", {"name": TEAM_NAME.upper()}, "/teams/new")
    assert response.status_code == 400
    assert "Xã đã có một đội tên này" in response.get_data(as_text=True)
    assert _teams() == [(world["home"].id, TEAM_NAME)]


def test_the_same_name_is_free_in_another_commune(signed_in, world, team):
    client = signed_in("far_official")
    response = _post(client, "/teams/new", {"name": TEAM_NAME}, "/teams/new")
    assert response.status_code == 302
    assert len(_teams()) == 2


def test_official_renames_a_team(signed_in, world, team, make_staff):
    other = AmbassadorTeam(commune_id=world["home"].id, name="Đội 2")
    db.session.add(other)
    db.session.commit()
    client = signed_in("official")
    path = f"/teams/{team.id}/edit"
    response = _post(client, path + "?lang=vi", {"name": "đội 2"}, path)
    assert response.status_code == 400
    assert "Xã đã có một đội tên này" in response.get_data(as_text=True)
    assert _post(client, path, {"name": ""}, path).status_code == 400
    assert _post(client, path, {"name": "Đại sứ số 2027"}, path).status_code == 302
    assert db.session.get(AmbassadorTeam, team.id).name == "Đại sứ số 2027"
    renamed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "team.renamed"))
    assert renamed.changes == {"name": [TEAM_NAME, "Đại sứ số 2027"]}


def test_a_form_without_its_csrf_token_is_refused(signed_in, team):
    client = signed_in("official")
    assert client.post("/teams/new", data={"name": "Đội mới"}).status_code == 400
    assert client.post(f"/teams/{team.id}/edit", data={"name": "Đội mới"}).status_code == 400
    assert len(_teams()) == 1


# --- members ---------------------------------------------------------------------------------


def test_official_adds_and_removes_ambassadors_of_the_commune(signed_in, world, team,
                                                            make_staff):
    second = make_staff(Role.AMBASSADOR, "0911000021", world["home"])
    client = signed_in("official")
    page = f"/teams/{team.id}"
    response = _post(client, f"{page}/members", {"account": second.id}, page)
    assert response.status_code == 302
    assert _members(team.id) == {world["ambassador"].id, second.id}
    assert _audit("team.member_added") == 1
    response = _post(client, f"{page}/members/{world['ambassador'].id}/remove", {}, page)
    assert response.status_code == 302
    assert _members(team.id) == {second.id}
    assert _audit("team.member_removed") == 1


def test_only_active_ambassadors_of_the_commune_can_join(signed_in, world, team,
                                                         make_staff):
    far = make_staff(Role.AMBASSADOR, "0911000022", world["away"])
    closed = make_staff(Role.AMBASSADOR, "0911000023", world["home"])
    closed.active = False
    db.session.commit()
    refused = [far.id, closed.id, world["official"].id, world["admin"].id,
               world["ambassador"].id,  # already a member
               "abc", "", -1, 999999]
    client = signed_in("official")
    page = f"/teams/{team.id}"
    for account in refused:
        response = _post(client, f"{page}/members?lang=vi", {"account": account}, page)
        assert response.status_code == 400, account
        assert "Chọn một đại sứ đang hoạt động của xã" in response.get_data(as_text=True)
    assert _members(team.id) == {world["ambassador"].id}
    assert _audit("team.member_added") == 0


def test_removing_someone_not_in_the_team_is_refused(signed_in, world, team, make_staff):
    outsider = make_staff(Role.AMBASSADOR, "0911000024", world["home"])
    client = signed_in("official")
    page = f"/teams/{team.id}"
    response = _post(client, f"{page}/members/{outsider.id}/remove?lang=vi", {}, page)
    assert response.status_code == 400
    assert "Người này không ở trong đội." in response.get_data(as_text=True)
    assert _members(team.id) == {world["ambassador"].id}


def test_the_add_list_offers_only_those_who_may_join(signed_in, world, team, make_staff):
    free = make_staff(Role.AMBASSADOR, "0911000025", world["home"])
    far = make_staff(Role.AMBASSADOR, "0911000026", world["away"])
    page = signed_in("official").get(f"/teams/{team.id}").get_data(as_text=True)
    assert f'value="{free.id}"' in page
    assert f'value="{far.id}"' not in page
    assert f'<option value="{world["ambassador"].id}"' not in page


# --- scope -----------------------------------------------------------------------------------


def test_official_sees_only_their_communes_teams(signed_in, world, team, far_team):
    client = signed_in("official")
    listing = client.get("/teams/").get_data(as_text=True)
    assert TEAM_NAME in listing and "Đại sứ số Mường Bon" not in listing
    assert client.get(f"/teams/{team.id}").status_code == 200
    assert client.get(f"/teams/{far_team.id}").status_code == 404
    assert client.get(f"/teams/{far_team.id}/edit").status_code == 404
    page = f"/teams/{team.id}"
    assert _post(client, f"/teams/{far_team.id}/edit", {"name": "Lấy mất"},
                 page).status_code == 404
    far_member = next(iter(_members(far_team.id)))
    assert _post(client, f"/teams/{far_team.id}/members/{far_member}/remove", {},
                 page).status_code == 404
    assert _members(far_team.id) == {far_member}


def test_admin_sees_every_team(signed_in, team, far_team):
    client = signed_in("admin")
    listing = client.get("/teams/").get_data(as_text=True)
    assert TEAM_NAME in listing and "Đại sứ số Mường Bon" in listing
    assert client.get(f"/teams/{far_team.id}").status_code == 200


def test_ambassador_reads_only_their_own_team(signed_in, world, team, far_team, make_staff):
    not_theirs = AmbassadorTeam(commune_id=world["home"].id, name="Đội khác")
    db.session.add(not_theirs)
    db.session.commit()
    client = signed_in("ambassador")
    home = client.get("/ambassador/").get_data(as_text=True)
    assert f'href="/teams/{team.id}"' in home
    listing = client.get("/teams/").get_data(as_text=True)
    assert TEAM_NAME in listing and "Đội khác" not in listing
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert world["ambassador"].name in page
    assert "/members" not in page and "/edit" not in page  # read-only
    assert client.get(f"/teams/{not_theirs.id}").status_code == 404
    assert client.get(f"/teams/{far_team.id}").status_code == 404
    assert client.get("/teams/new").status_code == 404
    assert client.get(f"/teams/{team.id}/edit").status_code == 404
    token = csrf_from(client, f"/teams/{team.id}")
    assert client.post(f"/teams/{team.id}/members/{world['ambassador'].id}/remove",
                       data={"csrf_token": token}).status_code == 404
    assert _members(team.id) == {world["ambassador"].id}


def test_an_ambassador_without_a_team_has_no_team_link(signed_in, world):
    home = signed_in("ambassador").get("/ambassador/").get_data(as_text=True)
    assert 'href="/teams/' not in home


@pytest.mark.parametrize("who", ["mine", "far_official"])
def test_a_learner_or_another_communes_official_finds_nothing(signed_in, team, who):
    client = signed_in(who)
    assert client.get(f"/teams/{team.id}").status_code == 404
    if who == "mine":
        assert client.get("/teams/").status_code == 404
        assert client.get("/teams/new").status_code == 404


def test_the_officials_home_links_to_the_teams(signed_in):
    page = signed_in("official").get("/official/").get_data(as_text=True)
    assert 'href="/teams/"' in page


def test_teams_need_sign_in(client, team):
    assert client.get(f"/teams/{team.id}").status_code == 302
    assert client.get("/teams/").status_code == 302


def test_a_removed_member_loses_the_team(signed_in, world, team):
    db.session.execute(team_member.delete())
    db.session.commit()
    client = signed_in("ambassador")
    assert client.get(f"/teams/{team.id}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Account)) > 0


def test_the_demo_commune_has_one_team_of_both_demo_ambassadors(app, runner):
    from lms.accounts.operations import normalise_phone

    from .conftest import sign_in

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # twice changes nothing
    teams = db.session.scalars(select(AmbassadorTeam)).all()
    assert [team.name for team in teams] == [TEAM_NAME]
    assert teams[0].commune.name == "Chiềng Mung"
    assert sorted(member.phone for member in teams[0].members) == [
        normalise_phone("0900000003"), normalise_phone("0900000004")]
    client = app.test_client()
    assert sign_in(client, "0900000004", "demo-ambassador-2026").status_code == 302
    assert f'href="/teams/{teams[0].id}"' in client.get("/ambassador/").get_data(as_text=True)
    assert client.get(f"/teams/{teams[0].id}").status_code == 200
