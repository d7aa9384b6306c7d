"""`flask db backup` and `flask db restore`: a copy made while a worker writes restores
into a new database as one consistent snapshot, and a killed writer damages nothing."""

import hashlib
import multiprocessing
import os
import signal
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.accounts.models import Account
from lms.extensions import db
from lms.learning.models import LessonProgress, ProgressEvent

from .conftest import scratch_database
from .learning_helpers import lesson_of

EVENT_COLUMNS = ("event_id", "person_id", "type", "course", "lesson", "step", "correct", "seconds")


def _write_events(test_config: dict, account_id: int, person_id: int, course: str,
                  lesson: str, steps: int, acknowledged, stop) -> None:
    """A worker that keeps recording batches of events and reports each one it committed."""
    from lms.learning.progress import record_events

    app = create_app(test_config)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with app.test_request_context("/api/v1/progress/events", method="POST"):
        account = db.session.get(Account, account_id)
        n = 0
        while not stop.is_set():
            batch = [{"id": str(uuid.uuid4()), "person": person_id, "type": "step_viewed",
                      "course": course, "lesson": lesson, "step": 1 + (n + i) % steps,
                      "answer": {"seconds": 5},
                      "occurred_at": (start + timedelta(seconds=n + i)).isoformat()}
                     for i in range(20)]
            n += 20
            accepted = record_events(account, batch).accepted
            acknowledged.put(len(accepted))


def _start_writer(test_config, world):
    course, lesson = lesson_of()
    account_id = db.session.scalar(select(Account.id).filter_by(household_id=world["mine"].id))
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    acknowledged, stop = context.Queue(), context.Event()
    writer = context.Process(target=_write_events, args=(
        test_config, account_id, world["mine"].members[0].id, course.slug, lesson.slug,
        lesson.step_count, acknowledged, stop))
    writer.start()
    first = acknowledged.get(timeout=60)  # the writer is running and has committed once
    return writer, acknowledged, stop, first


def _event_log_checksum(connection, up_to_id: int) -> str:
    events = ProgressEvent.__table__.c
    rows = connection.execute(
        select(*(events[name] for name in EVENT_COLUMNS))
        .where(events.id <= up_to_id).order_by(events.id)).all()
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


@pytest.fixture
def fresh_database_url(tmp_path, database_url):
    """An empty database of the same kind as the suite's, for restoring into."""
    with scratch_database(database_url, tmp_path, "restored") as url:
        yield url


def test_a_backup_taken_while_a_worker_writes_restores_one_consistent_snapshot(
        app, runner, test_config, world, tmp_path, fresh_database_url):
    writer, acknowledged, stop, _first = _start_writer(test_config, world)
    try:
        time.sleep(0.5)
        result = runner.invoke(args=["db", "backup", str(tmp_path / "copy.backup")])
        time.sleep(0.3)  # the writer goes on after the copy
    finally:
        stop.set()
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "copy.backup").stat().st_size > 0

    restored_app = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": fresh_database_url})
    with restored_app.app_context():
        restore = restored_app.test_cli_runner().invoke(
            args=["db", "restore", str(tmp_path / "copy.backup")])
        assert restore.exit_code == 0, restore.output
        with db.engine.connect() as restored:
            copied = restored.execute(text("SELECT COUNT(*), MAX(id) FROM progress_event")).one()
            restored_sum = _event_log_checksum(restored, copied[1])
            restored_time = restored.execute(text(
                "SELECT SUM(time_spent_seconds) FROM lesson_progress")).scalar()
        db.engine.dispose()

    db.session.commit()
    total = db.session.scalar(select(func.count(ProgressEvent.id)))
    assert 0 < copied[0] < total, "the copy was taken while events were still arriving"
    with db.engine.connect() as source:
        # The copy holds exactly the source's first events, unchanged, and their summary.
        assert copied[0] == copied[1] - db.session.scalar(select(func.min(ProgressEvent.id))) + 1
        assert restored_sum == _event_log_checksum(source, copied[1])
    assert restored_time == 5 * copied[0]


def test_restore_refuses_a_database_that_holds_data(runner, world, tmp_path):
    assert runner.invoke(args=["db", "backup", str(tmp_path / "copy.backup")]).exit_code == 0
    result = runner.invoke(args=["db", "restore", str(tmp_path / "copy.backup")])
    assert result.exit_code == 2
    assert "đã có dữ liệu" in result.output


@pytest.mark.parametrize(("content", "message"), [
    (None, "Không có tệp"),
    (b"name,phone\nA,0912\n", "không phải là bản sao"),
])
def test_restore_refuses_what_is_not_a_backup(app, test_config, tmp_path, fresh_database_url,
                                              content, message):
    path = tmp_path / "not-a-backup"
    if content is not None:
        path.write_bytes(content)
    empty = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": fresh_database_url})
    with empty.app_context():
        result = empty.test_cli_runner().invoke(args=["db", "restore", str(path)])
        db.engine.dispose()
    assert result.exit_code == 2
    assert message in result.output


def test_backup_never_overwrites_a_file(runner, world, tmp_path):
    target = tmp_path / "copy.backup"
    target.write_bytes(b"an older backup")
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 2 and "đã có" in result.output
    assert target.read_bytes() == b"an older backup"
    missing_folder = runner.invoke(args=["db", "backup", str(tmp_path / "no" / "copy")])
    assert missing_folder.exit_code == 2 and "không có" in missing_folder.output.lower()


def test_a_worker_killed_mid_write_leaves_the_database_whole(app, test_config, world,
                                                             database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's own integrity check; PostgreSQL's WAL covers a killed backend")
    writer, acknowledged, _stop, first = _start_writer(test_config, world)
    time.sleep(0.4)
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(timeout=10)
    acknowledged_count = first
    while not acknowledged.empty():
        acknowledged_count += acknowledged.get()
    path = make_url(database_url).database
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.session.commit()
    # Every batch the worker acknowledged before it died is on disk.
    assert db.session.scalar(select(func.count(ProgressEvent.id))) >= acknowledged_count
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 1
