"""Walking through lessons as a learner would, through the pages or the API."""

import uuid
from datetime import UTC, datetime

from lms.content.catalog import catalog
from lms.learning.grading import right_answer  # noqa: F401 (the tests import it from here)

from .conftest import csrf_from


def lesson_of(course: str = "public-services", index: int = 0):
    found = catalog().course(course)
    return found, found.lessons[index]


def wrong_answer(question):
    if question.kind == "order":
        return list(reversed(range(len(question.options))))
    wrong = [i for i in range(len(question.options)) if i not in question.correct_indexes]
    return wrong[:1] if question.kind == "multiple" else wrong[0]


def form_for(question, answer) -> dict:
    if question.kind == "order":
        return {f"position-{place}": str(index) for place, index in enumerate(answer)}
    if question.kind == "multiple":
        return {"choice": [str(i) for i in answer]}
    return {"choice": str(answer)}


def walk_lesson(client, course, lesson, right: bool = True, quiz_right: bool | None = None,
                wrong_steps: frozenset[int] = frozenset()):
    """Go through every step with the page's own forms (the steps in `wrong_steps` answered
    wrong); returns the last response."""
    quiz_right = right if quiz_right is None else quiz_right
    base = f"/learn/{course.slug}/{lesson.slug}"
    token = csrf_from(client, base + "/1")
    response = None
    for step in lesson.texts["vi"].steps:
        url = f"{base}/{step.number}"
        if step.question is not None:
            good = (quiz_right if step.kind == "quiz" else right) \
                and step.number not in wrong_steps
            answer = right_answer(step.question) if good else wrong_answer(step.question)
            response = client.post(url, data={"csrf_token": token, "action": "answer",
                                              **form_for(step.question, answer)})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        response = client.post(url, data={"csrf_token": token, "action": "next"},
                               follow_redirects=True)
        assert response.status_code == 200, (response.status_code, response.request.path)
    return response


def event(person_id: int, course: str, lesson: str, step: int, kind: str = "step_viewed",
          answer=None, occurred_at: str | None = None, event_id: str | None = None) -> dict:
    return {"id": event_id or str(uuid.uuid4()), "person": person_id, "type": kind,
            "course": course, "lesson": lesson, "step": step, "answer": answer,
            "occurred_at": occurred_at or datetime.now(UTC).isoformat()}


def post_events(client, events, token: str | None = None):
    token = token or csrf_from(client, "/learn")
    return client.post("/api/v1/progress/events", json={"events": events},
                       headers={"X-CSRFToken": token})
