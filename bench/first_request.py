"""The first villager's request on a fresh gunicorn worker, against the same request again.

    .venv/bin/python bench/first_request.py                  # print the figures
    .venv/bin/python bench/first_request.py --write-results  # also bench/results/first_request.txt

Serves a throw-away demo instance (SQLite) with one gunicorn worker, several times over.
Each time a household phone signs in and picks a member, then opens the learner's home
(which needs the course catalog) twice: the first answer shows what a worker still had
to load on a villager's request, the second what the request itself costs.
"""

import argparse
import shutil
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from ingest import HOUSEHOLD_PHONES, Client, Server, set_up_instance
from page_weight import use_temporary_instance, wait_until_up

REPO = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO / "bench" / "results" / "first_request.txt"
# The villager's home (their courses and progress) after picking who is learning.
PATHS = ["/learn"]


def timed(client: Client, path: str) -> float:
    start = time.perf_counter()
    client._open(path)  # noqa: SLF001 (the bench's own client)
    return time.perf_counter() - start


class _KeepRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer


def pick_member(client: Client) -> None:
    """Pick the first member without following the redirect to the home page."""
    cookies = next(handler for handler in client.opener.handlers
                   if isinstance(handler, urllib.request.HTTPCookieProcessor))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), cookies,
                                         _KeepRedirect())
    form = urllib.parse.urlencode({"person": client.people[0],
                                   "csrf_token": client.csrf}).encode()
    try:
        opener.open(client.base + "/who", form, timeout=30)  # noqa: S310 (127.0.0.1)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise


def one_worker(workdir: Path, round_number: int) -> dict[str, tuple[float, float]]:
    server = Server(1, workdir / f"gunicorn-{round_number}.log")
    try:
        if not wait_until_up(server.base, server.process):
            raise RuntimeError((workdir / f"gunicorn-{round_number}.log").read_text())
        client = Client(server.base, HOUSEHOLD_PHONES[round_number % len(HOUSEHOLD_PHONES)])
        client.sign_in()
        pick_member(client)
        return {path: (timed(client, path), timed(client, path)) for path in PATHS}
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", default="", help="a note for the results' heading")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    workdir = use_temporary_instance("lms-first-request-")
    try:
        set_up_instance()
        rounds = [one_worker(workdir, number) for number in range(args.rounds)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    note = f" — {args.label}" if args.label else ""
    heading = (f"First request on a fresh gunicorn worker, {datetime.now(UTC):%Y-%m-%d %H:%M} "
               f"UTC, SQLite, median of {args.rounds} workers{note}")
    lines = [heading, "", f"{'request':<36} {'first ms':>9} {'again ms':>9} {'waited ms':>10}"]
    for path in PATHS:
        first = statistics.median(result[path][0] for result in rounds) * 1000
        again = statistics.median(result[path][1] for result in rounds) * 1000
        lines.append(f"{path:<36} {first:>9.0f} {again:>9.0f} {first - again:>10.0f}")
    print("\n".join(lines))
    if args.write_results:
        with RESULTS_FILE.open("a", encoding="utf-8") as results:
            results.write("\n".join(lines) + "\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
