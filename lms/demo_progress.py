"""A range of progress for the demo commune, recorded through the progress module like
any other: some people finished courses, some are midway, some failed a quiz."""

import hashlib
import random
import uuid
from datetime import timedelta

from .accounts.models import Account, Person
from .content.catalog import catalog
from .extensions import db
from .learning.grading import display_order, right_answer
from .learning.progress import record_events
from .models_common import utcnow


def _event_id(*parts) -> str:
    """The same demo event gets the same id every time, so loading twice adds nothing."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _wrong_answers(step):
    question = step.question
    if question.kind == "order":
        return display_order(question, "demo")
    wrong = [i for i in range(len(question.options)) if i not in question.correct_indexes]
    if question.kind == "multiple":
        return wrong[:1] or [0]
    return wrong[0]


def lesson_events(person: Person, course, lesson, passed: bool, finished: bool,
                  start) -> list[dict]:
    """The events of one person going through one lesson."""
    text = lesson.texts["vi"]
    events, moment = [], start
    base = {"person": person.id, "course": course.slug, "lesson": lesson.slug}
    last = len(text.steps) if finished else max(1, len(text.steps) // 2)
    answers = {}
    for step in text.steps[:last]:
        moment += timedelta(seconds=40)
        if step.question is not None:
            answer = right_answer(step.question) if passed or step.kind != "quiz" else \
                _wrong_answers(step)
            answers[str(step.number)] = answer
            events.append({**base, "id": _event_id(person.id, lesson.slug, step.number, "a"),
                           "type": "answer_submitted", "step": step.number, "answer": answer,
                           "occurred_at": moment.isoformat()})
        events.append({**base, "id": _event_id(person.id, lesson.slug, step.number, "v"),
                       "type": "step_viewed", "step": step.number, "answer": {"seconds": 40},
                       "occurred_at": moment.isoformat()})
    if finished:
        quiz = {n: a for n, a in answers.items() if text.steps[int(n) - 1].kind == "quiz"}
        events.append({**base, "id": _event_id(person.id, lesson.slug, "done"),
                       "type": "lesson_completed", "step": len(text.steps),
                       "answer": {"answers": quiz}, "occurred_at": moment.isoformat()})
    return events


# Demo members who have not opened a lesson yet (see demo_fieldwork: "no start").
NOT_STARTED = frozenset({"Sùng Thị Máy"})


def load_demo_progress(households: list) -> int:
    """Progress for every demo household member, sent by their household's account."""
    found = catalog()
    courses = found.for_track("villager")
    count = 0
    now = utcnow()
    for household in households:
        account = db.session.scalar(db.select(Account).filter_by(household_id=household.id))
        for person in household.members:
            if person.name in NOT_STARTED:
                continue
            chance = random.Random(f"demo-{person.name}")
            lessons_done = chance.choice([0, 0, 1, 2, 3, 5, 6, 8, 11])
            start = now - timedelta(days=chance.randint(1, 24))
            events = []
            flat = [(course, lesson) for course in courses for lesson in course.lessons]
            for index, (course, lesson) in enumerate(flat[:lessons_done + 1]):
                finished = index < lessons_done or chance.random() < 0.3
                passed = index < lessons_done
                events += lesson_events(person, course, lesson, passed, finished,
                                        start + timedelta(hours=index * 20))
            if events:
                result = record_events(account, events)
                count += len(result.accepted)
    return count
