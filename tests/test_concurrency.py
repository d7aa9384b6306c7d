"""Several worker processes receive overlapping batches of the same events at once: each
event is stored exactly once and the summaries equal a rebuild from the log."""

import multiprocessing
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from lms.accounts.locking import lock_people
from lms.accounts.models import Account
from lms.extensions import db
from lms.families.status import refresh_households
from lms.learning.models import LessonProgress, ProgressEvent

from .learning_helpers import lesson_of
from .test_rebuild import snapshot

WORKERS = 4


def _post_in_own_process(test_config: dict, account_id: int, batches: list[list[dict]],
                         results) -> None:
    """A gunicorn worker, in effect: its own app, engine and connections."""
    from lms import create_app
    from lms.learning.progress import record_events

    app = create_app(test_config)
    with app.test_request_context("/api/v1/progress/events", method="POST"):
        account = db.session.get(Account, account_id)
        accepted = 0
        for batch in batches:
            accepted += len(record_events(account, batch).accepted)
        results.put(accepted)
    db.engine.dispose()


def test_overlapping_batches_from_several_processes_are_stored_once(app, test_config, world):
    course, lesson = lesson_of()
    account_id = db.session.scalar(select(Account.id).filter_by(household_id=world["mine"].id))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    events = [{"id": str(uuid.uuid4()), "person": member.id, "type": "step_viewed",
               "course": course.slug, "lesson": lesson.slug, "step": 1 + n % lesson.step_count,
               "answer": {"seconds": 10}, "occurred_at": (start + timedelta(minutes=n)).isoformat()}
              for n in range(150) for member in world["mine"].members[:2]]
    chance = random.Random(3)
    plans = []
    for _worker in range(WORKERS):
        mine = chance.sample(events, 200)  # overlapping subsets, in a different order each
        plans.append([mine[i:i + 40] for i in range(0, len(mine), 40)])
    db.session.commit()
    db.session.close()  # no open transaction (and old snapshot) waits across the test
    db.engine.dispose()  # no pooled connection crosses the fork

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_post_in_own_process,
                                 args=(test_config, account_id, plan, results))
                 for plan in plans]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    accepted = sum(results.get(timeout=5) for _ in processes)

    sent = {e["id"] for plan in plans for batch in plan for e in batch}
    stored, distinct = db.session.execute(
        select(func.count(ProgressEvent.id), func.count(func.distinct(ProgressEvent.event_id)))
    ).one()
    assert stored == distinct == len(sent) == accepted
    incremental = snapshot()
    assert sum(row.time_spent_seconds for row in db.session.scalars(select(LessonProgress))
               ) == 10 * len(sent)
    from lms.learning.progress import rebuild_summaries

    with app.test_request_context("/", method="POST"):
        rebuild_summaries()
    assert snapshot() == incremental
    # The commune figures counted by the racing workers equal a recount from scratch.
    from lms.stats.rebuild import rebuild_rollups

    from .test_stats_rollups import rollup_rows

    counted = rollup_rows()
    assert counted["stats_progress_rollup"]
    with app.test_request_context("/", method="POST"):
        rebuild_rollups()
    assert rollup_rows() == counted


def _locked_elsewhere(test_config: dict, person_ids: list[int]) -> list[int]:
    """Which of these people another connection cannot lock right now."""
    engine = create_engine(test_config["SQLALCHEMY_DATABASE_URI"])
    locked = []
    try:
        for person_id in person_ids:
            with engine.connect() as connection:
                try:
                    connection.execute(text("SELECT id FROM person WHERE id = :id "
                                            "FOR NO KEY UPDATE NOWAIT"), {"id": person_id})
                except OperationalError:
                    locked.append(person_id)
    finally:
        engine.dispose()
    return locked


def test_re_counting_a_household_locks_all_its_members_first(app, test_config, world):
    """The one lock order (accounts.locking) that keeps a progress batch for one member and
    a visit or another member's batch from deadlocking when the household's Digital Family
    status flips: whoever starts on a household holds all its members before its status."""
    if not test_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite writes one transaction at a time")
    mine, theirs = world["mine"], world["theirs"]
    members = [m.id for m in mine.members]
    others = [m.id for m in theirs.members]
    db.session.commit()
    lock_people(members[:1])  # a progress batch for one member
    assert _locked_elsewhere(test_config, members + others) == members
    db.session.rollback()
    refresh_households([mine.id])  # a visit, before it touches the status row
    assert _locked_elsewhere(test_config, members + others) == members
    db.session.rollback()
