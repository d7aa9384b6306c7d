"""A mixed soak: learners, offline batches, ambassadors and officials at once, on four
gunicorn workers and PostgreSQL, with one worker killed every two minutes (DESIGN.md §5).

    .venv/bin/python bench/soak.py                               # 10 minutes
    .venv/bin/python bench/soak.py --minutes 2 --kill-every 40   # a quick look
    .venv/bin/python bench/soak.py --write-results               # also bench/results/soak.txt

It builds a throw-away instance in a scratch database (`bench_soak`, created and dropped on
the server of --postgres), loads the courses and the demo commune, and serves it with
`deploy/gunicorn.conf.py` and Redis as in production. Then, for --minutes:
- learners (one demo household each) open lesson steps and send each step as an event;
- offline phones send batches of 100 events, 10 % of them re-sent ids, as a queue replays;
- ambassadors read their households and record visits (a replay now and then);
- officials open the dashboard, its CSV and XLSX downloads and the figures API.
A request that got no answer (its worker was killed) is sent again later with the same ids.
The report gives requests/s, p50/p95/p99 per kind, errors other than the killed requests,
and the database's own count: every acknowledged event and visit stored exactly once.
Exit code 0 whatever the figures; 1 when the app could not be set up or started.
"""

import argparse
import http.client
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

from ingest import PostgresDatabase, Server, csrf_token, percentile
from page_weight import use_temporary_instance, wait_until_up

REPO = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO / "bench" / "results" / "soak.txt"
HOUSEHOLDS = [f"09000001{number:02d}" for number in range(1, 13)]
PIN = "246810"
AMBASSADORS = ["0900000003", "0900000004"]
OFFICIAL = "0900000002"
STAFF_SECRETS = {"0900000002": "demo-official-2026", "0900000003": "demo-ambassador-2026",
                 "0900000004": "demo-ambassador-2026"}
REQUEST_TIMEOUT = 30.0
MAX_ATTEMPTS = 8


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    no_answer: int = 0  # connections cut by a killed worker
    events_acknowledged: set[str] = field(default_factory=set)
    events_accepted_answers: int = 0
    events_accepted: set[str] = field(default_factory=set)
    visits_acknowledged: set[str] = field(default_factory=set)
    visits_accepted_answers: int = 0
    visits_accepted: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class NoAnswer(Exception):
    pass


class Phone:
    """One signed-in browser: its cookies, its CSRF token, a new connection per request."""

    def __init__(self, base: str, tally: Tally):
        self.base, self.tally = base, tally
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(CookieJar()))
        self.csrf = ""

    def call(self, kind: str, path: str, body: dict | None = None) -> bytes:
        """Timed; an HTTP error is counted against `kind`, a cut connection is NoAnswer."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf} if data else {}
        request = urllib.request.Request(self.base + path, data=data,  # noqa: S310 (loopback)
                                         headers=headers)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as answer:
                content = answer.read()
        except urllib.error.HTTPError as error:
            with self.tally.lock:
                self.tally.errors[kind].append(f"HTTP {error.code} {path}")
            raise NoAnswer(str(error.code)) from error
        except (OSError, http.client.HTTPException) as error:
            with self.tally.lock:
                self.tally.no_answer += 1
            raise NoAnswer(type(error).__name__) from error
        with self.tally.lock:
            self.tally.latencies[kind].append(time.perf_counter() - started)
        return content

    def sign_in(self, phone: str, secret: str) -> None:
        page = self.opener.open(self.base + "/login", timeout=REQUEST_TIMEOUT).read()
        form = urllib.parse.urlencode({"phone": phone, "secret": secret,
                                       "csrf_token": csrf_token(page)}).encode()
        request = urllib.request.Request(self.base + "/login", data=form)  # noqa: S310
        landed = self.opener.open(request, timeout=REQUEST_TIMEOUT)
        self.csrf = csrf_token(landed.read())


@dataclass
class Run:
    base: str
    deadline: float
    tally: Tally
    course: dict
    commune: int = 0


def _keep_going(run: Run, send, unanswered: list) -> None:
    """Re-send what got no answer (same ids), bounded, once the clock has run out."""
    give_up = time.monotonic() + 60
    while unanswered and time.monotonic() < give_up:
        body, attempts = unanswered.pop(0)
        send(body, attempts)
        time.sleep(0.1)


def event_sender(run: Run, phone: "Phone", kind: str, unanswered: list):
    """Posts a batch of events; one that got no answer waits in `unanswered` (same ids)."""

    def send(body, attempts):
        try:
            answer = json.loads(phone.call(kind, "/api/v1/progress/events", body))
        except NoAnswer:
            if attempts + 1 < MAX_ATTEMPTS:
                unanswered.append((body, attempts + 1))
            return
        record_events(run.tally, answer)

    return send


def learner(run: Run, phone_number: str, seed: int) -> None:
    rng, phone = random.Random(seed), Phone(run.base, run.tally)
    phone.sign_in(phone_number, PIN)
    people = [p["id"] for p in json.loads(phone.call("me", "/api/v1/me"))["people"]]
    unanswered: list = []

    send = event_sender(run, phone, "step event", unanswered)

    while time.monotonic() < run.deadline:
        lesson = rng.choice(run.course["lessons"])
        person = rng.choice(people)
        for step in range(1, lesson["steps"] + 1):
            if time.monotonic() >= run.deadline:
                break
            try:
                phone.call("lesson page", f"/api/v1/courses/{run.course['slug']}")
            except NoAnswer:
                pass
            send({"events": [step_event(person, run.course["slug"], lesson, step)]}, 0)
            if unanswered:
                send(*unanswered.pop(0))
            time.sleep(rng.uniform(0.2, 0.6))  # reading the card
    _keep_going(run, send, unanswered)


def offline_phone(run: Run, phone_number: str, seed: int) -> None:
    rng, phone = random.Random(seed), Phone(run.base, run.tally)
    phone.sign_in(phone_number, PIN)
    people = [p["id"] for p in json.loads(phone.call("me", "/api/v1/me"))["people"]]
    sent: list[dict] = []
    unanswered: list = []

    send = event_sender(run, phone, "offline batch", unanswered)

    while time.monotonic() < run.deadline:
        if unanswered:
            send(*unanswered.pop(0))
            continue
        lesson = rng.choice(run.course["lessons"])
        fresh = [step_event(rng.choice(people), run.course["slug"], lesson,
                            rng.randint(1, lesson["steps"])) for _ in range(90)]
        again = rng.sample(sent, min(len(sent), 10))
        sent.extend(fresh)
        send({"events": fresh + again}, 0)
        time.sleep(rng.uniform(0.5, 1.5))
    _keep_going(run, send, unanswered)


def ambassador(run: Run, phone_number: str, seed: int) -> None:
    rng, phone = random.Random(seed), Phone(run.base, run.tally)
    phone.sign_in(phone_number, STAFF_SECRETS[phone_number])
    households = json.loads(phone.call("households", "/api/v1/households"))
    recorded: list[dict] = []
    unanswered: list = []

    def send(body, attempts):
        try:
            answer = json.loads(phone.call("visits", "/api/v1/visits", body))
        except NoAnswer:
            if attempts + 1 < MAX_ATTEMPTS:
                unanswered.append((body, attempts + 1))
            return
        with run.tally.lock:
            run.tally.visits_accepted.update(answer["accepted"])
            run.tally.visits_accepted_answers += len(answer["accepted"])
            run.tally.visits_acknowledged.update(answer["accepted"] + answer["duplicates"])
            for rejected in answer["rejected"]:
                run.tally.errors["visits"].append(f"rejected: {rejected}")

    while time.monotonic() < run.deadline:
        try:
            households = json.loads(phone.call("households", "/api/v1/households"))
        except NoAnswer:
            pass
        household = rng.choice(households)
        members = [member["id"] for member in household["members"]]
        visit = {"id": str(uuid.uuid4()), "household": household["id"],
                 "date": (date.today() - timedelta(days=rng.randint(0, 5))).isoformat(),
                 "present": rng.sample(members, min(len(members), 2)),
                 "practised": [{"course": run.course["slug"],
                                "lesson": rng.choice(run.course["lessons"])["slug"]}],
                 "verified": [], "note": "Tập cùng cả nhà."}
        recorded.append(visit)
        batch = [visit] + ([rng.choice(recorded)] if rng.random() < 0.2 else [])
        send({"visits": batch}, 0)
        if unanswered:
            send(*unanswered.pop(0))
        time.sleep(rng.uniform(1, 3))
    _keep_going(run, send, unanswered)


def official(run: Run, seed: int) -> None:
    rng, phone = random.Random(seed), Phone(run.base, run.tally)
    phone.sign_in(OFFICIAL, STAFF_SECRETS[OFFICIAL])
    commune = json.loads(phone.call("me", "/api/v1/me"))["account"]["commune"]["id"]
    pages = [("dashboard", "/official/"), ("csv", "/official/?format=csv"),
             ("xlsx", "/official/?format=xlsx"),
             ("figures api", f"/api/v1/stats/communes/{commune}")]
    while time.monotonic() < run.deadline:
        kind, path = rng.choice(pages)
        try:
            phone.call(kind, path)
        except NoAnswer:
            pass
        time.sleep(rng.uniform(1, 2))


def step_event(person: int, course: str, lesson: dict, step: int) -> dict:
    return {"id": str(uuid.uuid4()), "person": person, "type": "step_viewed",
            "course": course, "lesson": lesson["slug"], "step": step,
            "answer": {"seconds": 20}, "occurred_at": datetime.now(UTC).isoformat()}


def record_events(tally: Tally, answer: dict) -> None:
    with tally.lock:
        tally.events_accepted.update(answer["accepted"])
        tally.events_accepted_answers += len(answer["accepted"])
        tally.events_acknowledged.update(answer["accepted"] + answer["duplicates"])
        for rejected in answer["rejected"]:
            tally.errors["events"].append(f"rejected: {rejected}")


def killer(server: Server, run: Run, every: float, killed: list) -> None:
    while time.monotonic() + every < run.deadline:
        time.sleep(every)
        workers = server.workers()
        if workers:
            victim = random.choice(workers)
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)


def stored(database: PostgresDatabase) -> dict[str, tuple[int, set[str]]]:
    import psycopg

    with psycopg.connect(database.direct) as connection:
        events = [row[0] for row in connection.execute("SELECT event_id FROM progress_event")]
        visits = [row[0] for row in connection.execute("SELECT visit_uuid FROM guidance_visit")]
    return {"events": (len(events), set(events)), "visits": (len(visits), set(visits))}


def report(args, tally: Tally, seconds: float, killed: list, before: dict, after: dict) -> str:
    lines = [f"Mixed soak, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs shared "
             f"by server and clients; PostgreSQL, Redis, {args.workers} gunicorn workers "
             f"(deploy/gunicorn.conf.py), {seconds / 60:.1f} minutes, one worker SIGKILLed "
             f"every {args.kill_every:.0f} s ({len(killed)} killed)",
             f"clients: {args.learners} learners, {args.offline} offline phones, "
             f"{len(AMBASSADORS)} ambassadors, 1 official", ""]
    requests = sum(len(values) for values in tally.latencies.values())
    lines.append(f"requests answered: {requests} ({requests / seconds:.1f}/s); "
                 f"connections cut by a killed worker: {tally.no_answer}")
    lines.append(f"{'kind':<14}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind in sorted(set(tally.latencies) | set(tally.errors)):
        values = tally.latencies.get(kind, [])
        lines.append(f"{kind:<14}{len(values):>8}{percentile(values, .5) * 1000:>9.0f}"
                     f"{percentile(values, .95) * 1000:>9.0f}"
                     f"{percentile(values, .99) * 1000:>9.0f}{len(tally.errors.get(kind, [])):>8}")
    for name, acknowledged, accepted, answers in (
            ("events", tally.events_acknowledged, tally.events_accepted,
             tally.events_accepted_answers),
            ("visits", tally.visits_acknowledged, tally.visits_accepted,
             tally.visits_accepted_answers)):
        rows, ids = after[name]
        ours_rows = rows - before[name][0]
        lost = len(acknowledged - ids)
        doubled = (ours_rows - len(ids - before[name][1])) + (answers - len(accepted))
        lines.append(f"{name}: {len(acknowledged)} acknowledged, {lost} lost, "
                     f"{doubled} doubled — {'OK' if lost == doubled == 0 else 'FAILED'}")
    examples = [error for errors in tally.errors.values() for error in errors[:2]]
    lines.append("errors other than killed requests: "
                 f"{sum(len(e) for e in tally.errors.values())}"
                 + (f", e.g. {examples[:4]}" if examples else ""))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="server for the scratch database bench_soak")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--kill-every", type=float, default=120, help="seconds")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--learners", type=int, default=6)
    parser.add_argument("--offline", type=int, default=3)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    if args.learners + args.offline > len(HOUSEHOLDS):
        parser.error(f"at most {len(HOUSEHOLDS)} learners and offline phones together")

    workdir = use_temporary_instance("hocso-soak-")
    os.environ.update({"LMS_REDIS_URL": args.redis, "WEB_CONCURRENCY": str(args.workers)})
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    database = PostgresDatabase(args.postgres, name="bench_soak")
    database.create()
    before = stored(database)
    server = Server(args.workers, workdir / "gunicorn.log",
                    config=REPO / "deploy" / "gunicorn.conf.py")
    try:
        if not wait_until_up(server.base, server.process):
            print("the app did not start:\n" + server.log.read_text(), file=sys.stderr)
            return 1
        probe = Phone(server.base, Tally())
        probe.sign_in(HOUSEHOLDS[0], PIN)
        course = json.loads(probe.call("courses", "/api/v1/courses"))[0]
        tally = Tally()
        started = time.monotonic()
        run = Run(base=server.base, deadline=started + args.minutes * 60, tally=tally,
                  course=course)
        threads = [threading.Thread(target=learner, args=(run, HOUSEHOLDS[n], n))
                   for n in range(args.learners)]
        threads += [threading.Thread(target=offline_phone,
                                     args=(run, HOUSEHOLDS[args.learners + n], 100 + n))
                    for n in range(args.offline)]
        threads += [threading.Thread(target=ambassador, args=(run, phone, 200 + n))
                    for n, phone in enumerate(AMBASSADORS)]
        threads.append(threading.Thread(target=official, args=(run, 300)))
        killed: list[int] = []
        threads.append(threading.Thread(target=killer,
                                        args=(server, run, args.kill_every, killed)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
    finally:
        server.stop()
    text = report(args, tally, seconds, killed, before, stored(database))
    database.drop()
    print(text)
    if args.write_results:
        RESULTS_FILE.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
