"""The JSON endpoints of DESIGN.md §4.4 that the foundation provides."""

import pytest


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


@pytest.mark.parametrize(("code", "words"), [
    (400, "Có chỗ chưa đúng"), (403, "Bạn không được làm việc này"),
    (404, "Không tìm thấy trang này"), (413, "Nội dung gửi lên quá lớn"),
    (429, "Thử quá nhiều lần"), (500, "Hệ thống đang gặp trục trặc"),
])
def test_every_error_page_is_translated_and_json_under_the_api(app, code, words):
    from werkzeug.exceptions import default_exceptions

    from lms.errors import _respond

    with app.test_request_context("/learn"):
        body, status = _respond(default_exceptions[code]())
        assert status == code and words in body
    with app.test_request_context("/api/v1/me?lang=en"):
        body, status = _respond(default_exceptions[code]())
        assert status == code and body.get_json()["status"] == code


def test_an_unexpected_error_answers_a_translated_500(signed_in, monkeypatch):
    from lms.api import views

    def broken(account):
        raise RuntimeError("something broke")

    client = signed_in("official")
    monkeypatch.setattr(views, "account_commune", broken)
    response = client.get("/api/v1/me")
    assert response.status_code == 500 and response.is_json
    assert "something broke" not in response.get_data(as_text=True)
