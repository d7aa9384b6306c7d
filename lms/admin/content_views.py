"""Course content and translation coverage for the admin: what is loaded, a check of the
files on disk, and a reload that happens only after the check passes."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..accounts.models import Role
from ..auth import access
from ..content.catalog import catalog, localized, read_catalog, remember_load_time
from ..content.coverage import translation_coverage
from ..content.operations import store_lesson_index
from ..extensions import db
from ..narration.operations import pending_counts, published_counts
from .forms import ConfirmForm

bp = Blueprint("admin_content", __name__, url_prefix="/admin")
ADMIN = Role.ADMIN.value


def _courses(found) -> list[dict]:
    language = current_user.locale or "vi"
    return [{"slug": course.slug, "title": localized(course.titles, language)[0],
             "track": course.track, "version": course.version, "lessons": len(course.lessons)}
            for course in found.courses.values()]


def _page(checked=None, status: int = 200):
    loaded = catalog()
    return render_template("admin/content.html", loaded=_courses(loaded),
                           loaded_problems=loaded.problems, checked=checked,
                           checked_courses=_courses(checked) if checked else [],
                           confirm=ConfirmForm()), status


@bp.route("/content")
@access(ADMIN)
def content():
    return _page()


@bp.route("/content/check", methods=["POST"])
@access(ADMIN)
def check():
    if not ConfirmForm().validate_on_submit():
        return _page(status=400)
    found = read_catalog(current_app.config["LMS_COURSES_DIR"])
    return _page(found, 200 if not found.problems else 400)


@bp.route("/content/load", methods=["POST"])
@access(ADMIN)
def load():
    """Check again and load; with any problem nothing changes."""
    if not ConfirmForm().validate_on_submit():
        return _page(status=400)
    found = read_catalog(current_app.config["LMS_COURSES_DIR"])
    if found.problems:
        return _page(found, 400)
    lessons = store_lesson_index(found)
    current_app.extensions["lms_catalog"] = found
    remember_load_time()
    audit.record("courses.loaded", "content", 0, {
        "courses": {course.slug: course.version for course in found.courses.values()}})
    db.session.commit()
    flash(_("Loaded %(courses)s courses with %(lessons)s lessons.",
            courses=len(found.courses), lessons=lessons), "info")
    return redirect(url_for("admin_content.content"))


@bp.route("/translations")
@access(ADMIN)
def translations():
    found = catalog()
    return render_template("admin/translations.html", coverage=translation_coverage(found),
                           titles={c["slug"]: c["title"] for c in _courses(found)},
                           recordings=published_counts(), waiting=pending_counts())
