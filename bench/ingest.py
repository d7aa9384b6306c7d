"""Throughput and safety of the progress sync API under load (DESIGN.md §4.4).

Run from anywhere:

    .venv/bin/python bench/ingest.py                      # SQLite, gunicorn -w 2 and -w 4
    .venv/bin/python bench/ingest.py --write-results      # also bench/results/ingest.txt
    .venv/bin/python bench/ingest.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

For each configuration it builds a throw-away instance (fresh database, courses, demo
commune), serves it with gunicorn as in production on 127.0.0.1, signs one demo household
in per client (phones 0900000101…, one cookie jar each) and has the clients post batches of
`step_viewed` events to `POST /api/v1/progress/events` from their own threads. Each batch
re-sends 10 % ids already sent, and one batch in 20 is an exact re-send of an earlier one,
as a flaky network makes. The report gives the distinct accepted events per second (target
≥ 2,000/s on SQLite), all events posted per second, p50/p99 latency per batch, HTTP errors,
and checks the database itself: every distinct id sent is stored exactly once.

The kill scenario (`--kill`, on by default, SQLite only) runs the same load and SIGKILLs one
gunicorn worker halfway; a batch without an answer is re-sent later with the same ids, and
every id the server acknowledged must be stored exactly once.

With `--postgres URL` the same runs are made on PostgreSQL, in a scratch database
(`bench_ingest`) created and dropped on that server; the database of the URL is never used.
The exit code is 0 whatever the figures, 1 when the app could not be set up or started.
"""

import argparse
import gzip
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

# The instance set-up and server helpers of the page weight bench (bench/ is on sys.path
# when this file is run as a script).
from page_weight import (
    flask,
    free_port,
    gunicorn_options,
    use_temporary_instance,
    wait_until_up,
)
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO / "bench" / "results" / "ingest.txt"
HOUSEHOLD_PHONES = [f"09000001{number:02d}" for number in range(1, 13)]
HOUSEHOLD_PIN = "246810"
COURSE, LESSON, STEPS = "public-services", "vneid-two-levels", 7
SCRATCH_DATABASE = "bench_ingest"
TARGET_PER_SECOND = 2000
DUPLICATE_SHARE, RETRY_CHANCE = 0.10, 0.05
MAX_ATTEMPTS = 8  # per batch that got no answer, before the client gives up on it
REQUEST_TIMEOUT = 30.0
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8,
                        help=f"concurrent clients, one household each (≤ {len(HOUSEHOLD_PHONES)})")
    parser.add_argument("--batch", type=int, default=100, help="events per request (≤ 500)")
    parser.add_argument("--events", type=int, default=40000,
                        help="events posted per run, across all clients")
    parser.add_argument("--max-seconds", type=float, default=30,
                        help="a run stops posting new batches after this long")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4],
                        help="gunicorn worker counts to measure")
    parser.add_argument("--kill", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the SQLite configurations with a worker killed halfway")
    parser.add_argument("--postgres", metavar="URL",
                        help="also measure PostgreSQL on this server (scratch database "
                             f"{SCRATCH_DATABASE}; the URL's own database is not touched)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' choices")
    parser.add_argument("--write-results", action="store_true",
                        help=f"also write the report to {RESULTS_FILE.relative_to(REPO)}")
    args = parser.parse_args()
    if not 1 <= args.clients <= len(HOUSEHOLD_PHONES):
        parser.error(f"--clients must be between 1 and {len(HOUSEHOLD_PHONES)}")
    if not 10 <= args.batch <= 500:
        parser.error("--batch must be between 10 and 500")
    return args


# --- databases ------------------------------------------------------------------------------

class Database:
    """Where one configuration's data lives; made fresh by `create`, read by `stored_ids`."""

    label = ""
    url = ""

    def create(self) -> None:
        raise NotImplementedError

    def stored_ids(self) -> tuple[int, set[str]]:
        """(rows in progress_event, their distinct event ids)."""
        raise NotImplementedError

    def drop(self) -> None:
        raise NotImplementedError


def set_up_instance() -> None:
    """Schema, courses and demo commune in the database of LMS_DATABASE_URL."""
    for command in (["db", "upgrade"], ["courses", "load"], ["demo", "load"]):
        flask(*command)


class SqliteDatabase(Database):
    """A copy of one set-up SQLite file: fresh per configuration, set up only once."""

    label = "SQLite"

    def __init__(self, workdir: Path) -> None:
        self.template = workdir / "template.sqlite"
        self.path = workdir / "bench.sqlite"
        self.url = f"sqlite:///{self.path}"
        self.ready = False

    def create(self) -> None:
        if not self.ready:
            os.environ["LMS_DATABASE_URL"] = f"sqlite:///{self.template}"
            set_up_instance()
            self.ready = True
        self.drop()
        with closing(sqlite3.connect(self.template)) as source, \
                closing(sqlite3.connect(self.path)) as target:
            source.backup(target)
        os.environ["LMS_DATABASE_URL"] = self.url

    def stored_ids(self) -> tuple[int, set[str]]:
        with closing(sqlite3.connect(self.path)) as connection:
            rows = [row[0] for row in connection.execute("SELECT event_id FROM progress_event")]
        return len(rows), set(rows)

    def drop(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgresDatabase(Database):
    """A scratch database on the server of `url`, dropped and created per configuration."""

    label = "PostgreSQL"

    def __init__(self, url: str, name: str = SCRATCH_DATABASE) -> None:
        parsed = make_url(url)
        if parsed.database == name:
            raise SystemExit(f"--postgres must not name the scratch database {name}")
        self.name = name
        self.url = parsed.set(database=name).render_as_string(hide_password=False)
        self.admin = self._libpq(parsed.set(database="postgres"))
        self.direct = self._libpq(make_url(self.url))

    @staticmethod
    def _libpq(url) -> str:
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def create(self) -> None:
        self.drop()
        self._admin(f"CREATE DATABASE {self.name}")
        os.environ["LMS_DATABASE_URL"] = self.url
        set_up_instance()

    def stored_ids(self) -> tuple[int, set[str]]:
        import psycopg

        with psycopg.connect(self.direct) as connection:
            rows = [row[0] for row in connection.execute("SELECT event_id FROM progress_event")]
        return len(rows), set(rows)

    def drop(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


# --- the server ----------------------------------------------------------------------------

class Server:
    """gunicorn serving the app on a free port of 127.0.0.1; `stop` is safe to call twice."""

    def __init__(self, workers: int, log: Path, config: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        settings = ["-c", str(config)] if config else []
        with log.open("w") as output:  # the server keeps its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", *settings, "-w", str(workers), "-b",
                 f"127.0.0.1:{self.port}", *gunicorn_options(), "wsgi:app"],
                cwd=REPO, stdout=output, stderr=subprocess.STDOUT)

    def workers(self) -> list[int]:
        """Pids of the master's children, from /proc."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # gone meanwhile
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


# --- the clients ---------------------------------------------------------------------------

class NoAnswer(Exception):
    """The request got no usable answer: the batch is not acknowledged."""


@dataclass
class Tally:
    """What one client sent and what the server said; merged after the run."""

    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    accepted: set[str] = field(default_factory=set)
    accepted_answers: int = 0  # ids in all "accepted" lists: more than `accepted` = doubled
    posted_events: int = 0
    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    http_errors: int = 0  # an answer other than 200
    connection_errors: int = 0  # no answer at all
    rejected: list[dict] = field(default_factory=list)
    given_up: int = 0  # batches never acknowledged


class Client:
    """One household's phone: its own cookies, CSRF token and people."""

    def __init__(self, base: str, phone: str) -> None:
        self.base = base
        # No proxy: every request goes straight to the server on 127.0.0.1.
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(CookieJar()))
        self.phone = phone
        self.csrf = ""
        self.people: list[int] = []

    def _open(self, path: str, data: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        # base is always http://127.0.0.1:<port>
        request = urllib.request.Request(self.base + path, data=data,  # noqa: S310
                                         headers=headers or {})
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as answer:
            body = answer.read()
            if answer.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return answer.status, answer.geturl(), body

    def sign_in(self) -> None:
        _status, _url, page = self._open("/login")
        form = urllib.parse.urlencode({"phone": self.phone, "secret": HOUSEHOLD_PIN,
                                       "csrf_token": csrf_token(page)}).encode()
        _status, landed, page = self._open("/login", form)  # 302 to /who, followed
        if urllib.parse.urlsplit(landed).path != "/who":
            raise RuntimeError(f"sign-in of {self.phone} ended on {landed}")
        self.csrf = csrf_token(page)
        _status, _url, body = self._open("/api/v1/me")
        self.people = [person["id"] for person in json.loads(body)["people"]]
        if not self.people:
            raise RuntimeError(f"{self.phone} may record progress for nobody")

    def warm_up(self) -> None:
        """A request that reads the course catalog, which each worker loads on first use."""
        self._open("/api/v1/courses")

    def post(self, batch: list[dict]) -> dict:
        """The server's answer to one batch; NoAnswer when there is none to rely on."""
        body = json.dumps({"events": batch}).encode()
        try:
            status, _url, answer = self._open(
                "/api/v1/progress/events", body,
                {"Content-Type": "application/json", "X-CSRFToken": self.csrf,
                 "Accept-Encoding": "gzip"})
            result = json.loads(answer)
        except urllib.error.HTTPError as error:
            raise NoAnswer(f"HTTP {error.code}") from error
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise NoAnswer(type(error).__name__) from error
        if status != 200 or not isinstance(result, dict) or "accepted" not in result:
            raise NoAnswer(f"HTTP {status}, unexpected body")
        return result


def csrf_token(page: bytes) -> str:
    found = CSRF_INPUT.search(page.decode("utf-8", "replace"))
    if found is None:
        raise RuntimeError("no csrf_token in the page")
    return found.group(1)


@dataclass
class Load:
    """The shared state of one run: the budget, the clock and the kill switch."""

    events_per_client: int
    batch: int
    deadline: float
    kill_at_events: int | None = None  # posted events, across clients, that trigger the kill
    posted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    halfway: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    def count(self, events: int) -> None:
        with self.lock:
            self.posted += events
            if self.kill_at_events is not None and self.posted >= self.kill_at_events:
                self.halfway.set()


def new_event(person: int, rng: random.Random, now: datetime) -> dict:
    occurred = now - timedelta(seconds=rng.randrange(1, 6 * 3600))
    return {"id": str(uuid.uuid4()), "person": person, "type": "step_viewed",
            "course": COURSE, "lesson": LESSON, "step": rng.randint(1, STEPS),
            "answer": {"seconds": 30}, "occurred_at": occurred.isoformat(timespec="seconds")}


def run_client(client: Client, load: Load, seed: int, tally: Tally) -> None:
    """Post batches until the client's share is spent or time is up, then re-send, a bounded
    number of times, the batches that got no answer."""
    rng = random.Random(seed)
    history: list[list[dict]] = []  # every batch sent, for the flaky network's re-sends
    events: list[dict] = []  # every distinct event sent, for the re-sent ids
    unanswered: deque[tuple[list[dict], int]] = deque()  # (batch, attempts so far)

    def send(batch: list[dict], attempts: int) -> None:
        tally.sent.update(event["id"] for event in batch)
        tally.posted_events += len(batch)
        tally.requests += 1
        load.count(len(batch))
        started = time.perf_counter()
        try:
            result = client.post(batch)
        except NoAnswer as error:
            if str(error).startswith("HTTP"):
                tally.http_errors += 1
            else:
                tally.connection_errors += 1
            if attempts + 1 < MAX_ATTEMPTS:
                unanswered.append((batch, attempts + 1))
            else:
                tally.given_up += 1
            return
        tally.latencies.append(time.perf_counter() - started)
        tally.accepted.update(result["accepted"])
        tally.accepted_answers += len(result["accepted"])
        tally.acknowledged.update(result["accepted"])
        tally.acknowledged.update(result["duplicates"])
        tally.rejected.extend(result["rejected"])

    while tally.posted_events < load.events_per_client and time.monotonic() < load.deadline:
        if unanswered:  # the network is back: the same batch, the same ids
            send(*unanswered.popleft())
            continue
        if history and rng.random() < RETRY_CHANCE:
            send(rng.choice(history), 0)
            continue
        again = rng.sample(events, min(len(events), round(load.batch * DUPLICATE_SHARE)))
        now = datetime.now(UTC)
        fresh = [new_event(rng.choice(client.people), rng, now)
                 for _ in range(load.batch - len(again))]
        events.extend(fresh)
        batch = fresh + again
        rng.shuffle(batch)
        history.append(batch)
        send(batch, 0)
    give_up_at = time.monotonic() + 60
    while unanswered and time.monotonic() < give_up_at:
        time.sleep(0.2)
        send(*unanswered.popleft())
    tally.given_up += len(unanswered)


def killer(server: Server, load: Load, report: dict) -> None:
    """SIGKILL one worker once half the events are posted (while the clients keep going)."""
    while not load.halfway.wait(0.05):
        if load.done.is_set():
            return
    workers = server.workers()
    if workers:
        victim = random.Random(len(workers)).choice(workers)
        os.kill(victim, signal.SIGKILL)
        report["killed"] = victim


# --- one configuration ---------------------------------------------------------------------

@dataclass
class Outcome:
    name: str
    database: str
    kill: bool
    seconds: float
    tally: Tally
    stored_rows: int  # our events stored: rows in progress_event beyond the demo's
    stored_distinct: int
    lost: int  # acknowledged ids missing from the database
    killed: int | None = None
    cpu_busy: float = 0.0  # share of all CPUs busy during the run (server, clients, others)
    clients_cpu: float = 0.0  # share of all CPUs used by this process, i.e. the clients
    notes: list[str] = field(default_factory=list)

    @property
    def accepted_per_second(self) -> float:
        return len(self.tally.accepted) / self.seconds

    @property
    def posted_per_second(self) -> float:
        return self.tally.posted_events / self.seconds

    @property
    def ok(self) -> bool:
        tally = self.tally
        exactly_once = self.lost == 0 and self.stored_rows == self.stored_distinct \
            and tally.accepted_answers == len(tally.accepted)
        if self.kill:  # what was acknowledged is there exactly once
            return exactly_once and tally.acknowledged <= tally.sent
        return exactly_once and not tally.rejected and \
            self.stored_distinct == len(tally.sent) == len(tally.acknowledged)


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    fields = [float(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0]
              .split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def idle_check(seconds: float = 2) -> str:
    """How busy the machine is before the bench starts: other programs skew the figures."""
    before = cpu_times()
    time.sleep(seconds)
    busy, total = (after - start for after, start in zip(cpu_times(), before, strict=True))
    share = busy / total if total else 0.0
    warning = " — ANOTHER PROGRAM WAS BUSY: the figures may be low" if share > 0.2 else ""
    return f"CPUs {share:.0%} busy before the first run{warning}"


def merge(tallies: list[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.sent |= tally.sent
        total.acknowledged |= tally.acknowledged
        total.accepted |= tally.accepted
        total.accepted_answers += tally.accepted_answers
        total.posted_events += tally.posted_events
        total.requests += tally.requests
        total.latencies += tally.latencies
        total.http_errors += tally.http_errors
        total.connection_errors += tally.connection_errors
        total.rejected += tally.rejected
        total.given_up += tally.given_up
    return total


def run_configuration(database: Database, workers: int, kill: bool, workdir: Path,
                      args: argparse.Namespace) -> Outcome:
    name = f"{database.label} -w {workers}" + (" + kill" if kill else "")
    print(f"… {name}", file=sys.stderr, flush=True)
    database.create()
    baseline_rows, baseline_ids = database.stored_ids()
    server = Server(workers, workdir / "gunicorn.log")
    try:
        if not wait_until_up(server.base, server.process):
            raise RuntimeError("the app did not start:\n" + server.log.read_text())
        clients = [Client(server.base, phone) for phone in HOUSEHOLD_PHONES[:args.clients]]
        for client in clients:
            client.sign_in()
        for _round in range(2):  # concurrent, so that every worker gets some
            warming = [threading.Thread(target=client.warm_up) for client in clients]
            for thread in warming:
                thread.start()
            for thread in warming:
                thread.join()
        cpu_before, clients_before = cpu_times(), time.process_time()
        started = time.monotonic()
        load = Load(events_per_client=args.events // args.clients, batch=args.batch,
                    deadline=started + args.max_seconds,
                    kill_at_events=args.events // 2 if kill else None)
        tallies = [Tally() for _ in clients]
        threads = [threading.Thread(target=run_client,
                                    args=(client, load, args.seed * 100 + n, tallies[n]))
                   for n, client in enumerate(clients)]
        kill_report: dict = {}
        if kill:
            threads.append(threading.Thread(target=killer, args=(server, load, kill_report)))
        for thread in threads:
            thread.start()
        for thread in threads[:len(clients)]:
            thread.join()
        seconds = time.monotonic() - started
        clients_cpu = time.process_time() - clients_before
        busy, total = (after - before for after, before in zip(cpu_times(), cpu_before,
                                                                 strict=True))
        load.done.set()
        for thread in threads[len(clients):]:
            thread.join()
    finally:
        server.stop()
    tally = merge(tallies)
    rows, ids = database.stored_ids()
    ours = ids - baseline_ids
    outcome = Outcome(name=name, database=database.label, kill=kill, seconds=seconds,
                      tally=tally, stored_rows=rows - baseline_rows, stored_distinct=len(ours),
                      lost=len(tally.acknowledged - ids), killed=kill_report.get("killed"),
                      cpu_busy=busy / total if total else float("nan"),
                      clients_cpu=clients_cpu / seconds / (os.cpu_count() or 1))
    if ours - tally.sent:
        outcome.notes.append(f"{len(ours - tally.sent)} stored ids were never sent")
    if tally.rejected:
        outcome.notes.append(f"{len(tally.rejected)} events rejected, e.g. {tally.rejected[0]}")
    if kill and outcome.killed is None:
        outcome.notes.append("no worker was killed (the run ended first?)")
    return outcome


# --- the report ----------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def header(args: argparse.Namespace) -> list[str]:
    return [
        f"Progress sync ingest (POST /api/v1/progress/events), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs shared by server "
        f"and clients; {idle_check()}",
        f"{args.clients} clients (one household each, own session) × batches of {args.batch} "
        f"step_viewed events; {DUPLICATE_SHARE:.0%} of each batch re-sends ids already sent, "
        f"{RETRY_CHANCE:.0%} of batches re-send a whole earlier batch; {args.events} events "
        f"per run (at most {args.max_seconds:.0f} s)",
        "SQLite: WAL, synchronous=FULL, database in a temporary folder on "
        f"{filesystem(Path(tempfile.gettempdir()))}; fresh database per run",
        f"accepted/s = distinct ids accepted ÷ wall time; posted/s = every event sent "
        f"(re-sends included) ÷ wall time; target ≥ {TARGET_PER_SECOND} accepted/s on SQLite",
        "",
        f"{'run':<22} {'accepted/s':>10} {'posted/s':>9} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'requests':>8} {'HTTP err':>8} {'no answer':>9} {'stored':>7}  check  target",
    ]


def row(outcome: Outcome) -> str:
    tally = outcome.tally
    target = "  —"
    if outcome.database == "SQLite" and not outcome.kill:
        target = "PASS" if outcome.accepted_per_second >= TARGET_PER_SECOND else "FAIL"
    return (f"{outcome.name:<22} {outcome.accepted_per_second:>10.0f} "
            f"{outcome.posted_per_second:>9.0f} {1000 * percentile(tally.latencies, 0.5):>7.0f} "
            f"{1000 * percentile(tally.latencies, 0.99):>7.0f} {tally.requests:>8} "
            f"{tally.http_errors:>8} {tally.connection_errors:>9} {outcome.stored_rows:>7}  "
            f"{'OK  ' if outcome.ok else 'FAIL'}   {target}")


def details(outcome: Outcome) -> list[str]:
    tally = outcome.tally
    lines = [f"{outcome.name}: {outcome.seconds:.1f} s, CPUs {outcome.cpu_busy:.0%} busy "
             f"(the clients {outcome.clients_cpu:.0%}); {len(tally.sent)} distinct ids sent, "
             f"{len(tally.acknowledged)} acknowledged, {outcome.stored_rows} rows stored "
             f"({outcome.stored_distinct} distinct), acknowledged but missing "
             f"{outcome.lost}, doubled {outcome.stored_rows - outcome.stored_distinct}"]
    if outcome.kill:
        failed = tally.http_errors + tally.connection_errors
        lines.append(
            f"  killed worker {outcome.killed}: {failed} requests failed because of it "
            f"({tally.connection_errors} without answer, {tally.http_errors} HTTP errors), "
            f"re-sent with the same ids; batches never acknowledged: {tally.given_up}")
    lines += [f"  note: {note}" for note in outcome.notes]
    return lines


def filesystem(path: Path) -> str:
    """The type of the file system that holds path, from /proc/mounts."""
    best, kind = "", "?"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    resolved = str(path.resolve())
    for mount in mounts:
        parts = mount.split()
        if len(parts) > 2 and (resolved + "/").startswith(parts[1].rstrip("/") + "/") \
                and len(parts[1]) >= len(best):
            best, kind = parts[1], parts[2]
    return kind


def main() -> int:
    args = parse_args()
    workdir = use_temporary_instance("lms-ingest-")
    databases: list[Database] = [SqliteDatabase(workdir)]
    if args.postgres:
        databases.append(PostgresDatabase(args.postgres))
    lines = header(args)
    outcomes: list[Outcome] = []

    def emit(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    print("\n".join(lines), flush=True)
    try:
        for database in databases:
            plans = [(workers, False) for workers in args.workers]
            if args.kill and isinstance(database, SqliteDatabase):
                plans += [(workers, True) for workers in args.workers]
            for workers, kill in plans:
                outcome = run_configuration(database, workers, kill, workdir, args)
                outcomes.append(outcome)
                emit(row(outcome))
    except subprocess.CalledProcessError as error:
        print(f"set-up failed: {' '.join(error.cmd[3:])}\n{error.stderr}", file=sys.stderr)
        return 1
    except RuntimeError as error:
        print(f"failed: {error}", file=sys.stderr)
        return 1
    finally:
        for database in databases:
            try:
                database.drop()
            except Exception as error:  # cleaning up: say so, go on
                print(f"could not drop the {database.label} database: {error}",
                      file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
    emit("")
    for outcome in outcomes:
        for line in details(outcome):
            emit(line)
    if args.write_results:
        RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
