"""Community classes and events: creating and editing them, the API's shapes, scope,
attendance from the form, the API and the offline queue (counted once), walk-ins,
unmarking, the sheet and the attendees' progress before and after the day."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Person
from lms.audit import AuditEntry
from lms.events import operations as ops
from lms.events.models import CommunityEvent, EventAttendance, EventKind
from lms.extensions import db
from lms.learning.models import LessonProgress, Status
from lms.places.models import Household

from .conftest import csrf_from

TODAY = ops.local_today()


def make_event(world, by="ambassador", commune="home", held_on=None, **fields):
    event = CommunityEvent(
        commune_id=world[commune].id, created_by_id=world[by].id if by else None,
        title=fields.pop("title", "Lớp học điện thoại ở nhà văn hoá"),
        kind=fields.pop("kind", EventKind.CLASS), held_on=held_on or TODAY,
        place=fields.pop("place", "Nhà văn hoá bản Mé"),
        courses=fields.pop("courses", ["public-services"]), **fields)
    db.session.add(event)
    db.session.commit()
    return event


def marks(event) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count(EventAttendance.id)).where(
        EventAttendance.event_id == event.id))


def post_marks(client, event_id, items, token=None):
    token = token or csrf_from(client, "/events/")
    return client.post(f"/api/v1/events/{event_id}/attendance?lang=vi",
                       json={"attendance": items}, headers={"X-CSRFToken": token})


def mark(person_id) -> dict:
    return {"id": str(uuid.uuid4()), "person": person_id}


def event_form(**fields) -> dict:
    return {"title": "Ngày hội toàn dân học tập số", "kind": "learning_day",
            "held_on": TODAY.isoformat(), "place": "Nhà văn hoá xã", "village": "",
            "courses": ["public-services", "online-safety"], **fields}


# --- creating and editing ----------------------------------------------------------------


def test_an_ambassador_creates_and_edits_an_event(signed_in, world):
    client = signed_in("ambassador")
    token = csrf_from(client, "/events/new")
    response = client.post("/events/new", data={**event_form(village=str(world["village"].id)),
                                                "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(select(CommunityEvent))
    assert (event.commune_id, event.created_by_id, event.village_id) == (
        world["home"].id, world["ambassador"].id, world["village"].id)
    assert event.kind == EventKind.LEARNING_DAY
    assert event.courses == ["online-safety", "public-services"] or \
        set(event.courses) == {"online-safety", "public-services"}
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.object_type == "community_event")) == "event.created"

    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Ngày hội toàn dân học tập số" in page
    response = client.post(f"/events/{event.id}/edit", data={
        **event_form(title="Ngày hội học tập số bản Mé"), "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CommunityEvent, event.id).title == "Ngày hội học tập số bản Mé"
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "event.changed")) == 1
    listing = client.get("/events/").get_data(as_text=True)
    assert "Ngày hội học tập số bản Mé" in listing


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "Hãy gõ tên của sự kiện."),
    ({"held_on": "10/10/2026"}, None),
    ({"held_on": "2019-10-10"}, None),
    ({"kind": "party"}, None),
    ({"courses": ["ambassador-track"]}, None),
    ({"courses": ["no-such-course"]}, None),
    ({"place": ""}, None),
])
def test_bad_event_input_writes_nothing(signed_in, world, fields, message):
    client = signed_in("ambassador")
    token = csrf_from(client, "/events/new")
    response = client.post("/events/new?lang=vi", data={**event_form(**fields),
                                                         "csrf_token": token})
    assert response.status_code == 400
    assert 'class="error-text"' in response.get_data(as_text=True)
    if message:
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CommunityEvent.id))) == 0


def test_a_village_of_another_commune_is_refused(signed_in, world):
    client = signed_in("ambassador")
    token = csrf_from(client, "/events/new")
    response = client.post("/events/new", data={
        **event_form(village=str(world["far_village"].id)), "csrf_token": token})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(CommunityEvent.id))) == 0


def test_an_event_form_without_csrf_is_refused(signed_in, world):
    client = signed_in("ambassador")
    response = client.post("/events/new", data=event_form())
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(CommunityEvent.id))) == 0


def test_an_event_too_far_ahead_is_refused(signed_in, world):
    client = signed_in("official")
    token = csrf_from(client, "/events/new")
    far = (TODAY + timedelta(days=400)).isoformat()
    response = client.post("/events/new", data={**event_form(held_on=far),
                                                "csrf_token": token})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(CommunityEvent.id))) == 0


# --- scope -------------------------------------------------------------------------------


def test_another_communes_event_is_404_everywhere(signed_in, world):
    far = make_event(world, by="far_official", commune="away")
    person = world["mine"].members[0]
    for who in ("ambassador", "official"):
        client = signed_in(who)
        for path in ("", "/edit", "/attendance", "/sheet", "/people"):
            assert client.get(f"/events/{far.id}{path}").status_code == 404, (who, path)
        assert post_marks(client, far.id, [mark(person.id)]).status_code == 404
        assert far.title not in client.get("/events/").get_data(as_text=True)
        assert client.get("/api/v1/events").get_json() == []
    assert marks(far) == 0


def test_learners_and_strangers_cannot_see_events(signed_in, client, world):
    event = make_event(world)
    learner = signed_in("mine")
    assert learner.get("/events/").status_code == 404
    assert learner.get(f"/events/{event.id}").status_code == 404
    assert learner.get("/api/v1/events").status_code == 404
    assert client.get("/api/v1/events").status_code == 401
    assert client.get(f"/events/{event.id}").status_code == 302


def test_an_ambassador_cannot_mark_other_households_at_an_event_they_do_not_run(
        signed_in, world, make_staff):
    run_by_other = make_event(world, by="official")
    client = signed_in("ambassador")
    mine, theirs = world["mine"].members[0], world["theirs"].members[0]
    far = world["far"].members[0]
    items = [mark(mine.id), mark(theirs.id), mark(far.id), mark(10**6)]
    answer = post_marks(client, run_by_other.id, items).get_json()
    assert answer["accepted"] == [items[0]["id"]]
    assert [r["id"] for r in answer["rejected"]] == [i["id"] for i in items[1:]]
    assert all(r["error"] for r in answer["rejected"])
    assert marks(run_by_other) == 1
    # The search does not find them either, and the edit page is not theirs.
    page = client.get(f"/events/{run_by_other.id}/attendance?q=L%C3%B2").get_data(
        as_text=True)
    assert mine.name in page
    assert f'value="{theirs.id}"' not in page
    assert client.get(f"/events/{run_by_other.id}/edit").status_code == 404


def test_the_creator_and_the_official_may_mark_anyone_of_the_commune(signed_in, world):
    own = make_event(world, by="ambassador")
    theirs, far = world["theirs"].members[0], world["far"].members[0]
    items = [mark(theirs.id), mark(far.id)]
    answer = post_marks(signed_in("ambassador"), own.id, items).get_json()
    assert answer["accepted"] == [items[0]["id"]]
    assert answer["rejected"][0]["id"] == items[1]["id"]
    official_event = make_event(world, by="official")
    answer = post_marks(signed_in("official"), official_event.id,
                        [mark(theirs.id)]).get_json()
    assert len(answer["accepted"]) == 1


def test_another_ambassador_sees_only_their_own_people_on_the_event_page(
        signed_in, world, make_staff):
    event = make_event(world, by="official")
    ops.record_attendance(world["official"], event,
                          [mark(world["theirs"].members[0].id),
                           mark(world["mine"].members[1].id)])
    page = signed_in("ambassador").get(f"/events/{event.id}").get_data(as_text=True)
    assert world["mine"].members[1].name in page
    assert "2 người tham dự" in page
    assert "1 người" in page  # of other ambassadors' households, not by name


# --- the API -----------------------------------------------------------------------------


def test_the_events_api_shape(signed_in, world):
    event = make_event(world, village_id=world["village"].id,
                       courses=["public-services", "online-safety"])
    make_event(world, title="Tập huấn", kind=EventKind.TRAINING, courses=[])
    ops.record_attendance(world["ambassador"], event, [mark(world["mine"].members[0].id)])
    body = signed_in("ambassador").get("/api/v1/events").get_json()
    first = next(e for e in body if e["id"] == event.id)
    assert first == {"id": event.id, "title": event.title, "kind": "class",
                     "date": TODAY.isoformat(),
                     "village": {"id": world["village"].id, "name": "Bản Mé"},
                     "courses": ["public-services", "online-safety"], "attendees": 1}
    second = next(e for e in body if e["id"] != event.id)
    assert (second["village"], second["attendees"], second["kind"]) == (None, 0, "training")
    admin = signed_in("admin").get("/api/v1/events").get_json()
    assert {e["id"] for e in admin} == {e["id"] for e in body}


def test_the_attendance_api_answers_like_visits(signed_in, world):
    event = make_event(world)
    client = signed_in("ambassador")
    people = [m.id for m in world["mine"].members]
    items = [mark(people[0]), mark(people[1])]
    answer = post_marks(client, event.id, items).get_json()
    assert answer == {"accepted": [i["id"] for i in items], "duplicates": [], "rejected": []}
    # A replay, and a second mark of someone present, are duplicates.
    again = mark(people[0])
    answer = post_marks(client, event.id, [items[0], again]).get_json()
    assert answer == {"accepted": [], "duplicates": [items[0]["id"], again["id"]],
                      "rejected": []}
    assert marks(event) == 2


@pytest.mark.parametrize("body", [
    None, [], {"attendance": "x"}, {"marks": []},
    {"attendance": [{"id": str(uuid.uuid4()), "person": 1}] * 101},
])
def test_bad_attendance_bodies_are_400(signed_in, world, body):
    event = make_event(world)
    client = signed_in("ambassador")
    token = csrf_from(client, "/events/")
    response = client.post(f"/api/v1/events/{event.id}/attendance", json=body,
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert marks(event) == 0


def test_bad_items_are_rejected_one_by_one(signed_in, world):
    event = make_event(world)
    person = world["mine"].members[0].id
    items = ["x", {"id": "not-a-uuid", "person": person},
             {"id": str(uuid.uuid1()), "person": person},
             {"id": str(uuid.uuid4()), "person": True},
             {"id": str(uuid.uuid4()), "person": str(person)},
             {"id": str(uuid.uuid4())}]
    answer = post_marks(signed_in("ambassador"), event.id, items).get_json()
    assert answer["accepted"] == [] and answer["duplicates"] == []
    assert len(answer["rejected"]) == len(items)
    assert marks(event) == 0


def test_attendance_without_csrf_is_refused(signed_in, world):
    event = make_event(world)
    client = signed_in("ambassador")
    response = client.post(f"/api/v1/events/{event.id}/attendance",
                           json={"attendance": [mark(world["mine"].members[0].id)]})
    assert response.status_code == 400
    assert marks(event) == 0


def test_a_future_event_takes_no_attendance_yet(signed_in, world):
    event = make_event(world, held_on=TODAY + timedelta(days=3))
    answer = post_marks(signed_in("ambassador"), event.id,
                        [mark(world["mine"].members[0].id)]).get_json()
    assert len(answer["rejected"]) == 1
    assert marks(event) == 0


def test_offline_marks_synced_twice_are_counted_once(signed_in, world, app):
    """The phone queues marks with its own UUIDs; it sends them, loses the answer, and
    sends the same queue again (and a second phone sends one of them too)."""
    event = make_event(world)
    queue = [mark(m.id) for m in world["mine"].members]
    first = post_marks(signed_in("ambassador"), event.id, queue).get_json()
    assert sorted(first["accepted"]) == sorted(i["id"] for i in queue)
    replay = post_marks(signed_in("ambassador"), event.id, queue).get_json()
    assert replay["accepted"] == [] and sorted(replay["duplicates"]) == sorted(
        i["id"] for i in queue)
    assert marks(event) == len(queue)
    body = signed_in("official").get("/api/v1/events").get_json()
    assert body[0]["attendees"] == len(queue)
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "event.attendance_added")) == len(queue)


def test_attendance_calls_the_rollups(signed_in, world, monkeypatch):
    seen = []
    monkeypatch.setattr(ops, "people_changed", lambda ids: seen.append(sorted(ids)))
    event = make_event(world)
    person = world["mine"].members[0]
    post_marks(signed_in("ambassador"), event.id, [mark(person.id)])
    assert seen == [[person.id]]
    found = db.session.scalar(select(EventAttendance))
    ops.remove_attendance(world["ambassador"], found)
    assert seen[-1] == [person.id]


# --- the form path -----------------------------------------------------------------------


def test_search_and_tap_marks_present_without_javascript(signed_in, world):
    event = make_event(world)
    client = signed_in("ambassador")
    person = world["mine"].members[0]
    # Typed without the marks of Vietnamese, as on many phones.
    page = client.get(f"/events/{event.id}/attendance?q=lo+thi").get_data(as_text=True)
    assert person.name in page
    token = csrf_from(client, f"/events/{event.id}/attendance")
    response = client.post(f"/events/{event.id}/attendance?q=lo",
                           data={"person": person.id, "csrf_token": token,
                                 "mark": str(uuid.uuid4())})
    assert response.status_code == 302
    assert "q=lo" in response.headers["Location"]
    assert marks(event) == 1
    page = client.get(f"/events/{event.id}/attendance?q=lo").get_data(as_text=True)
    assert "có mặt" in page
    # Tapping twice (a double tap, a resent form) is still one attendance.
    client.post(f"/events/{event.id}/attendance", data={"person": person.id,
                                                        "csrf_token": token})
    assert marks(event) == 1


def test_marking_someone_out_of_reach_by_form_is_refused(signed_in, world):
    event = make_event(world, by="official")
    client = signed_in("ambassador")
    token = csrf_from(client, f"/events/{event.id}/attendance")
    response = client.post(f"/events/{event.id}/attendance", data={
        "person": world["theirs"].members[0].id, "csrf_token": token})
    assert response.status_code == 400
    assert marks(event) == 0


def test_a_walk_in_without_a_household_gets_one_in_their_village(signed_in, world):
    event = make_event(world)
    client = signed_in("ambassador")
    token = csrf_from(client, f"/events/{event.id}/attendance")
    households = db.session.scalar(select(func.count(Household.id)))
    response = client.post(f"/events/{event.id}/walk-in", data={
        "csrf_token": token, "walkin-name": "Cầm Thị Dung", "walkin-gender": "female",
        "walkin-birth_year": "1990", "walkin-village": str(world["other_village"].id),
        "walkin-household": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(select(Person).filter_by(name="Cầm Thị Dung"))
    assert person.household.name == "Cầm Thị Dung"
    assert person.household.village_id == world["other_village"].id
    assert (person.gender.value, person.birth_year) == ("female", 1990)
    assert db.session.scalar(select(func.count(Household.id))) == households + 1
    assert marks(event) == 1
    # The ambassador who added them keeps them among their households.
    assert person.household in world["ambassador"].assigned_households


def test_a_walk_in_into_an_own_household(signed_in, world):
    event = make_event(world, by="official")
    client = signed_in("ambassador")
    token = csrf_from(client, f"/events/{event.id}/attendance")
    response = client.post(f"/events/{event.id}/walk-in", data={
        "csrf_token": token, "walkin-name": "Lò Văn Khánh", "walkin-gender": "male",
        "walkin-birth_year": "", "walkin-village": str(world["village"].id),
        "walkin-household": str(world["mine"].id)})
    assert response.status_code == 302
    person = db.session.scalar(select(Person).filter_by(name="Lò Văn Khánh"))
    assert person.household_id == world["mine"].id
    assert marks(event) == 1


@pytest.mark.parametrize("fields", [
    {"walkin-name": ""}, {"walkin-gender": ""}, {"walkin-gender": "x"},
    {"walkin-birth_year": "85"}, {"walkin-birth_year": "abc"}, {"walkin-village": ""},
    {"walkin-village": "far"}, {"walkin-household": "theirs"},
    {"walkin-household": "mine", "walkin-village": "other_village"},
])
def test_bad_walk_ins_write_nothing(signed_in, world, fields):
    event = make_event(world, by="official")
    client = signed_in("ambassador")
    token = csrf_from(client, f"/events/{event.id}/attendance")
    data = {"csrf_token": token, "walkin-name": "Cầm Thị Dung", "walkin-gender": "female",
            "walkin-birth_year": "1990", "walkin-village": str(world["village"].id),
            "walkin-household": ""}
    for key, value in fields.items():
        if value in ("far", "other_village"):
            value = str(world[f"{value}_village" if value == "far" else value].id)
        elif value in ("theirs", "mine"):
            value = str(world[value].id)
        data[key] = value
    people = db.session.scalar(select(func.count(Person.id)))
    response = client.post(f"/events/{event.id}/walk-in?lang=vi", data=data)
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert 'class="error-text"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Person.id))) == people
    assert marks(event) == 0


def test_unmark_asks_first_then_removes(signed_in, world):
    event = make_event(world)
    person = world["mine"].members[0]
    ops.record_attendance(world["ambassador"], event, [mark(person.id)])
    found = db.session.scalar(select(EventAttendance))
    client = signed_in("ambassador")
    page = client.get(f"/events/{event.id}/attendance/{found.id}/remove")
    assert page.status_code == 200 and person.name in page.get_data(as_text=True)
    assert marks(event) == 1
    token = csrf_from(client, f"/events/{event.id}/attendance/{found.id}/remove")
    response = client.post(f"/events/{event.id}/attendance/{found.id}/remove",
                           data={"csrf_token": token})
    assert response.status_code == 302
    assert marks(event) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "event.attendance_removed")) == 1


def test_another_ambassador_cannot_unmark_someone_out_of_reach(signed_in, world):
    event = make_event(world, by="official")
    ops.record_attendance(world["official"], event, [mark(world["theirs"].members[0].id)])
    found = db.session.scalar(select(EventAttendance))
    client = signed_in("ambassador")
    assert client.get(f"/events/{event.id}/attendance/{found.id}/remove").status_code == 404
    assert marks(event) == 1


def test_the_sheet_lists_attendees_and_blank_rows(signed_in, world):
    event = make_event(world)
    ops.record_attendance(world["ambassador"], event, [mark(world["mine"].members[0].id)])
    page = signed_in("ambassador").get(f"/events/{event.id}/sheet").get_data(as_text=True)
    assert world["mine"].members[0].name in page and "Bản Mé" in page
    assert event.title in page and event.place in page
    assert page.count('class="blank"') >= 10


# --- progress before and after -----------------------------------------------------------


def completed(person, course, lesson, at):
    db.session.add(LessonProgress(
        person_id=person.id, course=course, lesson=lesson, status=Status.COMPLETED,
        attempts=1, first_seen=at, last_seen=at, completed_at=at, content_version="1"))


def test_progress_before_and_after_the_day(signed_in, world):
    from lms.content.catalog import catalog

    lessons = [lesson.slug for lesson in catalog().courses["public-services"].lessons]
    held_on = TODAY - timedelta(days=5)
    event = make_event(world, held_on=held_on)
    first, second = world["mine"].members[:2]
    before = datetime.combine(held_on - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    after = datetime.now(UTC)
    completed(first, "public-services", lessons[0], before)
    completed(first, "public-services", lessons[1], after)
    completed(second, "public-services", lessons[0], after)
    completed(second, "online-safety", "passwords", after)  # not a course of the event
    db.session.commit()
    ops.record_attendance(world["ambassador"], event, [mark(first.id), mark(second.id)])
    summary, per_person = ops.progress_before_after(event, [first.id, second.id])
    assert [(c.slug, c.before, c.now, c.people) for c in summary] == [
        ("public-services", 1, 3, 2)]
    assert per_person[(first.id, "public-services")] == (1, 2)
    assert per_person[(second.id, "public-services")] == (0, 1)
    page = signed_in("ambassador").get(f"/events/{event.id}").get_data(as_text=True)
    total = 2 * len(lessons)
    share_before, share_now = round(100 / total), round(300 / total)
    assert f"1 trên {total} bài ({share_before}%)" in page
    assert f"3 trên {total} bài ({share_now}%)" in page
    assert f"1 → 2 trên {len(lessons)} bài" in page


def test_the_list_shows_upcoming_and_past(signed_in, world):
    make_event(world, title="Lớp sắp tới", held_on=TODAY + timedelta(days=7))
    make_event(world, title="Ngày hội đã qua", held_on=date(2026, 10, 10)
               if date(2026, 10, 10) < TODAY else TODAY - timedelta(days=30))
    page = signed_in("official").get("/events/").get_data(as_text=True)
    assert page.index("Lớp sắp tới") < page.index("Ngày hội đã qua")


def test_events_link_from_the_homes(signed_in, world):
    for who in ("ambassador", "official"):
        page = signed_in(who).get("/ambassador/" if who == "ambassador" else "/official/",
                                  follow_redirects=True).get_data(as_text=True)
        assert 'href="/events/"' in page, who


def test_people_json_holds_only_the_reachable(signed_in, world):
    event = make_event(world, by="official")
    body = signed_in("ambassador").get(f"/events/{event.id}/people").get_json()
    assert {p["id"] for p in body["people"]} == {m.id for m in world["mine"].members}
