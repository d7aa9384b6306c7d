from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.models import Account, Person
from ..auth import PUBLIC, SIGNED_IN, access, recordable_people
from ..content.catalog import lesson_text, localized
from ..extensions import db
from ..i18n import current_language
from ..learning.progress import MAX_BATCH, record_events
from ..learning.queries import visible_course, visible_courses
from ..places.models import Commune
from . import bp


@bp.route("/health")
@access(PUBLIC)
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def account_commune(account: Account) -> Commune | None:
    if account.commune is not None:
        return account.commune
    household = account.household or (account.person.household if account.person else None)
    return household.village.commune if household else None


@bp.route("/me")
@access(SIGNED_IN)
def me():
    account = current_user
    people = db.session.scalars(recordable_people(account).order_by(Person.id)).all()
    commune = account_commune(account)
    return jsonify({
        "account": {
            "id": account.id,
            "name": account.name,
            "role": account.role.value,
            "commune": {"id": commune.id, "name": commune.name} if commune else None,
        },
        "people": [{"id": p.id, "name": p.name} for p in people],
    })


def _lesson_outline(lesson, language: str) -> dict:
    text, _fell_back = lesson_text(lesson, language)
    return {"slug": lesson.slug, "title": text.title, "steps": len(text.steps)}


def _visible_course(slug: str):
    course = visible_course(current_user, slug)
    if course is None:
        abort(404)
    return course


@bp.route("/courses")
@access(SIGNED_IN)
def courses():
    language = current_language().code
    found = visible_courses(current_user)
    return jsonify([{
        "slug": course.slug,
        "title": localized(course.titles, language)[0],
        "lessons": [_lesson_outline(lesson, language) for lesson in course.lessons],
    } for course in found])


def _picture(course, picture) -> dict | None:
    if picture is None:
        return None
    return {"url": url_for("learning.course_file", course_slug=course.slug,
                           path=f"images/{picture.file}", v=course.images[picture.file]),
            "alt": picture.alt}


def _step_json(course, step) -> dict:
    data = {"number": step.number, "kind": step.kind, "title": step.title,
            "html": str(step.html), "text": step.text, "picture": _picture(course, step.picture)}
    if step.question is not None:
        question = step.question
        data["question"] = {
            "kind": question.kind, "prompt": question.prompt, "feedback": question.feedback,
            "options": [{"text": option.text, "correct": option.correct,
                         "feedback": option.feedback,
                         "picture": _picture(course, option.picture)}
                        for option in question.options],
        }
    return data


@bp.route("/courses/<slug>")
@access(SIGNED_IN)
def course_detail(slug: str):
    """The whole course in the current language (Vietnamese where a lesson is missing),
    with the answers, so that a phone can run it offline; the server re-grades on sync."""
    course = _visible_course(slug)
    language = current_language().code
    lessons = []
    for lesson in course.lessons:
        text, fell_back = lesson_text(lesson, language)
        lessons.append({"slug": lesson.slug, "title": text.title, "language": text.language,
                        "fallback": fell_back, "status": text.status, "minutes": text.minutes,
                        "steps": [_step_json(course, step) for step in text.steps]})
    return jsonify({"slug": course.slug, "version": course.version, "mastery": course.mastery,
                    "title": localized(course.titles, language)[0], "lessons": lessons})


@bp.route("/progress/events", methods=["POST"])
@access(SIGNED_IN)
def progress_events():
    body = request.get_json(silent=True)
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        return _bad_request(_('The body must be {"events": [...]}.'))
    if len(events) > MAX_BATCH:
        return _bad_request(_("At most %(count)s events at once.", count=MAX_BATCH))
    return jsonify(record_events(current_user, events).as_json())


def _bad_request(message: str):
    return jsonify({"error": message, "status": 400}), 400
