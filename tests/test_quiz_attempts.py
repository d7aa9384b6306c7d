"""A quiz attempt is one attempt wherever its answers were given: online on the pages,
offline in the phone's queue, or both."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learning.models import EventType, LessonProgress, ProgressEvent, Status

from .conftest import csrf_from
from .learning_helpers import event, form_for, lesson_of, post_events, right_answer, wrong_answer


def _three_question_lesson():
    course, lesson = lesson_of(index=1)
    quiz = lesson.texts["vi"].quiz_steps
    assert len(quiz) == 3
    return course, lesson, quiz


def _answer_on_the_page(client, course, lesson, step, answer) -> None:
    url = f"/learn/{course.slug}/{lesson.slug}/{step.number}"
    token = csrf_from(client, url)
    response = client.post(url, data={"csrf_token": token, "action": "answer",
                                      **form_for(step.question, answer)})
    assert response.status_code == 302


def _at(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def _summary(person_id, lesson) -> LessonProgress:
    db.session.commit()
    return db.session.scalar(select(LessonProgress).filter_by(person_id=person_id,
                                                              lesson=lesson.slug))


def _completion(person_id) -> ProgressEvent:
    return db.session.scalars(select(ProgressEvent).filter_by(
        person_id=person_id, type=EventType.LESSON_COMPLETED)
        .order_by(ProgressEvent.occurred_at.desc())).first()


def test_answers_given_online_count_in_an_attempt_finished_offline(signed_in, world):
    """Question 1 answered online; 2 and 3 offline; the phone's batch only knows 2 and 3."""
    client = signed_in("mine")
    person = world["mine"].members[0].id
    course, lesson, quiz = _three_question_lesson()
    _answer_on_the_page(client, course, lesson, quiz[0], right_answer(quiz[0].question))
    offline = {str(s.number): right_answer(s.question) for s in quiz[1:]}
    batch = [event(person, course.slug, lesson.slug, s.number, "answer_submitted",
                   right_answer(s.question), occurred_at=_at(1 + i))
             for i, s in enumerate(quiz[1:])]
    batch.append(event(person, course.slug, lesson.slug, lesson.step_count, "lesson_completed",
                       {"answers": offline}, occurred_at=_at(3)))
    assert post_events(client, batch).get_json()["rejected"] == []

    row = _summary(person, lesson)
    assert row.status == Status.COMPLETED and row.best_score == pytest.approx(1.0)
    graded = _completion(person)
    assert set(graded.answer["answers"]) == {str(s.number) for s in quiz}
    page = client.get(f"/learn/{course.slug}/{lesson.slug}/result").get_data(as_text=True)
    assert "Bạn trả lời đúng 3/3 câu." in page


def test_answers_sent_in_the_same_batch_count_even_if_the_completion_lacks_them(signed_in,
                                                                                world):
    client = signed_in("mine")
    person = world["mine"].members[0].id
    course, lesson, quiz = _three_question_lesson()
    batch = [event(person, course.slug, lesson.slug, s.number, "answer_submitted",
                   right_answer(s.question), occurred_at=_at(i)) for i, s in enumerate(quiz)]
    batch.append(event(person, course.slug, lesson.slug, lesson.step_count, "lesson_completed",
                       {"answers": {}}, occurred_at=_at(5)))
    post_events(client, batch)
    assert _summary(person, lesson).best_score == pytest.approx(1.0)


def test_the_phones_own_answers_win_over_older_ones_of_the_same_attempt(signed_in, world):
    client = signed_in("mine")
    person = world["mine"].members[0].id
    course, lesson, quiz = _three_question_lesson()
    first = quiz[0]
    _answer_on_the_page(client, course, lesson, first, wrong_answer(first.question))
    answers = {str(s.number): right_answer(s.question) for s in quiz}
    post_events(client, [event(person, course.slug, lesson.slug, lesson.step_count,
                               "lesson_completed", {"answers": answers}, occurred_at=_at(2))])
    assert _summary(person, lesson).best_score == pytest.approx(1.0)


def test_answers_of_an_earlier_attempt_do_not_count_again(signed_in, world):
    client = signed_in("mine")
    person = world["mine"].members[0].id
    course, lesson, quiz = _three_question_lesson()
    earlier = [event(person, course.slug, lesson.slug, s.number, "answer_submitted",
                     right_answer(s.question), occurred_at=_at(-10 + i))
               for i, s in enumerate(quiz)]
    earlier.append(event(person, course.slug, lesson.slug, lesson.step_count,
                         "lesson_completed", {"answers": {}}, occurred_at=_at(-5)))
    post_events(client, earlier)
    later = event(person, course.slug, lesson.slug, lesson.step_count, "lesson_completed",
                  {"answers": {}}, occurred_at=_at(1))
    post_events(client, [later])
    assert _completion(person).score == 0.0
    assert _summary(person, lesson).attempts == 2
