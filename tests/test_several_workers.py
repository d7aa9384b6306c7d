"""Four gunicorn workers on PostgreSQL and Redis, as in production: the sign-in limit is one
count shared by every worker, and the same events posted to several workers at once are
stored once. Runs where PostgreSQL and Redis are there (the PostgreSQL pass of CI)."""

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.several_workers

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKERS = 4
LOGIN_LIMIT = 12
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HOUSEHOLD_PHONE, HOUSEHOLD_PIN = "0900000101", "246810"


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    client.flushdb()
    return client


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = os.environ.get("LMS_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("several workers are tested on PostgreSQL (LMS_TEST_DATABASE_URL)")
    _redis_or_skip()
    scratch = make_url(url).set(database=f"{make_url(url).database}_workers")
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    folder = tmp_path_factory.mktemp("workers")
    env = {**os.environ, "LMS_ENV": "development", "FLASK_DEBUG": "0",
           "LMS_SECRET_KEY": secrets.token_hex(32),
           "LMS_DATABASE_URL": scratch.render_as_string(hide_password=False),
           "LMS_REDIS_URL": REDIS_URL, "LMS_INSTANCE_PATH": str(folder),
           "LMS_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per hour"}
    for command in (["db", "upgrade"], ["courses", "load"], ["demo", "load"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "lms", *command], cwd=ROOT,
                       env=env, check=True, capture_output=True)
    access_log = folder / "access.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "--workers", str(WORKERS),
         "--bind", "127.0.0.1:0", "--access-logfile", str(access_log),
         "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "--error-logfile",
         str(folder / "error.log"), "wsgi:app"],
        cwd=ROOT, env={**env, "LMS_BIND": "127.0.0.1:0"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        base = _wait_for_address(folder / "error.log", process)
        yield {"base": base, "access_log": access_log,
               "database": scratch.render_as_string(hide_password=False)}
    finally:
        process.terminate()
        process.wait(timeout=30)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        admin.dispose()


def _wait_for_address(error_log: Path, process: subprocess.Popen) -> str:
    """gunicorn says which port it took, and each worker that it booted."""
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        log = error_log.read_text() if error_log.exists() else ""
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
        if found and log.count("Booting worker") >= WORKERS:
            return f"http://127.0.0.1:{found.group(1)}"
        time.sleep(0.2)
    pytest.fail("gunicorn did not start: " + (error_log.read_text() if error_log.exists()
                                              else "no log"))


class Phone:
    """One browser: its own cookies; a new connection for every request, so that the
    requests land on whichever worker takes them."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())

    def request(self, path: str, data: dict | None = None, json_body=None,
                headers: dict | None = None) -> tuple[int, str]:
        body, all_headers = None, dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        # Always this test's own http://127.0.0.1 server.
        request = urllib.request.Request(self.base + path, data=body,  # noqa: S310
                                         headers=all_headers)
        try:
            with self.opener.open(request, timeout=30) as answer:  # noqa: S310
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self, path: str = "/login") -> str:
        return CSRF_INPUT.search(self.request(path)[1]).group(1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _served_by(access_log: Path, method: str, path: str) -> Counter:
    lines = access_log.read_text().splitlines() if access_log.exists() else []
    return Counter(line.split()[0] for line in lines
                   if line.split()[1:3] == [method, path])


def test_the_sign_in_limit_is_one_count_across_every_worker(server):
    _redis_or_skip()  # a fresh count
    statuses = []
    for attempt in range(LOGIN_LIMIT + 8):
        phone = Phone(server["base"])  # a new device each time: only the IP limit applies
        token = phone.csrf()
        statuses.append(phone.request("/login", data={
            "phone": f"09123{attempt:05d}", "secret": "not-the-secret", "csrf_token": token})[0])
    assert statuses.count(429) == 8, statuses
    assert all(status == 401 for status in statuses[:LOGIN_LIMIT]), statuses
    # The attempts really were spread over several workers.
    assert len(_served_by(server["access_log"], "POST", "/login")) >= 2


def test_the_same_events_posted_to_several_workers_are_stored_once(server):
    _redis_or_skip()  # the previous test used up this address's sign-ins
    phones = []
    for _ in range(6):
        phone = Phone(server["base"])
        token = phone.csrf()
        status, _body = phone.request("/login", data={
            "phone": HOUSEHOLD_PHONE, "secret": HOUSEHOLD_PIN, "csrf_token": token})
        assert status == 302
        phones.append(phone)
    me = json.loads(phones[0].request("/api/v1/me")[1])
    person = me["people"][0]["id"]
    course = json.loads(phones[0].request("/api/v1/courses")[1])[0]
    lesson = course["lessons"][0]
    start = datetime(2026, 11, 20, tzinfo=UTC)
    events = [{"id": str(uuid.uuid4()), "person": person, "type": "step_viewed",
               "course": course["slug"], "lesson": lesson["slug"],
               "step": 1 + n % lesson["steps"], "answer": {"seconds": 7},
               "occurred_at": (start + timedelta(seconds=n)).isoformat()} for n in range(300)]
    answers: list[dict] = []

    def post(phone: Phone) -> None:
        token = phone.csrf("/who")
        for chunk in range(0, len(events), 100):
            status, body = phone.request("/api/v1/progress/events",
                                         json_body={"events": events[chunk:chunk + 100]},
                                         headers={"X-CSRFToken": token})
            assert status == 200, body
            answers.append(json.loads(body))

    threads = [threading.Thread(target=post, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    accepted = Counter(event_id for answer in answers for event_id in answer["accepted"])
    assert set(accepted) == {event["id"] for event in events}
    assert set(accepted.values()) == {1}, "an event was acknowledged as new twice"
    assert len(_served_by(server["access_log"], "POST", "/api/v1/progress/events")) >= 2
    engine = create_engine(server["database"])
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM progress_event "
                 "WHERE event_id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"ids": [event["id"] for event in events]}).one()
    engine.dispose()
    assert tuple(stored) == (len(events), len(events))
