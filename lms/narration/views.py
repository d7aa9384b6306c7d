"""Narration pages: a narrator records a lesson's steps and quiz options in their
languages; a reviewer listens and publishes or sends back; the recordings are served.

Recording needs JavaScript (MediaRecorder); everything else works without it. Outside
the caller's languages a page is 404, as if it did not exist.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Role
from ..auth import PUBLIC, _refused, access
from ..content.catalog import catalog, localized
from ..extensions import db
from ..i18n import languages
from ..security import content_security_policy, csp_nonce
from ..uploads import MEGABYTE, upload_limit
from . import operations as ops
from .audio import MIMETYPES
from .forms import ReviewForm
from .models import PUBLISHED, Recording

bp = Blueprint("narration", __name__, url_prefix="/narration", template_folder="templates")
STAFF = (Role.AMBASSADOR.value, Role.OFFICIAL.value, Role.ADMIN.value)


@bp.app_context_processor
def narration_context() -> dict:
    """The account menu links to narration for those with a language grant."""
    return {"may_narrate_any": lambda: bool(ops.grants(current_user))}


def _language_or_404(code: str) -> str:
    if code not in languages() or not ops.may_narrate(current_user, code):
        _refused("narration_language", 0)
        abort(404)
    return code


def _lesson_or_404(course_slug: str, lesson_slug: str, language: str):
    course = catalog().course(course_slug)
    lesson = course.lesson(lesson_slug) if course else None
    if lesson is None or language not in lesson.texts:
        abort(404)
    return course, lesson, lesson.texts[language]


def _title(course) -> str:
    return localized(course.titles, current_user.locale or "vi")[0]


@bp.route("")
@access(*STAFF)
def home():
    granted = ops.grants(current_user)
    if not granted:
        abort(404)
    found = catalog()
    mine = {}
    for row in db.session.scalars(select(Recording).where(
            Recording.narrator_id == current_user.id)):
        mine.setdefault((row.language, row.course, row.lesson), []).append(row)
    sections = []
    for code in granted:
        if code not in languages():
            continue
        courses = []
        for course in found.courses.values():
            lessons = [(lesson, lesson.texts[code], mine.get((code, course.slug, lesson.slug), []))
                       for lesson in course.lessons if code in lesson.texts]
            if lessons:
                courses.append((course, _title(course), lessons))
        sections.append((languages()[code], granted[code], courses))
    return render_template("narration/home.html", sections=sections,
                           waiting=len(ops.reviewable(current_user)))


@bp.route("/<language>/<course_slug>/<lesson_slug>/<int:number>")
@access(*STAFF)
def record(language: str, course_slug: str, lesson_slug: str, number: int):
    language = _language_or_404(language)
    course, lesson, text = _lesson_or_404(course_slug, lesson_slug, language)
    if not 1 <= number <= len(text.steps):
        abort(404)
    items = ops.step_items(text, number)
    published = ops.published_recordings(course.slug, lesson.slug, text)
    mine = db.session.scalars(select(Recording).where(
        Recording.narrator_id == current_user.id, Recording.course == course.slug,
        Recording.lesson == lesson.slug, Recording.language == language,
        Recording.step == number).order_by(Recording.created_at.desc())).all()
    page = render_template(
        "narration/record.html", language=languages()[language], course=course,
        course_title=_title(course), lesson=lesson, text=text, step=text.steps[number - 1],
        number=number, total=len(text.steps), items=items, published=published,
        mine={item.option: [r for r in mine if r.option == item.option] for item in items},
        max_seconds=current_app.config["LMS_NARRATION_MAX_SECONDS"],
        reasons=ops.REJECT_REASONS, labels=ops.STATUS_LABELS, url_of=ops.recording_url)
    response = current_app.make_response(page)
    # What was just recorded plays back from the phone's memory (a blob: URL).
    response.headers["Content-Security-Policy"] = content_security_policy(
        csp_nonce(), media="'self' blob:")
    return response


def _refuse(message: str, status: int = 400):
    return jsonify({"error": message}), status


@bp.route("/<language>/<course_slug>/<lesson_slug>/<int:number>", methods=["POST"])
@access(*STAFF)
@upload_limit(4 * MEGABYTE)
def upload(language: str, course_slug: str, lesson_slug: str, number: int):
    """One recording, sent by the page's script: answers JSON either way."""
    if language not in languages() or not ops.may_narrate(current_user, language):
        _refused("narration_language", 0)
        return _refuse(_("You may not record in this language."), 404)
    course = catalog().course(course_slug)
    lesson = course.lesson(lesson_slug) if course else None
    if lesson is None or language not in lesson.texts:
        return _refuse(_("This lesson does not exist in this language."), 404)
    text = lesson.texts[language]
    if not 1 <= number <= len(text.steps):
        return _refuse(_("This step does not exist."), 404)
    option = request.form.get("option", "")
    items = {("" if item.option is None else str(item.option)): item
             for item in ops.step_items(text, number)}
    if option not in items:
        return _refuse(_("This answer does not exist in the step."))
    upload = request.files.get("audio")
    if upload is None:
        return _refuse(_("The recording did not arrive. Send it again."))
    data = upload.read(current_app.config["LMS_NARRATION_MAX_BYTES"] + 1)
    try:
        recording = ops.keep_recording(current_user, course, lesson, language, items[option],
                                       data, upload.mimetype)
    except ops.NarrationError as error:
        db.session.rollback()
        return _refuse(str(error))
    db.session.commit()
    return jsonify({"id": recording.id, "status": recording.status,
                    "message": _("Sent. A reviewer will listen to it before learners hear it.")})


@bp.route("/review")
@access(*STAFF)
def review():
    if not any(ops.grants(current_user).values()):
        abort(404)
    return _review_page()


def _review_page(status: int = 200, forms: dict | None = None):
    waiting = ops.reviewable(current_user)
    found = catalog()
    rows = []
    for recording in waiting:
        course = found.course(recording.course)
        lesson = course.lesson(recording.lesson) if course else None
        text = lesson.texts.get(recording.language) if lesson else None
        item = None
        if text and recording.step <= len(text.steps):
            item = next((i for i in ops.step_items(text, recording.step)
                         if i.option == recording.option), None)
        current = item is not None and item.text_sha == recording.text_sha
        form = (forms or {}).get(recording.id) or ReviewForm(prefix=f"r{recording.id}")
        rows.append({"recording": recording, "course_title": _title(course) if course else
                     recording.course, "item": item, "current": current, "form": form,
                     "own": recording.narrator_id == current_user.id})
    return render_template("narration/review.html", rows=rows, reasons=ops.REJECT_REASONS,
                           url_of=ops.recording_url,
                           languages=languages()), status


@bp.route("/review/<int:recording_id>", methods=["POST"])
@access(*STAFF)
def decide(recording_id: int):
    recording = db.session.get(Recording, recording_id)
    if recording is None or not ops.may_review(current_user, recording.language):
        _refused("recording", recording_id)
        abort(404)
    form = ReviewForm(prefix=f"r{recording.id}")
    if not form.validate_on_submit():
        return _review_page(400, {recording.id: form})
    publish = form.publish.data
    try:
        ops.decide(current_user, recording, publish, form.reason.data or None, form.note.data)
    except ops.NarrationError as error:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, str(error)]
        return _review_page(400, {recording.id: form})
    db.session.commit()
    flash(_("Published: learners now hear this recording.") if publish else
          _("Sent back to the narrator with the reason."), "info")
    return redirect(url_for("narration.review"))


@bp.route("/recordings/<name>")
@access(PUBLIC)
def recording_file(name: str):
    """A recording by its content hash: published ones to anyone, long-cached (the name
    never changes meaning); the others only to that language's narrators and reviewers."""
    found = ops.file_for(name)
    if found is None or not ops.may_hear(current_user, found[0]) or not found[1].is_file():
        abort(404)
    recording, path = found
    response = send_file(path, mimetype=MIMETYPES[recording.container], conditional=True,
                         etag=recording.sha256, max_age=31536000)
    if recording.status == PUBLISHED:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response
