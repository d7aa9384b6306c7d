"""Learner pages: home, course, the lesson player, results and certificates.

Every page works with JavaScript off: answers and "next" are form posts that redirect.
Every answer and step view goes through `progress.record_events`, like the sync API.
"""

import re
import time
from pathlib import Path

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..accounts.models import Person, Role
from ..auth import PUBLIC, access, active_person
from ..content.catalog import catalog, lesson_text, localized
from ..content.model import MULTIPLE, ORDER, QUIZ
from ..i18n import current_language
from ..models_common import utcnow
from ..narration import operations as narration
from . import queries
from .grading import display_order, needed_right
from .models import EventType, Status
from .progress import new_event_id, record_events

bp = Blueprint("learning", __name__, template_folder="templates")
LEARNERS = (Role.LEARNER.value, Role.AMBASSADOR.value)
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9]+)?$")
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _person_or_picker():
    person = active_person()
    if person is None:
        if current_user.is_household_login:
            abort(redirect(url_for("accounts.pick_person", next=request.path)))
        abort(404)
    return person


def _course_and_lesson(course_slug: str, lesson_slug: str | None = None):
    course = queries.visible_course(current_user, course_slug)
    if course is None:
        abort(404)
    if lesson_slug is None:
        return course, None
    lesson = course.lesson(lesson_slug)
    if lesson is None:
        abort(404)
    return course, lesson


@bp.route("/learn")
@access(*LEARNERS)
def home():
    person = _person_or_picker()
    courses = queries.course_progress(person.id, current_user)
    resume = queries.continue_lesson(person.id)
    resume_course = catalog().course(resume.course) if resume else None
    resume_lesson = resume_course.lesson(resume.lesson) if resume_course else None
    return render_template("learning/home.html", person=person, courses=courses,
                           resume=resume, resume_course=resume_course,
                           resume_lesson=resume_lesson)


@bp.route("/learn/<course_slug>")
@access(*LEARNERS)
def course(course_slug: str):
    person = _person_or_picker()
    found, _lesson = _course_and_lesson(course_slug)
    progress = next(p for p in queries.course_progress(person.id, current_user)
                    if p.course.slug == found.slug)
    certificate = queries.certificate_of(person.id, found.slug)
    return render_template("learning/course.html", person=person, progress=progress,
                           course=found, certificate=certificate)


@bp.route("/learn/<course_slug>/<lesson_slug>")
@access(*LEARNERS)
def lesson(course_slug: str, lesson_slug: str):
    """Open a lesson where the learner left it, on whichever device."""
    person = _person_or_picker()
    found, chosen = _course_and_lesson(course_slug, lesson_slug)
    row = queries.summary(person.id, found.slug, chosen.slug)
    step = 1
    if row is not None and row.status != Status.COMPLETED:
        step = min(row.last_step + 1, chosen.step_count) if row.last_step else 1
    return redirect(url_for("learning.step", course_slug=found.slug, lesson_slug=chosen.slug,
                            number=step))


def _record(person: Person, course_slug: str, lesson_slug: str, number: int,
            kind: EventType, answer=None) -> dict:
    result = record_events(current_user, [{
        "id": new_event_id(), "person": person.id, "type": kind.value, "course": course_slug,
        "lesson": lesson_slug, "step": number, "answer": answer,
        "occurred_at": utcnow().isoformat(),
    }])
    return result.as_json()


def _answer_from_form(question) -> object:
    """The posted form as an answer in the API's form (option numbers)."""
    try:
        if question.kind == MULTIPLE:
            return sorted(int(value) for value in request.form.getlist("choice"))
        if question.kind == ORDER:
            return [int(request.form.get(f"position-{place}", ""))
                    for place in range(len(question.options))]
        return int(request.form.get("choice", ""))
    except ValueError:
        return None


@bp.route("/learn/<course_slug>/<lesson_slug>/<int:number>", methods=["GET", "POST"])
@access(*LEARNERS)
def step(course_slug: str, lesson_slug: str, number: int):
    person = _person_or_picker()
    found, chosen = _course_and_lesson(course_slug, lesson_slug)
    language = current_language().code
    text, fell_back = lesson_text(chosen, language)
    if not 1 <= number <= len(text.steps):
        abort(404)
    current = text.steps[number - 1]
    here = url_for("learning.step", course_slug=found.slug, lesson_slug=chosen.slug,
                   number=number)
    if request.method == "POST":
        if request.form.get("action") == "answer" and current.question is not None:
            answer = _answer_from_form(current.question)
            outcome = _record(person, found.slug, chosen.slug, number,
                              EventType.ANSWER_SUBMITTED, answer)
            if outcome["rejected"]:
                error = (_("Fill every place, and use each step only once.")
                         if current.question.kind == ORDER else _("Choose an answer first."))
                return _render_step(found, chosen, text, current, person, fell_back,
                                    error=error, status=400)
            return redirect(here + "?feedback=1#feedback")
        shown_at = request.form.get("shown_at", "")
        seconds = (int(time.time()) - int(shown_at)
                   if shown_at.isascii() and shown_at.isdigit() and len(shown_at) < 16 else 0)
        _record(person, found.slug, chosen.slug, number, EventType.STEP_VIEWED,
                {"seconds": max(0, seconds)})
        if number < len(text.steps):
            return redirect(url_for("learning.step", course_slug=found.slug,
                                    lesson_slug=chosen.slug, number=number + 1))
        return _finish_attempt(person, found, chosen)
    return _render_step(found, chosen, text, current, person, fell_back)


def _render_step(course, lesson, text, current, person, fell_back, error=None, status=200):
    answered = None
    if current.question is not None and request.args.get("feedback"):
        answered = queries.latest_answer(person.id, course.slug, lesson.slug, current.number)
    order = display_order(current.question, f"{course.slug}/{lesson.slug}/{current.number}") \
        if current.question else []
    course_title, _title_fell_back = localized(course.titles, current_language().code)
    audio_url, option_audio = _recordings(course, lesson, text, current)
    page = render_template(
        "learning/step.html", course=course, course_title=course_title, lesson=lesson,
        text=text, step=current, total=len(text.steps), fell_back=fell_back,
        answered=answered, order=order, error=error, shown_at=int(time.time()),
        needed=needed_right(len(lesson.texts["vi"].quiz_steps), course.mastery),
        audio_url=audio_url, option_audio=option_audio,
        offline_text=_offline_text(),
    )
    return page, status


def _offline_text() -> dict[str, str]:
    """The words the page's script needs when it grades and answers without a connection."""
    return {
        "right": _("Right!"), "wrong": _("Not quite."), "correct": _("Right answer"),
        "yours": _("Your answer"),
        "done": _("Lesson done!"), "almost": _("Almost there"),
        "score": _("You answered %(right)s of %(total)s questions right."),
        "rule": _("To finish the lesson, you need at least %(needed)s right answers out of "
                  "%(total)s."),
        "later": _("Saved on this phone. It will be sent when the connection returns."),
        "notSaved": _("This course is not saved on this phone. Connect to the internet and "
                      "try again."),
        "waiting": _("%(count)s lessons waiting to be sent. They will be sent when the "
                     "connection returns."),
    }


def learning_person() -> Person | None:
    """Who the page's offline queue records for: only roles that take lessons."""
    if current_user.is_authenticated and current_user.role.value in LEARNERS:
        return active_person()
    return None


@bp.app_context_processor
def learner_context() -> dict:
    return {"learning_person": learning_person}


def _recordings(course, lesson, text, current) -> tuple[str | None, list[str | None]]:
    """What Listen plays: a published community recording first, else the course's own
    file; where neither exists the page's script lets the phone's voice read the text."""
    published = narration.published_recordings(course.slug, lesson.slug, text)

    def url(option: int | None, name: str | None) -> str | None:
        found = published.get((current.number, option))
        return narration.recording_url(found) if found else _audio_url(
            course, text.language, name)

    options = current.question.options if current.question else ()
    files = current.option_audio or (None,) * len(options)
    return url(None, current.audio), [url(index, files[index] if index < len(files) else None)
                                      for index in range(len(options))]


def _audio_url(course, language: str, name: str | None) -> str | None:
    if not name:
        return None
    return url_for("learning.course_file", course_slug=course.slug,
                   path=f"audio/{language}/{name}", v=course.version)


def _finish_attempt(person: Person, found, chosen):
    """End a quiz attempt: the server grades it on the answers it logged for the attempt,
    those given on these pages and those that arrived from the phone's offline queue."""
    _record(person, found.slug, chosen.slug, chosen.step_count, EventType.LESSON_COMPLETED,
            {"answers": {}})
    return redirect(url_for("learning.result", course_slug=found.slug,
                            lesson_slug=chosen.slug))


@bp.route("/learn/<course_slug>/<lesson_slug>/result")
@access(*LEARNERS)
def result(course_slug: str, lesson_slug: str):
    person = _person_or_picker()
    found, chosen = _course_and_lesson(course_slug, lesson_slug)
    attempt = queries.last_attempt(person.id, found.slug, chosen.slug)
    if attempt is None:
        return redirect(url_for("learning.lesson", course_slug=found.slug,
                                lesson_slug=chosen.slug))
    text, fell_back = lesson_text(chosen, current_language().code)
    first_quiz = next(s.number for s in text.steps if s.kind == QUIZ)
    following = found.lessons[chosen.position] if chosen.position < len(found.lessons) else None
    total = len(text.quiz_steps)
    return render_template("learning/result.html", course=found, lesson=chosen, text=text,
                           attempt=attempt, first_quiz=first_quiz, following=following,
                           total=total, right=round((attempt.score or 0) * total),
                           needed=needed_right(total, attempt.mastery or found.mastery))


@bp.route("/certificates/<course_slug>")
@access(*LEARNERS)
def certificate(course_slug: str):
    person = _person_or_picker()
    found, _lesson = _course_and_lesson(course_slug)
    issued = queries.certificate_of(person.id, found.slug)
    if issued is None:
        abort(404)
    return render_template("learning/certificate.html", certificate=issued, course=found,
                           person=person, qr=_qr_svg(url_for("learning.verify",
                                                             code=issued.code, _external=True)))


def _qr_svg(data: str) -> Markup:
    import segno

    svg = segno.make(data, error="m").svg_inline(scale=4, dark="#14181f", omitsize=False)
    return Markup(svg)  # noqa: S704 (generated by segno from our own URL)


@bp.route("/verify/<code>")
@access(PUBLIC)
def verify(code: str):
    """Public check of a certificate: first name, course and date only."""
    issued = queries.certificate_by_code(code[:24])
    course = catalog().course(issued.course) if issued else None
    if issued is None or course is None:
        abort(404)
    return render_template("learning/verify.html", certificate=issued, course=course)


@bp.route("/content/<course_slug>/<path:path>")
@access(PUBLIC)
def course_file(course_slug: str, path: str):
    """Pictures and recordings of a course; long-cached, the URL carries a version."""
    from flask import current_app, send_from_directory

    found = catalog().course(course_slug)
    folder, _sep, name = path.partition("/")
    parts = name.split("/")
    if (found is None or folder not in ("images", "audio")
            or not all(SAFE_NAME.match(part) for part in parts)
            or len(parts) != (1 if folder == "images" else 2)):
        abort(404)
    response = send_from_directory(
        Path(current_app.config["LMS_COURSES_DIR"]) / found.slug / folder, name,
        max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if name.endswith(".svg"):
        # A picture is never a document that can run script, even opened on its own.
        response.headers["Content-Security-Policy"] = SVG_POLICY
    return response
