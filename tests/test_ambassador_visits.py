"""Guidance visits: the form (JavaScript off), corrections for 7 days, and POST /api/v1/visits
(accepted, duplicates, rejected; a replay is counted once)."""

from datetime import timedelta

import pytest

from lms import audit
from lms.ambassadors.models import GuidanceVisit, VerifiedSkill
from lms.ambassadors.visits import local_today
from lms.extensions import db

from .ambassador_helpers import consent_all, post_visits, visit
from .conftest import csrf_from


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- the form --------------------------------------------------------------------------


def _form(client, household, **fields):
    path = f"/ambassador/households/{household.id}/visits/new"
    first, second = household.members[0].id, household.members[1].id
    data = {"csrf_token": csrf_from(client, path), "visited_on": local_today().isoformat(),
            "present": [str(first), str(second)],
            "practised": ["public-services/activate-level-2"],
            "verified": [f"{first}/public-services/vneid-level2-activated"],
            "note": "Đã tự làm.", **fields}
    return client.post(path, data=data)


def test_a_visit_form_credits_the_verified_skill_to_the_person(signed_in, world):
    consent_all(world["mine"], world["ambassador"])
    client = signed_in("ambassador")
    page = client.get(f"/ambassador/households/{world['mine'].id}/visits/new")
    assert page.status_code == 200 and f'value="{local_today().isoformat()}"' in \
        page.get_data(as_text=True)
    assert _form(client, world["mine"]).status_code == 302
    stored = db.session.scalar(db.select(GuidanceVisit))
    assert [p.id for p in stored.present] == [m.id for m in world["mine"].members[:2]]
    assert stored.practised == [{"course": "public-services", "lesson": "activate-level-2"}]
    [skill] = db.session.scalars(db.select(VerifiedSkill)).all()
    assert skill.person_id == world["mine"].members[0].id
    assert skill.verified_by_id == world["ambassador"].id
    assert skill.verified_on == local_today()
    page = client.get(f"/ambassador/households/{world['mine'].id}").get_data(as_text=True)
    assert "Đã tự làm." in page


@pytest.mark.parametrize("fields", [
    {"visited_on": "{tomorrow}"},  # worked out when the test runs, not when it is collected
    {"visited_on": "hôm qua"},
    {"present": []},
    {"note": "x" * 501},
    {"practised": ["public-services/no-such-lesson"]},
    {"verified": ["{first}/public-services/no-such-skill"]},
])
def test_bad_visit_input_is_refused_and_writes_nothing(signed_in, world, fields):
    consent_all(world["mine"], world["ambassador"])
    first = world["mine"].members[0].id
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    fields = {k: [v.format(first=first) for v in value] if isinstance(value, list)
              else value.format(tomorrow=tomorrow) for k, value in fields.items()}
    response = _form(signed_in("ambassador"), world["mine"], **fields)
    assert response.status_code == 400
    assert 'class="error-text"' in response.get_data(as_text=True)
    assert count(GuidanceVisit) == 0 and count(VerifiedSkill) == 0


def test_a_skill_needs_the_persons_consent(signed_in, world):
    response = _form(signed_in("ambassador"), world["mine"])
    assert response.status_code == 400
    assert "chưa đồng ý" in response.get_data(as_text=True)
    assert count(GuidanceVisit) == 0


def test_ids_from_other_households_in_the_form_are_not_found(signed_in, world):
    consent_all(world["mine"], world["ambassador"])
    client = signed_in("ambassador")
    outsider = world["theirs"].members[0].id
    assert _form(client, world["mine"], present=[str(outsider)]).status_code == 404
    assert _form(client, world["mine"], verified=[
        f"{outsider}/public-services/vneid-installed"]).status_code == 404
    assert client.get(f"/ambassador/households/{world['theirs'].id}/visits/new"
                      ).status_code == 404
    assert count(GuidanceVisit) == 0


def test_the_visit_form_needs_the_csrf_token(signed_in, world):
    consent_all(world["mine"], world["ambassador"])
    assert _form(signed_in("ambassador"), world["mine"], csrf_token="x").status_code == 400
    assert count(GuidanceVisit) == 0


def test_the_same_ambassador_can_correct_a_visit_for_7_days(signed_in, world, make_staff):
    consent_all(world["mine"], world["ambassador"])
    client = signed_in("ambassador")
    _form(client, world["mine"])
    stored = db.session.scalar(db.select(GuidanceVisit))
    path = f"/ambassador/visits/{stored.id}/edit"
    token = csrf_from(client, path)
    response = client.post(path, data={"csrf_token": token,
                                       "visited_on": local_today().isoformat(),
                                       "present": [str(world["mine"].members[0].id)],
                                       "note": "Chỉ bà Ơn có mặt."})
    assert response.status_code == 302
    db.session.refresh(stored)
    assert len(stored.present) == 1 and stored.verified == [] and stored.corrected_at
    entries = [e.action for e in audit.history("household", world["mine"].id)]
    assert entries[:2] == ["visit.corrected", "visit.recorded"]
    stored.created_at -= timedelta(days=8)
    db.session.commit()
    assert client.get(path).status_code == 404
    other = make_staff(world["ambassador"].role, "0911000099", world["home"], [world["mine"]])
    stored.created_at += timedelta(days=8)
    db.session.commit()
    from .conftest import TEST_PASSWORD, sign_in
    second = client.application.test_client()
    sign_in(second, other.phone, TEST_PASSWORD)
    assert second.get(path).status_code == 404


# --- the API -----------------------------------------------------------------------------


def test_visits_api_accepts_once_and_replays_are_duplicates(signed_in, world):
    consent_all(world["mine"], world["ambassador"])
    client = signed_in("ambassador")
    batch = [visit(world["mine"]), visit(world["mine"], verified=[])]
    body = post_visits(client, batch).get_json()
    assert body == {"accepted": [v["id"] for v in batch], "duplicates": [], "rejected": []}
    body = post_visits(client, batch + [batch[0]]).get_json()
    assert body["accepted"] == [] and len(body["duplicates"]) == 3
    assert count(GuidanceVisit) == 2 and count(VerifiedSkill) == 1


@pytest.mark.parametrize(("change", "why"), [
    ({"id": "not-a-uuid"}, "UUID"),
    ({"household": "1"}, "household"),
    ({"date": "2999-01-01"}, "future"),
    ({"date": "25/03/2026"}, "date"),
    ({"present": []}, ""),
    ({"practised": [{"course": "public-services", "lesson": "nope"}]}, ""),
    ({"verified": [{"person": 1, "course": "public-services", "skill": "flying"}]}, ""),
    ({"note": "x" * 501}, "500"),
    ({"note": 12}, ""),
])
def test_bad_visits_are_rejected_one_by_one(signed_in, world, change, why):
    consent_all(world["mine"], world["ambassador"])
    good = visit(world["mine"])
    bad = visit(world["mine"], **change)
    if "verified" in change:
        bad["verified"][0]["person"] = world["mine"].members[0].id
    body = post_visits(signed_in("ambassador"), [good, bad], lang="en").get_json()
    assert body["accepted"] == [good["id"]]
    assert body["rejected"][0]["id"] == bad["id"] and why in body["rejected"][0]["error"]
    assert count(GuidanceVisit) == 1


def test_visits_outside_scope_are_rejected_never_stored(signed_in, world):
    consent_all(world["mine"], world["ambassador"])
    consent_all(world["theirs"], world["ambassador"])
    client = signed_in("ambassador")
    theirs = visit(world["theirs"])
    stranger = visit(world["mine"], present=[world["theirs"].members[0].id])
    skill_for_stranger = visit(world["mine"], verified=[{
        "person": world["theirs"].members[0].id, "course": "public-services",
        "skill": "vneid-installed"}])
    body = post_visits(client, [theirs, stranger, skill_for_stranger]).get_json()
    assert [r["id"] for r in body["rejected"]] == [theirs["id"], stranger["id"],
                                                   skill_for_stranger["id"]]
    assert count(GuidanceVisit) == 0


def test_visits_api_refuses_bad_bodies_and_missing_csrf(signed_in, world):
    client = signed_in("ambassador")
    token = csrf_from(client, "/ambassador/")
    for body in ({}, {"visits": "x"}, {"visits": [visit(world["mine"])] * 101}):
        response = client.post("/api/v1/visits", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 400 and "error" in response.get_json()
    assert client.post("/api/v1/visits", data="{", headers={"X-CSRFToken": token,
                       "Content-Type": "application/json"}).status_code == 400
    assert client.post("/api/v1/visits", json={"visits": [visit(world["mine"])]}
                       ).status_code == 400
    assert count(GuidanceVisit) == 0


@pytest.mark.parametrize("who", ["official", "admin", "mine"])
def test_only_ambassadors_post_visits(signed_in, world, who):
    client = signed_in(who)
    token = csrf_from(client, "/people/1" if who == "mine" else "/login")
    assert post_visits(client, [visit(world["mine"])], token).status_code == 404


def test_households_api_lists_the_callers_households(signed_in, world):
    consent_all(world["mine"], world["ambassador"])
    client = signed_in("ambassador")
    post_visits(client, [visit(world["mine"])])
    [household] = client.get("/api/v1/households").get_json()
    assert household["id"] == world["mine"].id and household["name"] == world["mine"].name
    assert household["village"] == {"id": world["village"].id, "name": "Bản Mé"}
    assert household["members"][0] == {"id": world["mine"].members[0].id,
                                       "name": "Lò Thị A", "gender": "female",
                                       "birth_year": 1980}
    assert household["last_visit"] == local_today().isoformat()
    assert household["digital_family"] == {"reached": False, "since": None}
    assert isinstance(household["needs_help"], list)
    ids = {h["id"] for h in signed_in("official").get("/api/v1/households").get_json()}
    assert ids == {world["mine"].id, world["theirs"].id}


def test_person_api_shows_progress_skills_and_scope(signed_in, world):
    consent_all(world["mine"], world["ambassador"])
    client = signed_in("ambassador")
    post_visits(client, [visit(world["mine"])])
    person = world["mine"].members[0]
    body = client.get(f"/api/v1/people/{person.id}").get_json()
    assert body["id"] == person.id and body["household"] == world["mine"].id
    assert body["skills"] == [{"course": "public-services", "skill": "vneid-level2-activated",
                               "verified_by": world["ambassador"].name,
                               "verified_on": local_today().isoformat()}]
    assert body["progress"] == [] and body["needs_help"] == []
    assert client.get(f"/api/v1/people/{world['theirs'].members[0].id}").status_code == 404
    assert client.get("/api/v1/people/999999").status_code == 404
    assert signed_in("mine").get(f"/api/v1/people/{person.id}").status_code == 404
