"""Memory of gunicorn workers (DESIGN.md §5: one worker idle ≤ 80 MB RSS), idle and after
a sustained mixed load.

    .venv/bin/python bench/memory.py                  # print the figures
    .venv/bin/python bench/memory.py --write-results  # also bench/results/memory.txt

Serves a throw-away demo instance (SQLite) with gunicorn and reads each worker's resident
memory: right after start; idle after every page a learner and the API touch; then idle
again after a sustained mixed load of several phones at once — household and staff
sign-ins (each one hashes a secret), learner pages, course downloads, progress batches and
sign-outs — with the highest resident memory each worker reached (VmHWM).
"""

import argparse
import random
import shutil
import sys
import threading
import time
import urllib.error
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from ingest import (
    HOUSEHOLD_PHONES,
    Client,
    NoAnswer,
    Server,
    csrf_token,
    new_event,
    set_up_instance,
)
from page_weight import use_temporary_instance, wait_until_up

REPO = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO / "bench" / "results" / "memory.txt"
BUDGET_MB = 80
PAGES = ["/learn", "/learn/public-services", "/learn/public-services/vneid-two-levels/1",
         "/learn/digital-payments/vietqr/6", "/api/v1/courses",
         "/api/v1/courses/online-safety", "/manifest.webmanifest"]
STAFF = [("0900000002", "demo-official-2026", ["/official/", "/api/v1/me"]),
         ("0900000003", "demo-ambassador-2026", ["/ambassador/", "/api/v1/me"]),
         ("0900000001", "demo-admin-2026", ["/admin/", "/api/v1/me"])]
# The sign-in page allows 60 sign-ins a minute from one address (all of this bench's).
SIGN_INS_PER_MINUTE = 50


def status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb(pid: int) -> float:
    return status_mb(pid, "VmRSS")


class Pace:
    """Shares the sign-ins the rate limit allows among the phones."""

    def __init__(self, per_minute: int) -> None:
        self.interval = 60 / per_minute
        self.next_at = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            at = max(self.next_at, time.monotonic())
            self.next_at = at + self.interval
        time.sleep(max(0.0, at - time.monotonic()))


def staff_sign_in(client: Client, phone: str, password: str) -> None:
    _status, _url, page = client._open("/login")  # noqa: SLF001 (the bench's own client)
    form = urllib.parse.urlencode({"phone": phone, "secret": password,
                                   "csrf_token": csrf_token(page)}).encode()
    _status, _landed, page = client._open("/login", form)  # noqa: SLF001
    client.csrf = csrf_token(page)


def sign_out(client: Client) -> None:
    form = urllib.parse.urlencode({"csrf_token": client.csrf}).encode()
    client._open("/logout", form)  # noqa: SLF001


class Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.figures = {"sign_ins": 0, "pages": 0, "batches": 0, "errors": 0}

    def add(self, name: str) -> None:
        with self.lock:
            self.figures[name] += 1


def phone_session(base: str, rng: random.Random, pace: Pace, counts: Counts) -> None:
    """One visit: sign in, use the app for a while, sign out."""
    pace.wait()
    if rng.random() < 0.75:
        client = Client(base, rng.choice(HOUSEHOLD_PHONES))
        client.sign_in()
        picked = urllib.parse.urlencode({"person": client.people[0],
                                         "csrf_token": client.csrf}).encode()
        client._open("/who", picked)  # noqa: SLF001
        for _ in range(rng.randint(3, 8)):
            client._open(rng.choice(PAGES))  # noqa: SLF001
            if rng.random() < 0.5:
                now = datetime.now(UTC)
                client.post([new_event(rng.choice(client.people), rng, now)
                             for _ in range(rng.randint(5, 50))])
                counts.add("batches")
            counts.add("pages")
    else:
        phone, password, pages = rng.choice(STAFF)
        client = Client(base, phone)
        staff_sign_in(client, phone, password)
        for _ in range(rng.randint(2, 5)):
            client._open(rng.choice(pages))  # noqa: SLF001
            counts.add("pages")
    counts.add("sign_ins")
    sign_out(client)


def sustained_load(base: str, seconds: float, phones: int) -> dict:
    counts = Counts()
    pace = Pace(SIGN_INS_PER_MINUTE)
    stop_at = time.monotonic() + seconds

    def run(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            try:
                phone_session(base, rng, pace, counts)
            except (OSError, urllib.error.URLError, RuntimeError, NoAnswer):
                counts.add("errors")

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts.figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=120,
                        help="length of the sustained mixed load")
    parser.add_argument("--phones", type=int, default=6, help="phones at once")
    parser.add_argument("--label", default="", help="a note for the results' heading")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    workdir = use_temporary_instance("lms-memory-")
    server = None
    try:
        set_up_instance()
        server = Server(args.workers, workdir / "gunicorn.log")
        if not wait_until_up(server.base, server.process):
            print((workdir / "gunicorn.log").read_text(), file=sys.stderr)
            return 1
        time.sleep(2)
        started = {pid: rss_mb(pid) for pid in server.workers()}
        for phone in HOUSEHOLD_PHONES[: 4 * args.workers]:  # reach every worker
            client = Client(server.base, phone)
            client.sign_in()
            for path in PAGES:
                client._open(path)  # noqa: SLF001 (the bench's own client)
        time.sleep(3)
        idle = {pid: rss_mb(pid) for pid in server.workers()}
        samples: list[dict[int, float]] = []  # RSS every tenth of the load: does it level?
        outcome: list[dict] = []
        loading = threading.Thread(target=lambda: outcome.append(
            sustained_load(server.base, args.seconds, args.phones)))
        loading.start()
        while loading.is_alive():
            loading.join(args.seconds / 10)
            samples.append({pid: rss_mb(pid) for pid in server.workers()})
        counts = outcome[0]
        time.sleep(3)
        loaded = {pid: rss_mb(pid) for pid in server.workers()}
        peak = {pid: status_mb(pid, "VmHWM") for pid in server.workers()}
        note = f" — {args.label}" if args.label else ""
        lines = [
            f"Gunicorn worker memory, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{args.workers} workers, SQLite; budget ≤ {BUDGET_MB} MB RSS{note}",
            f"sustained load: {args.seconds:.0f} s, {args.phones} phones at once, "
            f"{counts['sign_ins']} sign-ins and sign-outs, {counts['pages']} pages, "
            f"{counts['batches']} progress batches, {counts['errors']} errors",
            "",
            f"{'worker':>8} {'after start MB':>15} {'idle after use MB':>18} "
            f"{'idle after load MB':>19} {'peak MB':>8}  verdict",
        ]
        for pid in sorted(loaded):
            verdict = "PASS" if max(idle.get(pid, 0), loaded[pid]) <= BUDGET_MB else "FAIL"
            lines.append(f"{pid:>8} {started.get(pid, 0):>15.1f} {idle.get(pid, 0):>18.1f} "
                         f"{loaded[pid]:>19.1f} {peak[pid]:>8.1f}  {verdict}")
        lines += ["", "RSS MB during the load, every tenth of it:"]
        for pid in sorted(loaded):
            lines.append(f"{pid:>8} " + " ".join(f"{sample.get(pid, 0):5.1f}"
                                                 for sample in samples))
        print("\n".join(lines))
        if args.write_results:
            with RESULTS_FILE.open("a", encoding="utf-8") as results:
                results.write("\n".join(lines) + "\n\n")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
