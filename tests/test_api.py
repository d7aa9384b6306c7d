"""The JSON endpoints of DESIGN.md §4.4 that the foundation provides."""


def test_health_answers_with_the_database_reachable(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_me_for_a_household_phone_lists_its_members(signed_in, world):
    body = signed_in("mine").get("/api/v1/me").get_json()
    assert body["account"]["role"] == "learner"
    assert body["account"]["commune"] == {"id": world["home"].id, "name": "Chiềng Mung"}
    assert [p["id"] for p in body["people"]] == [m.id for m in world["mine"].members]


def test_me_for_an_ambassador_lists_self_and_assigned_households(signed_in, world):
    body = signed_in("ambassador").get("/api/v1/me").get_json()
    ids = {p["id"] for p in body["people"]}
    assert world["ambassador"].person_id in ids
    assert {m.id for m in world["mine"].members} <= ids
    assert not ids & {m.id for m in world["theirs"].members}


def test_me_for_an_admin_has_no_commune(signed_in, world):
    body = signed_in("admin").get("/api/v1/me").get_json()
    assert body["account"]["commune"] is None
    assert [p["id"] for p in body["people"]] == [world["admin"].person_id]


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.is_json


def test_error_pages_are_translated(client):
    assert "Không tìm thấy" in client.get("/no-such-page").get_data(as_text=True)
    assert "could not find" in client.get("/no-such-page?lang=en").get_data(as_text=True)


def test_too_large_request_is_refused(client):
    response = client.post("/login", data={"phone": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
