"""The log says who did what and when, as JSON in UTC, and never holds a secret."""

import json
import logging

from flask_login import login_user

from lms.logs import LOGGER_NAME, JsonFormatter

from .conftest import SECRETS_NEVER_LOGGED, SIGNED_VALUE, TEST_PIN, sign_in


def test_sign_ins_and_refusals_are_logged_without_the_secret(client, world, _suite_log):
    first = len(_suite_log.lines)
    assert sign_in(client, "0911000001", "000000").status_code == 401
    assert sign_in(client, "0911000001", TEST_PIN).status_code == 302
    lines = _suite_log.lines[first:]
    assert any("sign-in refused" in line for line in lines)
    assert any("sign-in account=" in line for line in lines)
    assert not [line for line in lines if TEST_PIN in line or "000000" in line]


def test_a_refused_access_is_logged(signed_in, world, _suite_log):
    client = signed_in("ambassador")
    first = len(_suite_log.lines)
    assert client.get(f"/ambassador/households/{world['far'].id}").status_code == 404
    assert any("refused access" in line for line in _suite_log.lines[first:])


def test_a_log_line_is_json_in_utc_with_who_and_where(app, world):
    record = logging.LogRecord(LOGGER_NAME, logging.INFO, __file__, 1, "sign-in account=%s",
                               (7,), None)
    with app.test_request_context("/login?next=/learn&token=abc", method="POST",
                                  environ_base={"REMOTE_ADDR": "203.0.113.5"}):
        login_user(world["admin"])
        entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "sign-in account=7"
    assert entry["time"].endswith("+00:00")
    assert entry["path"] == "/login" and "token" not in json.dumps(entry)
    assert entry["ip"] == "203.0.113.5" and entry["account"] == world["admin"].id


def test_the_scanner_recognises_what_must_never_be_logged():
    # A signed session cookie and a CSRF token, as Flask and Flask-WTF make them.
    assert SIGNED_VALUE.search("session=.eJwlzjEOwjAMQNG7ZGbIZjtOuEwVO7ZgbemEuDtIzP9J_122ddZxL3d8")
    assert SIGNED_VALUE.search("IjVhYjM4ZjQ2ZTk2YmQ1.Z0xQ2A.k2F9Yb8Xk1oVn3KqLw7c9Rz0aBc")
    assert not SIGNED_VALUE.search("GET /learn/online-safety/report-a-scam/3 200")
    assert "246810" in SECRETS_NEVER_LOGGED
