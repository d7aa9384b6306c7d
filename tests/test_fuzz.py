"""Generated input against every API route (walked from app.url_map), as each role and
as nobody: never a 5xx, and nothing is stored unless the answer says it was accepted.
Every page route gets generated paths, queries and form posts too: never a 5xx.

The number of examples per caller is bounded so that the test runs in `make test`;
LMS_FUZZ_EXAMPLES raises it for a longer hunt.
"""

import json
import os
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.content.catalog import catalog
from lms.extensions import db

from .conftest import csrf_from

EXAMPLES = int(os.environ.get("LMS_FUZZ_EXAMPLES", "60"))
HOMES = {"admin": "/admin/", "official": "/official/", "ambassador": "/ambassador/",
         "mine": "/learn"}
QUERY_KEYS = ["lang", "format", "village", "course", "gender", "age_band", "cohort", "from",
              "to", "v", "next", "person", "page"]
EVENT_KEYS = ["id", "person", "type", "course", "lesson", "step", "answer", "occurred_at"]
LIST_KEYS = ["events", "visits", "attendance", "people", "items"]

huge_integers = st.one_of(
    st.integers(-10, 2**31 + 10),
    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30]),
    st.integers(min_value=-(2**80), max_value=2**80),
)
edge_floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                        st.sampled_from([1e308, -1e308, 5e-324, 1e400]))
texts = st.one_of(st.text(max_size=40), st.sampled_from(["", "\x00", "\ud800", "null",
                                                         "%00", "../../", "a" * 600]))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), huge_integers, edge_floats, texts),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(texts, children, max_size=4)),
    max_leaves=12,
)
recent_times = st.datetimes(min_value=datetime(2024, 2, 1), max_value=datetime(2026, 11, 1),
                            timezones=st.just(UTC)).map(lambda moment: moment.isoformat())
edge_times = st.one_of(
    recent_times,
    recent_times,
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat()),
    st.builds(lambda moment, minutes: moment.replace(
        tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
        st.sampled_from([datetime(9999, 12, 31, 23, 59, 59), datetime(1, 1, 1),
                         datetime(2026, 6, 1, 8, 0)]),
        st.integers(-(23 * 60 + 59), 23 * 60 + 59)),
    texts,
)


def event_strategy(people: list[int]):
    courses = list(catalog().courses.values())

    @st.composite
    def build(draw):
        course = draw(st.sampled_from(courses))
        lesson = draw(st.sampled_from(course.lessons))
        steps = lesson.texts["vi"].steps
        item = {
            "id": draw(st.uuids(version=4).map(str)),
            "person": draw(st.sampled_from(people)) if people else 1,
            "type": draw(st.sampled_from(["step_viewed", "answer_submitted",
                                          "lesson_completed"])),
            "course": course.slug, "lesson": lesson.slug,
            "step": draw(st.integers(1, len(steps))),
            "answer": draw(st.one_of(st.none(), st.integers(0, 4), st.lists(
                st.integers(0, 4), max_size=5), st.fixed_dictionaries(
                {"seconds": st.one_of(st.integers(0, 700), huge_integers, edge_floats)}),
                st.fixed_dictionaries({"answers": st.dictionaries(
                    st.integers(0, 20).map(str), json_values, max_size=4)}), json_values)),
            "occurred_at": draw(edge_times),
        }
        for key in draw(st.lists(st.sampled_from([*EVENT_KEYS, "extra"]), max_size=3)):
            if draw(st.booleans()):
                item[key] = draw(st.one_of(json_values, edge_times))
            else:
                item.pop(key, None)
        return item

    return build()


def body_strategy(people: list[int]):
    batches = st.lists(event_strategy(people), min_size=1, max_size=5).map(
        lambda events: json.dumps({"events": events}))
    items = st.one_of(event_strategy(people), json_values)
    return st.one_of(
        batches,  # mostly batches of nearly right events, which get furthest in
        batches,
        batches,
        st.builds(lambda key, found: json.dumps({key: found}),
                  st.sampled_from(LIST_KEYS), st.lists(items, max_size=5)),
        json_values.map(json.dumps),
        st.integers(1, 200_000).map(lambda depth: "[" * depth + "]" * depth),
        st.binary(max_size=200),
        st.just(""),
    )


def path_value(converter_name: str, slugs: list[str]):
    if converter_name == "DatabaseIntegerConverter":
        return huge_integers.map(str)
    return st.one_of(st.sampled_from(slugs), texts.map(
        lambda text: quote(text.encode("utf-8", "surrogatepass"), safe="")))


def rows_stored() -> int:
    """Rows of every table but the audit trail, which records refused requests by design."""
    tables = [table for table in db.metadata.sorted_tables if table.name != "audit_entry"]
    counts = db.session.execute(select(*[
        select(func.count()).select_from(table).scalar_subquery() for table in tables])).one()
    return sum(counts)


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]


def test_no_generated_request_to_the_api_answers_5xx_or_stores_refused_input(app, signed_in,
                                                                            world):
    rules = api_rules(app)
    assert any("progress" in rule.rule for rule in rules)
    slugs = list(catalog().courses)
    callers = {who: signed_in(who) for who in HOMES}
    callers["nobody"] = app.test_client()
    tokens = {who: csrf_from(client, HOMES.get(who, "/login"))
              for who, client in callers.items()}
    people = sorted({person.id for household in (world["mine"], world["theirs"])
                     for person in household.members} | {world["ambassador"].person_id})
    # Routes that take a body are drawn more often: they have the most to get wrong.
    writers = [rule for rule in rules if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    requests = st.tuples(
        st.sampled_from(rules + writers * 3).flatmap(lambda rule: st.tuples(
            st.just(rule),
            st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})),
            st.fixed_dictionaries({
                name: path_value(type(converter).__name__, slugs)
                for name, converter in rule._converters.items()}))),  # noqa: SLF001
        st.dictionaries(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=8)),
                        st.one_of(texts, huge_integers.map(str)), max_size=3),
        body_strategy(people),
    )

    @settings(max_examples=EXAMPLES * len(callers), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.sampled_from(sorted(callers)), requests)
    def send(caller, request):
        (rule, method, values), query, body = request
        path = rule.rule
        for name, value in values.items():
            path = _fill(path, name, value)
        query_text = urlencode({key.encode("utf-8", "surrogatepass"):
                                value.encode("utf-8", "surrogatepass")
                                for key, value in query.items()})
        url = path + ("?" + query_text if query_text else "")
        before = rows_stored()
        kwargs = {"method": method, "headers": {"X-CSRFToken": tokens[caller]}}
        if method not in ("GET", "DELETE"):
            kwargs["data"] = body.encode("utf-8", "surrogatepass") if isinstance(
                body, str) else body
            kwargs["content_type"] = "application/json"
        response = callers[caller].open(url, **kwargs)
        assert response.status_code < 500, (caller, method, url, body[:300],
                                            response.get_data(as_text=True)[:300])
        answer = response.get_json(silent=True) if response.is_json else None
        accepted = answer.get("accepted") if isinstance(answer, dict) else None
        if not (200 <= response.status_code < 300 and accepted):
            assert rows_stored() == before, (caller, method, url, body[:300])

    send()


def _fill(path: str, name: str, value: str) -> str:
    """The rule's path with one `<converter:name>` or `<name>` part replaced by value."""
    start = path.index("<")
    while True:
        end = path.index(">", start)
        part = path[start + 1:end]
        if part.split(":")[-1] == name:
            return path[:start] + value + path[end + 1:]
        start = path.index("<", end)


FORM_FIELDS = ["csrf_token", "action", "choice", "position-0", "position-1", "position-2",
               "shown_at", "person", "lang", "next", "phone", "secret"]
# Signing out would leave the rest of the run to an anonymous caller.
NOT_FUZZED = {"accounts.logout", "static"}


def test_no_generated_request_to_a_page_answers_5xx(app, signed_in, world):
    """The same for every page route: generated paths, queries and form posts."""
    rules = [rule for rule in app.url_map.iter_rules()
             if not rule.rule.startswith("/api/") and rule.endpoint not in NOT_FUZZED]
    slugs = [*catalog().courses, "vneid-two-levels", "vietqr"]
    callers = {who: signed_in(who) for who in HOMES}
    callers["nobody"] = app.test_client()
    tokens = {who: csrf_from(client, HOMES.get(who, "/login"))
              for who, client in callers.items()}
    field_values = st.one_of(texts, huge_integers.map(str), st.sampled_from(
        ["answer", "next", "0", "1", "2", "vi", "en", "hmn", "/learn", "//evil.example"]))
    requests = st.tuples(
        st.sampled_from(rules).flatmap(lambda rule: st.tuples(
            st.just(rule),
            st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})),
            st.fixed_dictionaries({
                name: path_value(type(converter).__name__, slugs)
                for name, converter in rule._converters.items()}))),  # noqa: SLF001
        st.dictionaries(st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=8)),
                        field_values, max_size=3),
        st.lists(st.tuples(st.sampled_from(FORM_FIELDS), field_values), max_size=6),
        st.booleans(),
    )

    # Pages cost more to render than JSON: half as many examples.
    @settings(max_examples=EXAMPLES * len(callers) // 2, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.sampled_from(sorted(callers)), requests)
    def send(caller, request):
        (rule, method, values), query, form, with_token = request
        path = rule.rule
        for name, value in values.items():
            path = _fill(path, name, value)
        query_text = urlencode({key.encode("utf-8", "surrogatepass"):
                                value.encode("utf-8", "surrogatepass")
                                for key, value in query.items()})
        url = path + ("?" + query_text if query_text else "")
        kwargs = {"method": method}
        if method == "POST":
            fields = [(key, tokens[caller] if key == "csrf_token" else value)
                      for key, value in form]
            if with_token:
                fields.append(("csrf_token", tokens[caller]))
            kwargs["data"] = urlencode([(key, value.encode("utf-8", "surrogatepass"))
                                        for key, value in fields])
            kwargs["content_type"] = "application/x-www-form-urlencoded"
        before = rows_stored()
        response = callers[caller].open(url, **kwargs)
        assert response.status_code < 500, (caller, method, url, kwargs.get("data"),
                                            response.get_data(as_text=True)[:300])
        # (A wrong sign-in is counted for the wait that slows guessing: that write is meant.)
        if response.status_code >= 400 and rule.endpoint != "accounts.login":
            assert rows_stored() == before, (caller, method, url, kwargs.get("data"))

    send()
