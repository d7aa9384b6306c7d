"""Memory of idle gunicorn workers (DESIGN.md §5: one worker idle ≤ 80 MB RSS).

    .venv/bin/python bench/memory.py                  # print the figures
    .venv/bin/python bench/memory.py --write-results  # also bench/results/memory.txt

Serves a throw-away demo instance (SQLite) with gunicorn, reads each worker's resident
memory right after start, then after every page a learner and the API touch (so the
course catalog, templates and translations are loaded), once the workers are idle again.
"""

import argparse
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from ingest import HOUSEHOLD_PHONES, Client, Server, set_up_instance
from page_weight import use_temporary_instance, wait_until_up

REPO = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO / "bench" / "results" / "memory.txt"
BUDGET_MB = 80
PAGES = ["/learn", "/learn/public-services", "/learn/public-services/vneid-two-levels/1",
         "/learn/digital-payments/vietqr/6", "/api/v1/courses",
         "/api/v1/courses/online-safety", "/manifest.webmanifest"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
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
        lines = [
            f"Gunicorn worker memory, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{args.workers} workers, SQLite; budget ≤ {BUDGET_MB} MB RSS",
            "",
            f"{'worker':>8} {'after start MB':>15} {'idle after use MB':>18}  verdict",
        ]
        for pid in sorted(idle):
            verdict = "PASS" if idle[pid] <= BUDGET_MB else "FAIL"
            lines.append(f"{pid:>8} {started.get(pid, 0):>15.1f} {idle[pid]:>18.1f}  {verdict}")
        print("\n".join(lines))
        if args.write_results:
            RESULTS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
