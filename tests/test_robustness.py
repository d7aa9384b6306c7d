"""Input at the edges: ids too large for the database, times at the calendar's edge,
numbers JSON cannot carry, nesting too deep. Each gets a clear 4xx, never a 500, and
nothing is stored."""

import json

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.inputs import MAX_DATABASE_INTEGER
from lms.learning.models import LessonProgress, ProgressEvent

from .conftest import csrf_from
from .learning_helpers import event, lesson_of, post_events

TOO_LARGE = [MAX_DATABASE_INTEGER + 1, 2**63, 2**64, 10**30]
SAMPLE_VALUES = {"course_slug": "public-services", "lesson_slug": "vneid-two-levels",
                 "slug": "public-services", "path": "images/x.png", "code": "x",
                 "filename": "x.css"}


def stored() -> int:
    return db.session.scalar(select(db.func.count(ProgressEvent.id)))


def int_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(type(c).__name__ == "DatabaseIntegerConverter"
                   for c in rule._converters.values())]  # noqa: SLF001


def url_with(app, rule, number: int) -> str:
    values = {name: number if type(rule._converters[name]).__name__ == (  # noqa: SLF001
        "DatabaseIntegerConverter") else SAMPLE_VALUES.get(name, "x")
        for name in rule.arguments}
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def test_every_int_route_uses_the_bounded_converter(app):
    assert int_rules(app), "no route takes an id"
    for rule in app.url_map.iter_rules():
        assert "IntegerConverter" not in {type(c).__name__
                                          for c in rule._converters.values()}, rule  # noqa: SLF001


@pytest.mark.parametrize("who", ["admin", "official", "ambassador", "mine"])
def test_ids_beyond_the_database_range_answer_404(app, signed_in, who):
    client = signed_in(who)
    for rule in int_rules(app):
        for number in TOO_LARGE:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url_with(app, rule, number), method=method)
                assert response.status_code == 404, (rule.rule, number, method)
        # The largest id the database holds is an ordinary "not found", not an error.
        assert client.get(url_with(app, rule, MAX_DATABASE_INTEGER)).status_code < 500


def test_a_step_number_beyond_the_range_answers_404(signed_in):
    client = signed_in("mine")
    assert client.get(f"/learn/public-services/vneid-two-levels/{2**64}").status_code == 404


@pytest.mark.parametrize(("occurred_at", "outcome"), [
    ("9999-12-31T23:59:59-23:59", "clamped"),
    ("9999-12-31T23:59:59.999999-00:01", "clamped"),
    ("0001-01-01T00:00:00+23:59", "too long ago"),
    ("0001-01-01T00:00:00+00:01", "too long ago"),
])
def test_times_at_the_calendars_edge_are_handled(signed_in, world, occurred_at, outcome):
    course, lesson = lesson_of()
    sent = event(world["mine"].members[0].id, course.slug, lesson.slug, 1,
                 occurred_at=occurred_at)
    body = post_events(signed_in("mine"), [sent]).get_json()
    if outcome == "clamped":
        assert body["accepted"] == [sent["id"]]
        row = db.session.scalar(select(ProgressEvent))
        assert row.clock_flagged and row.occurred_at.year < 9999
    else:
        assert body["accepted"] == [] and "quá xa" in body["rejected"][0]["error"]
        assert stored() == 0


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_numbers_json_cannot_carry_make_the_body_malformed(signed_in, world, number):
    course, lesson = lesson_of()
    sent = event(world["mine"].members[0].id, course.slug, lesson.slug, 1)
    body = json.dumps({"events": [{**sent, "answer": {"seconds": "SECONDS"}}]})
    client = signed_in("mine")
    response = client.post("/api/v1/progress/events",
                           data=body.replace('"SECONDS"', number),
                           content_type="application/json",
                           headers={"X-CSRFToken": csrf_from(client, "/learn")})
    assert response.status_code == 400 and response.is_json
    assert stored() == 0


def test_a_step_time_that_is_not_finite_is_rejected_where_it_is_read(app, world):
    from lms.accounts.models import Account
    from lms.learning.progress import record_events

    course, lesson = lesson_of()
    account = db.session.scalar(select(Account).filter_by(household_id=world["mine"].id))
    with app.test_request_context("/", method="POST"):
        result = record_events(account, [
            event(world["mine"].members[0].id, course.slug, lesson.slug, 1,
                  answer={"seconds": float("inf")}),
            event(world["mine"].members[0].id, course.slug, lesson.slug, 1,
                  answer={"seconds": float("nan")})])
    assert result.accepted == [] and len(result.rejected) == 2
    assert stored() == 0


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_answers_400(signed_in, depth):
    client = signed_in("mine")
    token = csrf_from(client, "/learn")
    for body in ('{"events": ' + "[" * depth + "]" * depth + "}",
                 '{"events": [{"answer": ' + '{"a": ' * depth + "1" + "}" * depth + "}]}"):
        response = client.post("/api/v1/progress/events", data=body,
                               content_type="application/json",
                               headers={"X-CSRFToken": token})
        assert response.status_code == 400 and response.is_json
    assert stored() == 0


def test_only_what_was_understood_is_stored(signed_in, world):
    """Nothing but the graded answers and the step time is kept of what a phone sends."""
    course, lesson = lesson_of()
    person = world["mine"].members[0].id
    quiz = lesson.texts["vi"].quiz_steps
    junk = {"x" * 50: ["ghi chú", {"deep": [1.5, None, True]}]}
    viewed = event(person, course.slug, lesson.slug, 1, answer={"seconds": 12, **junk})
    done = event(person, course.slug, lesson.slug, lesson.step_count, "lesson_completed",
                 {"answers": {str(quiz[0].number): 0, "999": "x", **junk}, **junk})
    body = post_events(signed_in("mine"), [viewed, done]).get_json()
    assert sorted(body["accepted"]) == sorted([viewed["id"], done["id"]])
    answers = {row.type.value: row.answer for row in db.session.scalars(select(ProgressEvent))}
    assert answers["step_viewed"] == {"seconds": 12}
    # Only quiz steps, in their canonical form: the unanswered ones are simply not there.
    assert answers["lesson_completed"]["answers"] == {str(quiz[0].number): 0}
    assert db.session.scalar(select(LessonProgress.time_spent_seconds)) == 12


@pytest.mark.parametrize("phone", ["%00", "09%00123", "%ED%A0%80", "%FF%FE", "9" * 5000])
def test_sign_in_with_impossible_phone_text_is_refused(client, world, phone):
    token = csrf_from(client)
    response = client.post("/login", data=f"phone={phone}&secret=x&csrf_token={token}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 401)


@pytest.mark.parametrize("text", ["\\u0000", "a\\u0000b", "\\ud800", "\\udfff\\ud800"])
def test_json_text_no_column_can_hold_answers_400(signed_in, world, text):
    course, lesson = lesson_of()
    sent = event(world["mine"].members[0].id, course.slug, lesson.slug, 1)
    client = signed_in("mine")
    for body in (json.dumps({"events": [{**sent, "answer": {"note": "TEXT"}}]}),
                 json.dumps({"events": [{**sent, "TEXT": 1}]}),
                 json.dumps({"events": [{**sent, "id": "TEXT"}]})):
        response = client.post("/api/v1/progress/events", data=body.replace("TEXT", text),
                               content_type="application/json",
                               headers={"X-CSRFToken": csrf_from(client, "/learn")})
        assert response.status_code == 400 and response.is_json
    assert stored() == 0


@pytest.mark.parametrize("path", ["/verify/%00", "/verify/a%00b", "/learn/%00",
                                  "/learn?lang=%00", "/api/v1/courses/%00"])
def test_a_url_holding_nul_answers_400(signed_in, path):
    assert signed_in("mine").get(path).status_code == 400
