"""The progress sync API and the course API of DESIGN.md §4.4."""

import uuid

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learning.grading import needed_right
from lms.learning.models import LessonProgress, ProgressEvent, Status

from .conftest import csrf_from
from .learning_helpers import event, lesson_of, post_events, right_answer, wrong_answer


def stored() -> int:
    return db.session.scalar(select(db.func.count(ProgressEvent.id)))


def test_courses_api_lists_courses_in_the_current_language(signed_in):
    body = signed_in("mine").get("/api/v1/courses?lang=en").get_json()
    first = body[0]
    assert first["slug"] == "phone-basics" and first["title"] == "Phone basics"
    assert {"slug", "title", "steps"} <= set(first["lessons"][0])
    assert "ambassador-track" not in {c["slug"] for c in body}


def test_course_api_gives_the_whole_course_with_fallback(signed_in):
    body = signed_in("mine").get("/api/v1/courses/public-services?lang=hmn").get_json()
    assert body["lessons"][0]["language"] == "hmn" and not body["lessons"][0]["fallback"]
    assert body["lessons"][1]["language"] == "vi" and body["lessons"][1]["fallback"]
    step = next(s for s in body["lessons"][0]["steps"] if "question" in s)
    assert {"kind", "prompt", "options"} <= set(step["question"])
    assert signed_in("mine").get("/api/v1/courses/ambassador-track").status_code == 404


def test_events_are_accepted_once_and_replays_are_duplicates(signed_in, world):
    client = signed_in("mine")
    course, lesson = lesson_of()
    person = world["mine"].members[0].id
    batch = [event(person, course.slug, lesson.slug, 1), event(person, course.slug,
                                                               lesson.slug, 2)]
    first = post_events(client, batch).get_json()
    assert first == {"accepted": [e["id"] for e in batch], "duplicates": [], "rejected": []}
    again = post_events(client, batch + batch[:1]).get_json()
    assert again["accepted"] == [] and sorted(again["duplicates"]) == sorted(
        [batch[0]["id"], batch[0]["id"], batch[1]["id"]])
    assert stored() == 2


def test_server_grades_answers_and_the_attempt(signed_in, world):
    client = signed_in("mine")
    course, lesson = lesson_of()
    person = world["mine"].members[0].id
    quiz = lesson.texts["vi"].quiz_steps
    answers = {str(s.number): right_answer(s.question) for s in quiz}
    answers[str(quiz[0].number)] = wrong_answer(quiz[0].question)
    done = event(person, course.slug, lesson.slug, lesson.step_count, "lesson_completed",
                 {"answers": answers, "score": 1.0})
    assert post_events(client, [done]).get_json()["accepted"] == [done["id"]]
    row = db.session.scalar(select(LessonProgress).filter_by(person_id=person))
    expected = (len(quiz) - 1) / len(quiz)
    assert row.best_score == pytest.approx(expected)
    passed = len(quiz) - 1 >= needed_right(len(quiz), course.mastery)
    assert row.status == (Status.COMPLETED if passed else Status.FAILED)


@pytest.mark.parametrize(("change", "error"), [
    ({"person": 999999}, "Không tìm thấy người này."),
    ({"course": "nope"}, "Không có khóa học này."),
    ({"lesson": "nope"}, "Không có bài học này."),
    ({"step": 99}, "step phải là"),
    ({"type": "lesson_skipped"}, "Không biết loại sự kiện"),
    ({"id": "not-a-uuid"}, "UUID"),
    ({"id": str(uuid.uuid1())}, "UUID"),
    ({"occurred_at": "yesterday"}, "ISO 8601"),
    ({"occurred_at": "2001-01-01T00:00:00Z"}, "quá xa"),
])
def test_bad_events_are_rejected_with_a_reason_and_nothing_is_stored(signed_in, world, change,
                                                                     error):
    client = signed_in("mine")
    course, lesson = lesson_of()
    bad = {**event(world["mine"].members[0].id, course.slug, lesson.slug, 1), **change}
    body = post_events(client, [bad]).get_json()
    assert body["accepted"] == [] and body["rejected"][0]["id"] == bad["id"]
    assert error in body["rejected"][0]["error"]
    assert stored() == 0


def test_an_answer_that_does_not_fit_the_question_is_rejected(signed_in, world):
    course, lesson = lesson_of()
    step = next(s for s in lesson.texts["vi"].steps if s.question is not None)
    bad = event(world["mine"].members[0].id, course.slug, lesson.slug, step.number,
                "answer_submitted", answer=[99])
    assert post_events(signed_in("mine"), [bad]).get_json()["rejected"]
    assert stored() == 0


def test_an_event_for_someone_outside_the_household_is_rejected(signed_in, world):
    course, lesson = lesson_of()
    outsider = world["theirs"].members[0].id
    body = post_events(signed_in("mine"), [event(outsider, course.slug, lesson.slug, 1)]
                       ).get_json()
    assert body["rejected"] and stored() == 0


def test_a_household_phone_records_for_each_of_its_members(signed_in, world):
    course, lesson = lesson_of()
    batch = [event(m.id, course.slug, lesson.slug, 1) for m in world["mine"].members]
    assert len(post_events(signed_in("mine"), batch).get_json()["accepted"]) == len(batch)


def test_an_ambassador_records_for_assigned_households_only(signed_in, world):
    course, lesson = lesson_of()
    client = signed_in("ambassador")
    token = csrf_from(client, "/ambassador/")
    ok = event(world["mine"].members[0].id, course.slug, lesson.slug, 1)
    out = event(world["theirs"].members[0].id, course.slug, lesson.slug, 1)
    body = post_events(client, [ok, out], token).get_json()
    assert body["accepted"] == [ok["id"]] and body["rejected"][0]["id"] == out["id"]


def test_a_clock_far_in_the_future_is_clamped_and_flagged(signed_in, world):
    course, lesson = lesson_of()
    future = event(world["mine"].members[0].id, course.slug, lesson.slug, 1,
                   occurred_at="2099-01-01T00:00:00+07:00")
    post_events(signed_in("mine"), [future])
    row = db.session.scalar(select(ProgressEvent))
    assert row.clock_flagged and row.occurred_at.year < 2099


@pytest.mark.parametrize("body", [{"events": "x"}, {"nothing": []}, [1, 2], "text"])
def test_a_batch_of_the_wrong_shape_answers_400(signed_in, body):
    client = signed_in("mine")
    response = client.post("/api/v1/progress/events", json=body,
                           headers={"X-CSRFToken": csrf_from(client, "/learn")})
    assert response.status_code == 400 and "error" in response.get_json()


def test_malformed_json_answers_400(signed_in):
    client = signed_in("mine")
    response = client.post("/api/v1/progress/events", data="{not json",
                           content_type="application/json",
                           headers={"X-CSRFToken": csrf_from(client, "/learn")})
    assert response.status_code == 400


def test_more_than_500_events_answers_400_and_stores_nothing(signed_in, world):
    course, lesson = lesson_of()
    person = world["mine"].members[0].id
    batch = [event(person, course.slug, lesson.slug, 1) for _ in range(501)]
    assert post_events(signed_in("mine"), batch).status_code == 400
    assert stored() == 0


def test_missing_csrf_token_is_refused(signed_in, world):
    course, lesson = lesson_of()
    response = signed_in("mine").post("/api/v1/progress/events", json={"events": [
        event(world["mine"].members[0].id, course.slug, lesson.slug, 1)]})
    assert response.status_code == 400 and stored() == 0


def test_not_signed_in_is_refused(client):
    response = client.post("/api/v1/progress/events", json={"events": []})
    assert response.status_code in (400, 401) and stored() == 0


# --- one rule for which courses a person may take ----------------------------------------


def test_a_household_cannot_record_the_ambassador_track(signed_in, world):
    course, lesson = lesson_of("ambassador-track")
    client = signed_in("mine")
    assert client.get(f"/learn/{course.slug}").status_code == 404
    body = post_events(client, [event(world["mine"].members[0].id, course.slug, lesson.slug,
                                      1)]).get_json()
    assert body["accepted"] == [] and "Không có khóa học này." in body["rejected"][0]["error"]
    assert stored() == 0


def test_an_ambassador_records_the_track_for_self_but_not_for_villagers(signed_in, world):
    course, lesson = lesson_of("ambassador-track")
    client = signed_in("ambassador")
    token = csrf_from(client, "/ambassador/")
    own = event(world["ambassador"].person_id, course.slug, lesson.slug, 1)
    villager = event(world["mine"].members[0].id, course.slug, lesson.slug, 1)
    villager_course, villager_lesson = lesson_of()
    guided = event(world["mine"].members[0].id, villager_course.slug, villager_lesson.slug, 1)
    body = post_events(client, [own, villager, guided], token).get_json()
    assert sorted(body["accepted"]) == sorted([own["id"], guided["id"]])
    assert [r["id"] for r in body["rejected"]] == [villager["id"]]
    assert stored() == 2


def test_an_official_records_the_staff_track_for_self(signed_in, world):
    course, lesson = lesson_of("ambassador-track")
    client = signed_in("official")
    own = event(world["official"].person_id, course.slug, lesson.slug, 1)
    body = post_events(client, [own], csrf_from(client, "/official/")).get_json()
    assert body["accepted"] == [own["id"]]
