"""Needs-help flags: one test per rule, with the clock given, and each flag names the lesson."""

from datetime import UTC, datetime, timedelta

from lms.accounts.models import Person
from lms.ambassadors import needs_help
from lms.ambassadors.models import NeedsHelp
from lms.content.catalog import catalog
from lms.extensions import db
from lms.learning.progress import record_events

from .learning_helpers import event, lesson_of, right_answer, wrong_answer

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def flags(person) -> set[tuple]:
    return {(f.reason.value, f.course, f.lesson) for f in db.session.scalars(
        db.select(NeedsHelp).where(NeedsHelp.person_id == person.id))}


def _attempt(account, person, passed: bool, at: datetime) -> None:
    course, lesson = lesson_of()
    quiz = lesson.texts["vi"].quiz_steps
    answers = {str(s.number): right_answer(s.question) if passed else wrong_answer(s.question)
               for s in quiz}
    result = record_events(account, [event(person.id, course.slug, lesson.slug,
                                           lesson.step_count, "lesson_completed",
                                           {"answers": answers}, at.isoformat())])
    assert result.accepted


def _household_account(world):
    from lms.accounts.models import Account
    return db.session.scalar(db.select(Account).filter_by(household_id=world["mine"].id))


def _recent(person, when):
    person.created_at = when
    db.session.commit()


def test_failing_a_quiz_twice_without_passing_since_raises_a_flag(app, world):
    # The progress hook refreshes with the real clock, so this rule's clock is now.
    now = datetime.now(UTC)
    account, person = _household_account(world), world["mine"].members[0]
    course, lesson = lesson_of()
    _recent(person, now)
    _attempt(account, person, False, now - timedelta(days=3))
    needs_help.refresh([person.id], now=now)
    assert flags(person) == set()
    _attempt(account, person, False, now - timedelta(days=2))  # refreshed by the hook
    assert flags(person) == {("quiz_failed", course.slug, lesson.slug)}
    _attempt(account, person, True, now - timedelta(days=1))
    assert flags(person) == set()
    _attempt(account, person, False, now - timedelta(hours=3))
    assert flags(person) == set()  # one failure since the pass is not yet a reason


def test_a_started_lesson_and_14_silent_days_raise_a_flag(app, world):
    account, person = _household_account(world), world["mine"].members[0]
    course, lesson = lesson_of()
    started = NOW - timedelta(days=20)
    _recent(person, started)
    record_events(account, [event(person.id, course.slug, lesson.slug, 1,
                                  occurred_at=started.isoformat())])
    needs_help.refresh([person.id], now=started + timedelta(days=13, hours=23))
    assert flags(person) == set()
    needs_help.refresh([person.id], now=started + timedelta(days=14))
    assert flags(person) == {("silent", course.slug, lesson.slug)}
    record_events(account, [event(person.id, course.slug, lesson.slug, 2,
                                  occurred_at=(started + timedelta(days=15)).isoformat())])
    needs_help.refresh([person.id], now=started + timedelta(days=16))
    assert flags(person) == set()


def test_registered_30_days_ago_without_progress_raises_a_flag(app, world):
    person = world["mine"].members[0]
    # A new learner is pointed at the first lesson of the first course on their home.
    course = min(catalog().for_track("villager"), key=lambda found: found.order)
    lesson = course.lessons[0]
    _recent(person, NOW - timedelta(days=30))
    needs_help.refresh([person.id], now=NOW - timedelta(hours=1))
    assert flags(person) == set()
    needs_help.refresh([person.id], now=NOW)
    assert flags(person) == {("no_start", course.slug, lesson.slug)}
    record_events(_household_account(world), [event(person.id, course.slug, lesson.slug, 1,
                                                    occurred_at=NOW.isoformat())])
    needs_help.refresh([person.id], now=NOW)
    assert flags(person) == set()


def test_a_flag_keeps_the_time_it_was_raised_and_inactive_members_are_not_flagged(app, world):
    person = world["mine"].members[0]
    _recent(person, NOW - timedelta(days=40))
    needs_help.refresh([person.id], now=NOW)
    needs_help.refresh([person.id], now=NOW + timedelta(days=1))
    [flag] = db.session.scalars(db.select(NeedsHelp)).all()
    assert flag.since.replace(tzinfo=UTC) == NOW
    person.active = False
    needs_help.refresh([person.id], now=NOW)
    assert flags(person) == set()


def test_the_refresh_command_updates_everyone(app, runner, world):
    for person in db.session.scalars(db.select(Person)):
        person.created_at = datetime.now(UTC) - timedelta(days=31)
    db.session.commit()
    result = runner.invoke(args=["ambassadors", "refresh"])
    assert result.exit_code == 0, result.output
    household_people = sum(len(world[k].members) for k in ("mine", "theirs", "far"))
    assert db.session.scalar(db.select(db.func.count(NeedsHelp.id))) == household_people
