"""Latency of the figures pages at three sizes (DESIGN.md §5), from rollups.

    .venv/bin/python bench/stats.py                                  # SQLite, commune scale
    .venv/bin/python bench/stats.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/x
    .venv/bin/python bench/stats.py --write-results                  # bench/results/stats.txt

For each size it loads synthetic data with `seed.py` (a scratch SQLite file, or a scratch
PostgreSQL database `bench_stats` created and dropped on the given server), signs in as
the first commune's official and as the admin, and requests each figures page 5 times to
warm up and then `--requests` times (at least 50), in-process through the WSGI app (no
network, one worker): the official's dashboard unfiltered and with combined filters, the
figures API, the CSV and XLSX downloads, the province table and the province API. It
prints p50/p95 per page and size, and how p95 grows from the smallest size to the largest
against how the data grows. Budgets: commune dashboard p95 ≤ 100 ms (aim 50), province
table p95 ≤ 500 ms (aim 200), a commune's download ≤ 1 s.
"""

import argparse
import os
import platform
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from seed import PASSWORD, seed
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO / "bench" / "results" / "stats.txt"
SCRATCH_DATABASE = "bench_stats"
SQLITE_SIZES = (0.25, 1.0, 4.0)  # × one commune of 8,000 people
POSTGRES_SIZES = (0.05, 0.25, 1.0)  # × the province's 600,000 people
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (its database is unused)")
    parser.add_argument("--sizes", type=float, nargs="+",
                        help="sizes to run instead of the defaults")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--write-results", action="store_true")
    return parser.parse_args()


def pages(village_id: int) -> list[tuple[str, str, str]]:
    filtered = f"village={village_id}&gender=female&age_band=25-39&from=2026-06-01"
    return [
        ("official", "dashboard", "/official/"),
        ("official", "dashboard, 4 filters", f"/official/?{filtered}"),
        ("official", "API", "/api/v1/stats/communes/1"),
        ("official", "API, 4 filters", f"/api/v1/stats/communes/1?{filtered}"),
        ("official", "CSV download", "/official/?format=csv"),
        ("official", "XLSX download", "/official/?format=xlsx"),
        ("admin", "province table", "/admin/?sort=started&dir=desc"),
        ("admin", "province API", "/api/v1/stats/province"),
    ]


def signed_in(app, phone: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    answer = client.post("/login", data={"phone": phone, "secret": PASSWORD,
                                         "csrf_token": token})
    assert answer.status_code == 302, answer.status_code
    return client


def measure(database_url: str, requests: int) -> dict[str, tuple[float, float]]:
    from lms import create_app
    from lms.extensions import db
    from lms.places.models import Village

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": secrets.token_hex(16), "LMS_ENV": "development"})
    app.testing = False
    with app.app_context():
        village_id = db.session.scalar(db.select(Village.id).where(Village.commune_id == 1)
                                       .order_by(Village.id))
    clients = {"official": signed_in(app, "0900000002"), "admin": signed_in(app, "0900000001")}
    found = {}
    for who, name, path in pages(village_id):
        client = clients[who]
        for _ in range(5):
            assert client.get(path).status_code == 200, path
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, path
        times.sort()
        found[name] = (statistics.median(times), times[int(len(times) * 0.95) - 1])
    return found


def scratch_postgres(server: str) -> str:
    url = make_url(server)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
    admin.dispose()
    return url.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)


def drop_postgres(server: str) -> None:
    admin = create_engine(make_url(server).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
    admin.dispose()


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
            f"load average at the start {load}")


def main() -> int:
    args = parse_args()
    requests = max(args.requests, 50)
    lines = [f"Figures pages, p50/p95 in ms over {requests} warm requests each, "
             f"in-process, one worker. Machine: {machine()}."]
    workdir = Path(tempfile.mkdtemp(prefix="bench-stats-"))
    os.environ.update({"LMS_INSTANCE_PATH": str(workdir / "instance"),
                       "LMS_ENV": "development"})
    runs = []
    if args.postgres:
        sizes, scale, label = args.sizes or POSTGRES_SIZES, "province", "PostgreSQL"
    else:
        sizes, scale, label = args.sizes or SQLITE_SIZES, "commune", "SQLite"
    for size in sizes:
        url = scratch_postgres(args.postgres) if args.postgres else (
            f"sqlite:///{workdir / f'bench-{size}.sqlite'}")
        data = seed(scale, size, url)
        timings = measure(url, requests)
        runs.append((size, data, timings))
        lines.append(f"\n{label}, {scale} × {size}: {data['communes']} communes, "
                     f"{data['villages']} villages, {data['households']:,} households, "
                     f"{data['people']:,} people, {data['summaries']:,} lesson summaries, "
                     f"{data['events']:,} events, {data['rollup_rows']:,} rollup rows "
                     f"(loaded in {data['load_seconds']} s, rollups rebuilt in "
                     f"{data['rebuild_seconds']} s)")
        for name, (p50, p95) in timings.items():
            lines.append(f"  {name:<24} p50 {p50:7.1f}   p95 {p95:7.1f}")
        print("\n".join(lines[-len(timings) - 1:]), flush=True)
        if args.postgres:
            drop_postgres(args.postgres)
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        growth = last[1]["summaries"] / max(first[1]["summaries"], 1)
        lines.append(f"\nGrowth from the smallest to the largest size: data × {growth:.1f}")
        for name in first[2]:
            lines.append(f"  {name:<24} p95 × {last[2][name][1] / first[2][name][1]:.1f}")
    report = "\n".join(lines)
    print(report[report.find("\nGrowth"):] if len(runs) > 1 else "")
    if args.write_results:
        RESULTS_FILE.parent.mkdir(exist_ok=True)
        with RESULTS_FILE.open("a", encoding="utf-8") as out:
            out.write(report + "\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
