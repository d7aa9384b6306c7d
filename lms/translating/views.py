"""The translation workbench: one lesson part or interface string at a time, beside the
Vietnamese and English, saved as a draft or (by a reviewer) marked reviewed.

A saved piece reaches learners at their next page on every worker: each request compares
the newest saved row's id with the one its worker's copy was read at (pieces.saved)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from .. import audit
from ..accounts.models import Role
from ..auth import access
from ..content.catalog import catalog, localized
from ..content.model import CARD
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE, languages
from . import pieces
from .compose import clean_fields
from .interface import file_strings, interface_strings
from .models import INTERFACE, LESSON, REVIEWED
from .operations import Refused, check_interface, grant_of, grants_of, save_piece

bp = Blueprint("translating", __name__, url_prefix="/translate", template_folder="templates")
STAFF = (Role.AMBASSADOR.value, Role.OFFICIAL.value, Role.ADMIN.value)


class PieceForm(FlaskForm):
    """Only the CSRF token: the fields depend on the piece and are checked by
    compose.clean_fields / operations.check_interface."""


def _grant_or_404(language: str):
    found = grant_of(current_user, language) if language in pieces.community_languages() \
        else None
    if found is None:
        audit.record_refusal("access.refused", "translation", 0,
                             {"path": request.path[:200], "method": request.method})
        abort(404)
    return found


def _lesson_or_404(course_slug: str, lesson_slug: str, part: str):
    course = catalog().course(course_slug)
    lesson = course.lesson(lesson_slug) if course else None
    if lesson is None or not pieces.PART.match(part) or part not in pieces.parts_of(lesson):
        abort(404)
    return course, lesson


@bp.route("")
@access(*STAFF)
def index():
    grants = grants_of(current_user)
    found = catalog()
    overview = []
    for grant in grants:
        saved = pieces.current_rows(grant.language, LESSON)
        courses = []
        for course in found.courses.values():
            lessons = []
            for lesson in course.lessons:
                rows = [row for key, row in saved.items()
                        if key[2] == course.slug and key[3] == lesson.slug]
                text = lesson.texts.get(grant.language)
                lessons.append({
                    "lesson": lesson, "title": localized(
                        {k: t.title for k, t in lesson.texts.items()}, DEFAULT_LANGUAGE)[0],
                    "parts": len(pieces.parts_of(lesson)), "saved": len(rows),
                    "reviewed": sum(1 for row in rows if row.status == REVIEWED),
                    "file": text.status if text else None})
            courses.append({"course": course, "title": localized(course.titles,
                                                                  DEFAULT_LANGUAGE)[0],
                            "lessons": lessons})
        overview.append({"grant": grant, "language": languages()[grant.language],
                         "courses": courses})
    return render_template("translating/index.html", overview=overview)


def _lesson_context(language, course, lesson, part):
    reference_text = lesson.texts[DEFAULT_LANGUAGE]
    english = lesson.texts.get("en")
    number = None if part == pieces.TITLE else int(part)
    reference = reference_text.steps[number - 1] if number else None
    on_disk = pieces.file_pieces(course.slug, language, lesson).get(part)
    current = pieces.current_rows(language, LESSON, course.slug, lesson.slug).get(
        (language, LESSON, course.slug, lesson.slug, part))
    parts = pieces.parts_of(lesson)
    index = parts.index(part)
    own = lesson.texts.get(language)
    if current is not None:
        state = current.status
    elif on_disk is not None:
        state = "file-reviewed" if own.part_reviewed(number or pieces.TITLE) else "file-draft"
    else:
        state = "missing"
    return {
        "course": course, "lesson": lesson, "part": part, "number": number,
        "reference": reference, "reference_title": reference_text.title,
        "english": (english.steps[number - 1] if number else None) if english else None,
        "english_title": english.title if english else None,
        "fields": (current.text if current else on_disk) or {},
        "current": current, "state": state, "is_card": reference is None or
        reference.kind == CARD,
        "previous": parts[index - 1] if index > 0 else None,
        "following": parts[index + 1] if index + 1 < len(parts) else None,
        "total": len(parts) - 1,
        "history": pieces.history(language, LESSON, course.slug, lesson.slug, part),
    }


def _posted_fields() -> dict:
    options = []
    for index in range(1, 8):
        if f"option-{index}-text" in request.form:
            options.append({"text": request.form.get(f"option-{index}-text", ""),
                            "feedback": request.form.get(f"option-{index}-feedback", "")})
    return {"title": request.form.get("title", ""), "body": request.form.get("body", ""),
            "alt": request.form.get("alt", ""), "prompt": request.form.get("prompt", ""),
            "feedback": request.form.get("feedback", ""), "options": options}


@bp.route("/<language>/<course_slug>/<lesson_slug>/<part>", methods=["GET", "POST"])
@access(*STAFF)
def lesson_part(language: str, course_slug: str, lesson_slug: str, part: str):
    grant = _grant_or_404(language)
    course, lesson = _lesson_or_404(course_slug, lesson_slug, part)
    context = _lesson_context(language, course, lesson, part)
    form = PieceForm()
    errors: list[str] = []
    if request.method == "POST":
        raw = _posted_fields()
        fields, errors = clean_fields(context["reference"], raw)
        if not form.validate_on_submit():
            errors = [_("The form had expired. Your text is still here: save it again.")]
        if not errors:
            try:
                save_piece(current_user, grant, LESSON, course.slug, lesson.slug, part, fields,
                           request.form.get("action") == "review", context["current"])
            except Refused as refusal:
                db.session.rollback()
                errors = [str(refusal)]
        if not errors:
            db.session.commit()
            flash(_("Marked reviewed.") if request.form.get("action") == "review"
                  else _("Saved as a draft."), "info")
            following = context["following"] or part
            return redirect(url_for("translating.lesson_part", language=language,
                                    course_slug=course.slug, lesson_slug=lesson.slug,
                                    part=following))
        context["fields"] = raw
    return render_template("translating/lesson_part.html", grant=grant, form=form,
                           language=languages()[language], errors=errors,
                           **context), 400 if errors else 200


def _string_or_404(number: int):
    strings = interface_strings()
    if not 1 <= number <= len(strings):
        abort(404)
    return strings, strings[number - 1]


@bp.route("/<language>/interface/<int:number>", methods=["GET", "POST"])
@access(*STAFF)
def interface_string(language: str, number: int):
    grant = _grant_or_404(language)
    strings, found = _string_or_404(number)
    key = (language, INTERFACE, "", "", found.msgid)
    current = pieces.current_rows(language, INTERFACE).get(key)
    on_disk = file_strings(language).get(found.msgid)
    form = PieceForm()
    errors: list[str] = []
    value = current.text.get("text", "") if current else (on_disk[0] if on_disk else "")
    if request.method == "POST":
        value = request.form.get("text", "")
        try:
            if not form.validate_on_submit():
                raise Refused(_("The form had expired. Your text is still here: save it "
                                "again."))
            cleaned = check_interface(found.msgid, value)
            save_piece(current_user, grant, INTERFACE, "", "", found.msgid, {"text": cleaned},
                       request.form.get("action") == "review", current)
        except Refused as refusal:
            db.session.rollback()
            errors = [str(refusal)]
        else:
            db.session.commit()
            flash(_("Marked reviewed.") if request.form.get("action") == "review"
                  else _("Saved as a draft."), "info")
            return redirect(url_for("translating.interface_string", language=language,
                                    number=min(number + 1, len(strings))))
    if current is not None:
        state = current.status
    elif on_disk is not None:
        state = "file-reviewed" if on_disk[1] else "file-draft"
    else:
        state = "missing"
    done = set(file_strings(language)) | {k[4] for k in pieces.current_rows(language,
                                                                            INTERFACE)}
    untranslated = next((s.number for s in strings[number:] if s.msgid not in done), None)
    return render_template(
        "translating/interface_string.html", grant=grant, form=form, errors=errors,
        language=languages()[language], string=found, total=len(strings), value=value,
        vietnamese=_catalog_text("vi", found.msgid), english=_catalog_text("en", found.msgid),
        current=current, state=state, untranslated=untranslated,
        history=pieces.history(language, INTERFACE, "", "", found.msgid),
    ), 400 if errors else 200


def _catalog_text(language: str, msgid: str) -> str:
    found = file_strings(language).get(msgid)
    return found[0] if found else msgid
