"""Synthetic communes for the figures benchmark, loaded in bulk (COPY on PostgreSQL).

    .venv/bin/python bench/seed.py --scale commune --database-url sqlite:///bench.sqlite
    .venv/bin/python bench/seed.py --scale province --database-url postgresql+psycopg://…/bench_stats
    .venv/bin/python bench/seed.py --scale province --size 0.25 …   # a quarter of the province

`commune` is one commune of 27 villages, 2,000 households and 8,000 people; `province` is
Son La: 75 communes, about 2,000 villages, 150,000 households, 600,000 people. `--size`
multiplies the households (and so the people). Each person has on average 15 villager
lesson summaries (9 million at province scale), started over the last 52 weeks, and 1 in 8
of the lessons a quiz attempt leaves its answer events in the log (about 3.6 million
events at province scale; the figures never read them). Field work: each commune has a
team of two Digital Ambassadors; half the households are assigned to one of them and have
1 to 3 guidance visits in the last 26 weeks, with 1 to 4 members present, one in three of
whom has a skill verified; one household in five is a Digital Family; each commune holds 4
events attended by one person in twenty. The database is emptied first;
the figure rollups are then recomputed with `stats rebuild`'s own code. Officials
(0900000002 for the first commune) and an admin (0900000001), password `bench-password-1`,
sign in as in the demo.
"""

import argparse
import io
import json
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SCALES = {"commune": (1, 27, 2000), "province": (75, 2000, 150000)}
PASSWORD = "bench-password-1"
MEMBERS_PER_HOUSEHOLD = 4
ANSWER_SHARE = 1 / 8
AMBASSADOR_IDS = 1000  # ambassadors' account ids start above the officials' and admin's
VIETNAM = timezone(timedelta(hours=7))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="commune")
    parser.add_argument("--size", type=float, default=1.0,
                        help="multiply the households and people by this")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def _sqlite_value(value):
    """SQLAlchemy keeps times on SQLite as naive UTC text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _copy(connection, table: str, columns: list[str], rows) -> int:
    """Write rows with COPY (PostgreSQL) or executemany (SQLite); returns the count."""
    count = 0
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch = []
    # Table and column names are this file's own constants, never input.
    statement = (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                 f"VALUES ({', '.join('?' for _ in columns)})")
    cursor = raw.cursor()
    for row in rows:
        batch.append(tuple(_sqlite_value(v) for v in row))
        if len(batch) == 20000:
            cursor.executemany(statement, batch)
            count, batch = count + len(batch), []
    if batch:
        cursor.executemany(statement, batch)
        count += len(batch)
    return count


def _seed_field_work(connection, chance, courses, communes: int, villages: int,
                     households: int, now: datetime) -> dict:
    """Ambassadors, teams, assignments, visits with skills, Digital Families and events."""
    from lms.accounts.hashing import hash_secret

    today = now.astimezone(VIETNAM).date()
    secret = hash_secret(PASSWORD)
    skills = [(course.slug, skill.id) for course in courses for skill in course.skills]
    _copy(connection, "account", [
        "id", "phone", "name", "secret_hash", "role", "commune_id", "active",
        "must_change_secret", "created_at"],
        ((AMBASSADOR_IDS + n, f"0970{n:06d}", f"Đại sứ {n}", secret, "ambassador",
          1 + (n - 1) // 2, True, False, now) for n in range(1, communes * 2 + 1)))
    _copy(connection, "ambassador_team", ["id", "commune_id", "name", "created_at"],
          ((n, n, "Đội đại sứ số", now) for n in range(1, communes + 1)))
    _copy(connection, "team_member", ["team_id", "account_id", "added_at"],
          ((1 + (n - 1) // 2, AMBASSADOR_IDS + n, now) for n in range(1, communes * 2 + 1)))
    assigned, visits, present, verified = [], [], [], []
    for household in range(1, households + 1):
        if chance.random() >= 0.5:
            continue
        village = 1 + (household - 1) * villages // households
        commune = 1 + (village - 1) * communes // villages
        ambassador = AMBASSADOR_IDS + 2 * (commune - 1) + chance.randint(1, 2)
        assigned.append((ambassador, household, now))
        for _ in range(chance.randint(1, 3)):
            visit = len(visits) + 1
            day = today - timedelta(days=chance.randrange(182))
            visits.append((visit, str(uuid.UUID(int=chance.getrandbits(128), version=4)),
                           ambassador, household, day, "[]", now))
            first = (household - 1) * MEMBERS_PER_HOUSEHOLD + 1
            for person in range(first, first + chance.randint(1, MEMBERS_PER_HOUSEHOLD)):
                present.append((visit, person))
                if skills and chance.random() < 1 / 3:
                    course, skill = chance.choice(skills)
                    verified.append((len(verified) + 1, visit, person, course, skill,
                                     ambassador, day))
    _copy(connection, "ambassador_assignment", ["account_id", "household_id", "assigned_at"],
          assigned)
    _copy(connection, "guidance_visit", ["id", "visit_uuid", "ambassador_id", "household_id",
                                         "visited_on", "practised", "created_at"], visits)
    _copy(connection, "visit_present", ["visit_id", "person_id"], present)
    _copy(connection, "verified_skill", ["id", "visit_id", "person_id", "course", "skill",
                                         "verified_by_id", "verified_on"], verified)
    families = _copy(connection, "digital_family", [
        "household_id", "reached", "since", "certificate_code", "checked_at"],
        ((household, True, today - timedelta(days=chance.randrange(182)), f"gd{household}",
          now) for household in range(1, households + 1) if chance.random() < 0.2))
    people = households * MEMBERS_PER_HOUSEHOLD
    events = [(n, 1 + (n - 1) // 4, f"Lớp học số {n}", "class",
               today - timedelta(days=chance.randrange(182)), "[]", now)
              for n in range(1, communes * 4 + 1)]
    _copy(connection, "community_event", ["id", "commune_id", "title", "kind", "held_on",
                                          "courses", "created_at"], events)
    attendance = []
    for person in range(1, people + 1):
        if chance.random() < 0.05 * 4:
            household = 1 + (person - 1) // MEMBERS_PER_HOUSEHOLD
            village = 1 + (household - 1) * villages // households
            commune = 1 + (village - 1) * communes // villages
            event = 4 * (commune - 1) + chance.randint(1, 4)
            attendance.append((len(attendance) + 1,
                               str(uuid.UUID(int=chance.getrandbits(128), version=4)), event,
                               person, now))
    _copy(connection, "event_attendance", ["id", "attendance_uuid", "event_id", "person_id",
                                           "marked_at"], attendance)
    return {"visits": len(visits), "skills_verified": len(verified),
            "digital_families": families, "attendances": len(attendance)}


def seed(scale: str, size: float, database_url: str, seed_value: int = 2026) -> dict:
    import os

    os.environ["LMS_DATABASE_URL"] = database_url
    os.environ.setdefault("LMS_ENV", "development")
    from lms import create_app
    from lms.accounts.models import Role
    from lms.accounts.operations import create_account
    from lms.content.catalog import catalog
    from lms.extensions import db
    from lms.stats.rebuild import rebuild_rollups

    communes, villages, households = SCALES[scale]
    households = max(villages, int(households * size))
    chance = random.Random(seed_value)
    app = create_app()
    started_at = time.monotonic()
    with app.test_request_context("/", method="POST"):
        db.drop_all()
        db.create_all()
        courses = catalog().for_track("villager")
        flat = [(c, lesson) for c in courses for lesson in c.lessons]
        connection = db.session.connection()
        now = datetime.now(UTC)
        _copy(connection, "province", ["id", "name"], [(1, "Sơn La")])
        _copy(connection, "commune", ["id", "province_id", "name", "kind", "active"],
              ((n, 1, f"Xã {n:02d}", "xa", True) for n in range(1, communes + 1)))
        _copy(connection, "village", ["id", "commune_id", "name", "kind", "active"],
              ((n, 1 + (n - 1) * communes // villages, f"Bản {n:04d}", "ban", True)
               for n in range(1, villages + 1)))
        _copy(connection, "household", ["id", "village_id", "name", "created_at", "active"],
              ((n, 1 + (n - 1) * villages // households, f"Hộ {n}", now, True)
               for n in range(1, households + 1)))
        people = households * MEMBERS_PER_HOUSEHOLD
        genders = ["female", "male", "female", "male", "other", None]
        _copy(connection, "person", ["id", "household_id", "name", "gender", "birth_year",
                                     "created_at", "active"],
              ((n, 1 + (n - 1) // MEMBERS_PER_HOUSEHOLD, f"Người {n}",
                genders[chance.randrange(6)], chance.choice([None, *range(1940, 2020)]), now,
                True)
               for n in range(1, people + 1)))
        answers = []

        def summaries():
            for person in range(1, people + 1):
                # Most people follow the whole path; some stop on the way.
                count = len(flat) if chance.random() < 0.75 else chance.randint(0, len(flat))
                start = now - timedelta(days=chance.uniform(0, 364))
                for index, (course, lesson) in enumerate(flat[:count]):
                    first = min(now, start + timedelta(hours=index * chance.uniform(1, 30)))
                    done = chance.random() < 0.8
                    completed = first + timedelta(minutes=chance.randint(3, 600)) if done \
                        else None
                    if completed and completed > now:
                        completed = now
                    if chance.random() < ANSWER_SHARE:
                        answers.append((person, course, lesson, first))
                    yield (person, course.slug, lesson.slug,
                           "completed" if done else "in_progress", 1.0 if done else None,
                           1, 200, first, completed or first, lesson.step_count, completed,
                           course.version)

        summary_count = _copy(connection, "lesson_progress", [
            "person_id", "course", "lesson", "status", "best_score", "attempts",
            "time_spent_seconds", "first_seen", "last_seen", "last_step", "completed_at",
            "content_version"], summaries())

        def events():
            for person, course, lesson, moment in answers:
                for step in lesson.texts["vi"].quiz_steps:
                    right = chance.random() < 0.7
                    options = len(step.question.options)
                    answer = (list(step.question.correct_indexes) if step.question.kind in (
                        "multiple", "order") else step.question.correct_indexes[0]) if right \
                        else ([0] if step.question.kind == "multiple" else (
                            list(reversed(range(options))) if step.question.kind == "order"
                            else chance.choice([i for i in range(options)
                                                if i not in step.question.correct_indexes])))
                    yield (str(uuid.UUID(int=chance.getrandbits(128), version=4)), person,
                           "answer_submitted", course.slug, lesson.slug, step.number,
                           json.dumps(answer), right, 0, moment, moment, False,
                           course.version)

        event_count = _copy(connection, "progress_event", [
            "event_id", "person_id", "type", "course", "lesson", "step", "answer", "correct",
            "seconds", "occurred_at", "received_at", "clock_flagged", "content_version"],
            events())
        field_work = _seed_field_work(connection, chance, courses, communes, villages,
                                      households, now)
        if connection.dialect.name == "postgresql":
            for table in ("province", "commune", "village", "household", "person", "account",
                          "guidance_visit", "verified_skill", "community_event",
                          "event_attendance", "ambassador_team"):
                sql = (f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                       f"(SELECT max(id) FROM {table}))")  # our own table names
                connection.exec_driver_sql(sql)
            connection.exec_driver_sql("ANALYZE")
        db.session.commit()
        loaded = time.monotonic() - started_at
        create_account(phone="0900000001", name="Admin", role=Role.ADMIN, secret=PASSWORD)
        for commune in range(1, min(communes, 3) + 1):
            create_account(phone=f"09000000{commune + 1:02d}", name=f"Official {commune}",
                           role=Role.OFFICIAL, secret=PASSWORD, commune_id=commune)
        db.session.commit()
        rebuild_started = time.monotonic()
        rows = rebuild_rollups()
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.connection().exec_driver_sql("ANALYZE")
            db.session.commit()
        rebuild_seconds = time.monotonic() - rebuild_started
    return {"communes": communes, "villages": villages, "households": households,
            "people": people, "summaries": summary_count, "events": event_count,
            **field_work,
            "rollup_rows": sum(v for k, v in rows.items() if k.endswith("rollup")),
            "load_seconds": round(loaded, 1), "rebuild_seconds": round(rebuild_seconds, 1)}


def main() -> None:
    args = parse_args()
    figures = seed(args.scale, args.size, args.database_url, args.seed)
    out = io.StringIO()
    json.dump(figures, out, indent=1)
    print(out.getvalue())


if __name__ == "__main__":
    main()
