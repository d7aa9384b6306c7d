"""An ambassador with 200 households on SQLite: home page weight and speed, the households
API, and POST /api/v1/visits throughput (DESIGN.md §5).

Run from anywhere:

    .venv/bin/python bench/ambassador.py                    # print the figures
    .venv/bin/python bench/ambassador.py --write-results    # also bench/results/ambassador.txt

It builds a throw-away SQLite database in a temporary folder with 200 households, 800
people, 12,000 lesson summaries and 1,000 guidance visits, all assigned to one ambassador,
then times requests through the app in this process (server time, without the network).
Budgets: the home page ≤ 14 KB compressed, p95 ≤ 100 ms. KB = 1024 bytes.
"""

import argparse
import gzip
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS_FILE = REPO / "bench" / "results" / "ambassador.txt"
HOUSEHOLDS, MEMBERS, SUMMARIES_PER_PERSON, VISITS = 200, 4, 15, 1000
HOME_BUDGET_KB, P95_BUDGET_MS = 14, 100
PASSWORD = "một-mật-khẩu-dài"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed loads per page")
    parser.add_argument("--batches", type=int, default=20,
                        help="batches of 100 visits posted for the throughput figure")
    parser.add_argument("--write-results", action="store_true",
                        help=f"also write the output to {RESULTS_FILE.relative_to(REPO)}")
    return parser.parse_args()


def build_world(db, models) -> dict:
    """Bulk-insert the ambassador's world; returns the ids the timings need."""
    (Account, Person, Household, Village, Commune, Province, LessonProgress, Certificate,
     GuidanceVisit, visit_present, ambassador_assignment, catalog, create_account,
     Role) = models
    rng = random.Random(9)
    province = Province(name="Sơn La")
    commune = Commune(province=province, name="Chiềng Mung")
    db.session.add_all([province, commune])
    db.session.flush()
    villages = [Village(commune_id=commune.id, name=f"Bản {n + 1}") for n in range(10)]
    db.session.add_all(villages)
    db.session.flush()
    staff = Person(name="Lò Văn Minh")
    db.session.add(staff)
    db.session.flush()
    ambassador = create_account(phone="0900000003", name=staff.name, role=Role.AMBASSADOR,
                                secret=PASSWORD, commune_id=commune.id, person_id=staff.id)
    db.session.flush()
    now = datetime.now(UTC)
    db.session.execute(Household.__table__.insert(), [
        {"village_id": villages[n % 10].id, "name": f"Hộ Lò Văn {n + 1}", "active": True,
         "phone": f"+8491{n:07d}", "created_at": now} for n in range(HOUSEHOLDS)])
    household_ids = list(db.session.scalars(db.select(Household.id).order_by(Household.id)))
    db.session.execute(ambassador_assignment.insert(), [
        {"account_id": ambassador.id, "household_id": h, "assigned_at": now}
        for h in household_ids])
    db.session.execute(Person.__table__.insert(), [
        {"household_id": h, "name": f"Lò Thị {h}-{m}", "gender": "female",
         "birth_year": 1960 + m * 10, "active": True,
         "created_at": now - timedelta(days=rng.randint(1, 90))}
        for h in household_ids for m in range(MEMBERS)])
    people = db.session.execute(db.select(Person.id, Person.household_id).where(
        Person.household_id.is_not(None))).all()
    lessons = [(c.slug, lesson.slug) for c in catalog().for_track("villager")
               for lesson in c.lessons][:SUMMARIES_PER_PERSON]
    rows, certificates = [], []
    for person_id, _household in people:
        done = rng.randint(0, len(lessons))
        away = 20 if rng.random() < 0.1 else 0  # one in ten has gone quiet
        for index, (course, lesson) in enumerate(lessons):
            seen = now - timedelta(days=away + rng.randint(0, 12), minutes=index)
            status = "completed" if index < done else rng.choice(["in_progress", "failed"])
            rows.append({"person_id": person_id, "course": course, "lesson": lesson,
                         "status": status, "best_score": rng.random(), "attempts": 1,
                         "time_spent_seconds": 240, "first_seen": seen, "last_seen": seen,
                         "last_step": 3, "content_version": "bench",
                         "completed_at": seen if status == "completed" else None})
        if done >= 5:
            certificates.append({"code": uuid.uuid4().hex[:20], "person_id": person_id,
                                 "course": lessons[0][0], "issued_at": now})
    db.session.execute(LessonProgress.__table__.insert(), rows)
    db.session.execute(Certificate.__table__.insert(), certificates)
    members = {}
    for person_id, household_id in people:
        members.setdefault(household_id, []).append(person_id)
    today = date.today()
    db.session.execute(GuidanceVisit.__table__.insert(), [
        {"visit_uuid": str(uuid.uuid4()), "ambassador_id": ambassador.id,
         "household_id": household_ids[n % HOUSEHOLDS],
         "visited_on": today - timedelta(days=rng.randint(0, 120)), "practised": [],
         "note": None, "created_at": now} for n in range(VISITS)])
    visits = db.session.execute(db.select(GuidanceVisit.id, GuidanceVisit.household_id)).all()
    db.session.execute(visit_present.insert(), [
        {"visit_id": visit_id, "person_id": members[household_id][0]}
        for visit_id, household_id in visits])
    db.session.commit()
    return {"ambassador": ambassador.phone, "households": household_ids, "members": members,
            "summaries": len(rows), "people": len(people)}


def timed(call, runs: int) -> tuple[float, float, float, float]:
    """Wall-clock p50/p95, and the same in CPU time, which other work on a shared machine
    disturbs less (the machine's load is printed with the figures)."""
    walls, cpus = [], []
    call()  # warm-up: compiled templates and statements
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    cpus.sort()
    p95 = int(len(walls) * 0.95) - 1
    return statistics.median(walls), walls[p95], statistics.median(cpus), cpus[p95]


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-ambassador-"))
    try:
        from lms import create_app
        from lms.accounts.models import Account, Person, Role, ambassador_assignment
        from lms.accounts.operations import create_account
        from lms.ambassadors import needs_help
        from lms.ambassadors.models import GuidanceVisit, visit_present
        from lms.content.catalog import catalog
        from lms.extensions import db
        from lms.learning.models import Certificate, LessonProgress
        from lms.places.models import Commune, Household, Province, Village

        app = create_app({"TESTING": True, "SECRET_KEY": "bench-only-secret",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}",
                          "LMS_ENV": "testing", "RATELIMIT_STORAGE_URI": "memory://",
                          "WTF_CSRF_ENABLED": True})
        app.testing = False  # production error handling and headers
        lines = []
        with app.app_context():
            db.create_all()
            world = build_world(db, (Account, Person, Household, Village, Commune, Province,
                                     LessonProgress, Certificate, GuidanceVisit,
                                     visit_present, ambassador_assignment, catalog,
                                     create_account, Role))
            start = time.perf_counter()
            flagged = needs_help.refresh_everyone()
            refresh_ms = (time.perf_counter() - start) * 1000
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/login", data={"phone": world["ambassador"], "secret": PASSWORD,
                                    "csrf_token": token})
        gzip_headers = {"Accept-Encoding": "gzip"}
        home = client.get("/ambassador/", headers=gzip_headers)
        assert home.status_code == 200, home.status_code
        compressed = len(home.data)
        raw = len(gzip.decompress(home.data)) if home.headers.get(
            "Content-Encoding") == "gzip" else compressed
        home_p50, home_p95, home_cpu50, home_cpu95 = timed(
            lambda: client.get("/ambassador/", headers=gzip_headers), args.requests)
        api_p50, api_p95, _cpu50, _cpu95 = timed(lambda: client.get("/api/v1/households",
                                                    headers=gzip_headers), args.requests // 4)
        token = re.search(r'name="csrf-token" content="([^"]+)"',
                          client.get("/ambassador/").get_data(as_text=True)).group(1)
        rng = random.Random(3)
        batches = []
        for _ in range(args.batches):
            batch = []
            for _ in range(100):
                household = rng.choice(world["households"])
                people = world["members"][household]
                batch.append({"id": str(uuid.uuid4()), "household": household,
                              "date": date.today().isoformat(), "present": people[:2],
                              "practised": [{"course": "public-services",
                                             "lesson": "activate-level-2"}],
                              "verified": [], "note": "Tập kích hoạt VNeID."})
            batches.append(batch)
        headers = {"X-CSRFToken": token}
        accepted = 0
        start = time.perf_counter()
        for batch in batches:
            body = client.post("/api/v1/visits", json={"visits": batch},
                               headers=headers).get_json()
            accepted += len(body["accepted"])
        fresh_seconds = time.perf_counter() - start
        duplicates = 0
        start = time.perf_counter()
        for batch in batches:
            body = client.post("/api/v1/visits", json={"visits": batch},
                               headers=headers).get_json()
            duplicates += len(body["duplicates"])
        replay_seconds = time.perf_counter() - start
        sent = 100 * len(batches)
        lines += [
            f"# bench/ambassador.py — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, SQLite, "
            f"server time in one process, load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores",
            f"world: {len(world['households'])} households, {world['people']} people, "
            f"{world['summaries']:,} lesson summaries, {VISITS:,} visits; "
            f"{flagged} people flagged by the needs-help refresh ({refresh_ms:.0f} ms)",
            f"home page: {compressed / 1024:.1f} KB gzip ({raw / 1024:.1f} KB raw), "
            f"budget {HOME_BUDGET_KB} KB: "
            f"{'ok' if compressed <= HOME_BUDGET_KB * 1024 else 'OVER'}",
            f"home page: p50 {home_p50:.1f} ms, p95 {home_p95:.1f} ms over {args.requests} "
            f"loads, budget p95 {P95_BUDGET_MS} ms: "
            f"{'ok' if home_p95 <= P95_BUDGET_MS else 'OVER'} "
            f"(CPU time p50 {home_cpu50:.1f} ms, p95 {home_cpu95:.1f} ms)",
            f"GET /api/v1/households: p50 {api_p50:.1f} ms, p95 {api_p95:.1f} ms",
            f"POST /api/v1/visits: {accepted}/{sent} accepted in {fresh_seconds:.2f} s "
            f"= {accepted / fresh_seconds:,.0f} visits/s (batches of 100)",
            f"POST /api/v1/visits replayed: {duplicates}/{sent} duplicates in "
            f"{replay_seconds:.2f} s = {sent / replay_seconds:,.0f} visits/s, none stored twice",
        ]
        output = "\n".join(lines) + "\n"
        print(output, end="")
        if args.write_results:
            RESULTS_FILE.write_text(output, encoding="utf-8")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
