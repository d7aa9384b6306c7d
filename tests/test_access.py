"""Every route declares who may call it, and nobody sees outside their scope."""

import pytest

from lms.auth import ACCESS_RULES


def test_every_route_declares_an_access_rule(app):
    missing = [
        rule.rule for rule in app.url_map.iter_rules()
        if not getattr(app.view_functions[rule.endpoint], "access_rules", None)
    ]
    assert missing == []
    for rule in app.url_map.iter_rules():
        assert app.view_functions[rule.endpoint].access_rules <= ACCESS_RULES


def test_ambassador_cannot_open_other_household(signed_in, world):
    client = signed_in("ambassador")
    assert client.get(f"/ambassador/households/{world['mine'].id}").status_code == 200
    assert client.get(f"/ambassador/households/{world['theirs'].id}").status_code == 404
    assert client.get(f"/ambassador/households/{world['far'].id}").status_code == 404


def test_ambassador_sees_only_assigned_people(signed_in, world):
    client = signed_in("ambassador")
    assert client.get(f"/people/{world['mine'].members[0].id}").status_code == 200
    assert client.get(f"/people/{world['theirs'].members[0].id}").status_code == 404


def test_official_cannot_open_other_communes_village(signed_in, world):
    client = signed_in("official")
    assert client.get(f"/official/villages/{world['village'].id}").status_code == 200
    assert client.get(f"/official/villages/{world['far_village'].id}").status_code == 404
    assert client.get(f"/people/{world['far'].members[0].id}").status_code == 404
    assert client.get(f"/people/{world['theirs'].members[0].id}").status_code == 200


def test_learner_cannot_open_another_person(signed_in, world):
    client = signed_in("mine")
    assert client.get(f"/people/{world['mine'].members[1].id}").status_code == 200
    assert client.get(f"/people/{world['theirs'].members[0].id}").status_code == 404
    assert client.get(f"/people/{world['far'].members[0].id}").status_code == 404


def test_admin_sees_the_whole_province(signed_in, world):
    client = signed_in("admin")
    for key in ("mine", "theirs", "far"):
        assert client.get(f"/people/{world[key].members[0].id}").status_code == 200
    assert client.get(f"/official/villages/{world['far_village'].id}").status_code == 200


@pytest.mark.parametrize(
    ("who", "path", "expected"),
    [
        ("mine", "/ambassador/", 404),
        ("mine", "/official/", 404),
        ("mine", "/admin/", 404),
        ("ambassador", "/official/", 404),
        ("ambassador", "/admin/", 404),
        ("ambassador", "/learn", 200),  # ambassadors take their own training track
        ("official", "/learn", 404),
        ("official", "/ambassador/", 404),
        ("official", "/admin/", 404),
        ("admin", "/official/", 404),
        ("mine", "/learn", 200),
        ("ambassador", "/ambassador/", 200),
        ("official", "/official/", 200),
        ("admin", "/admin/", 200),
    ],
)
def test_each_role_reaches_only_its_own_pages(signed_in, who, path, expected):
    assert signed_in(who).get(path).status_code == expected


@pytest.mark.parametrize("path", ["/learn", "/ambassador/", "/official/", "/admin/", "/who",
                                  "/people/1"])
def test_pages_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_api_needs_sign_in_and_answers_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json and "error" in response.get_json()


def test_an_official_sees_the_households_of_a_village(signed_in, world):
    page = signed_in("official").get(f"/official/villages/{world['village'].id}").get_data(
        as_text=True)
    assert world["mine"].name in page and world["theirs"].name not in page
