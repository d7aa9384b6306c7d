"""Summaries merge the same whatever order events arrive in, and can be rebuilt."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.learning.models import LessonProgress

from .learning_helpers import event, lesson_of, post_events, right_answer, wrong_answer

SUMMARY_FIELDS = ("person_id", "course", "lesson", "status", "best_score", "attempts",
                  "time_spent_seconds", "first_seen", "last_seen", "last_step", "completed_at",
                  "content_version")


def snapshot() -> list[tuple]:
    rows = db.session.scalars(select(LessonProgress).order_by(
        LessonProgress.person_id, LessonProgress.course, LessonProgress.lesson)).all()
    return [tuple(_comparable(getattr(row, f)) for f in SUMMARY_FIELDS) for row in rows]


def _comparable(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def event_stream(world, seed: int) -> list[dict]:
    chance = random.Random(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    events = []
    for course_slug, index in (("public-services", 0), ("public-services", 1),
                               ("digital-payments", 0)):
        course, lesson = lesson_of(course_slug, index)
        for person in world["mine"].members:
            moment = start + timedelta(minutes=chance.randint(0, 10_000))
            for step in lesson.texts["vi"].steps:
                moment += timedelta(seconds=chance.randint(5, 90))
                events.append(event(person.id, course.slug, lesson.slug, step.number,
                                    answer={"seconds": chance.randint(5, 90)},
                                    occurred_at=moment.isoformat()))
            for _attempt in range(chance.randint(0, 3)):
                moment += timedelta(minutes=chance.randint(1, 60))
                answers = {str(s.number): (right_answer(s.question) if chance.random() < 0.6
                                           else wrong_answer(s.question))
                           for s in lesson.texts["vi"].quiz_steps}
                events.append(event(person.id, course.slug, lesson.slug, lesson.step_count,
                                    "lesson_completed", {"answers": answers},
                                    occurred_at=moment.isoformat()))
    return events


def test_rebuilt_summaries_equal_the_incremental_ones(signed_in, world, runner):
    events = event_stream(world, seed=7)
    shuffled = events + random.Random(1).sample(events, len(events) // 3)  # with replays
    random.Random(2).shuffle(shuffled)
    client = signed_in("mine")
    for start in range(0, len(shuffled), 37):
        post_events(client, shuffled[start:start + 37])
    incremental = snapshot()
    assert len(incremental) == 9
    result = runner.invoke(args=["progress", "rebuild"])
    assert result.exit_code == 0, result.output
    assert snapshot() == incremental


def test_the_order_of_arrival_does_not_change_the_summary(signed_in, world):
    events = event_stream(world, seed=11)
    client = signed_in("mine")
    post_events(client, sorted(events, key=lambda e: e["occurred_at"]))
    in_order = snapshot()
    db.session.execute(db.delete(LessonProgress))
    from lms.learning.models import ProgressEvent

    db.session.execute(db.delete(ProgressEvent))
    db.session.commit()
    post_events(client, list(reversed(events)))
    assert snapshot() == in_order


def test_translations_coverage_prints_the_real_figures(runner, monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    result = runner.invoke(args=["translations", "coverage"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "100%" in lines["vi"] and "2/2 (0 draft, 2 reviewed)" in lines["vi"]
    assert "1/5 (1 draft, 0 reviewed)" in lines["hmn"]
