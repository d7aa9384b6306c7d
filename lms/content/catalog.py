"""The loaded courses of an app, read once and shared by pages, the API and the CLI."""

import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..i18n import DEFAULT_LANGUAGE, languages
from .curriculum import read_curriculum
from .glossary import check_spellings
from .loader import read_courses
from .model import Course, Lesson, LessonText, Problem


@dataclass(frozen=True)
class Catalog:
    courses: dict[str, Course]
    problems: tuple[Problem, ...]
    # Not errors: the lessons still load (e.g. another spelling of a glossary word).
    warnings: tuple[Problem, ...] = ()

    def course(self, slug: str) -> Course | None:
        return self.courses.get(slug)

    def for_track(self, track: str) -> list[Course]:
        return [course for course in self.courses.values() if course.track == track]


def read_catalog(courses_dir: str | Path, curriculum_file: str | Path | None = None) -> Catalog:
    registry = languages()
    complete = [code for code, language in registry.items() if not language.is_draft]
    path = Path(curriculum_file or current_app.config["LMS_CURRICULUM_FILE"])
    if not path.is_file():
        return Catalog(courses={}, problems=(Problem(str(path), 0, _(
            "The curriculum file does not exist (LMS_CURRICULUM_FILE)."),),))
    courses, problems = read_courses(Path(courses_dir), list(registry), complete,
                                     read_curriculum(path))
    glossary_problems, warnings = check_spellings(
        Path(courses_dir), Path(current_app.config["LMS_TRANSLATIONS_DIR"]),
        [code for code in registry if code != DEFAULT_LANGUAGE])
    return Catalog(courses=courses, problems=tuple(problems + glossary_problems),
                   warnings=tuple(warnings))


# How often a worker asks the database whether the courses were loaded again.
RELOAD_CHECK_SECONDS = 30


def _loaded_again() -> bool:
    """True when `courses load` (or the admin's reload) ran after this worker read its
    catalog: every worker then reads the files again, not only the one that loaded."""
    extensions = current_app.extensions
    now = time.monotonic()
    if now - extensions.get("lms_catalog_checked", 0.0) < RELOAD_CHECK_SECONDS:
        return False
    known = extensions.get("lms_catalog_loaded_at")
    latest = remember_load_time()
    return latest is not None and latest != known


def remember_load_time():
    """Note when the courses were last loaded, as the catalog being read now."""
    from ..extensions import db
    from .models import LessonIndex

    current_app.extensions["lms_catalog_checked"] = time.monotonic()
    try:
        latest = db.session.scalar(select(func.max(LessonIndex.loaded_at)))
    except SQLAlchemyError:
        db.session.rollback()
        latest = None
    current_app.extensions["lms_catalog_loaded_at"] = latest
    return latest


def catalog() -> Catalog:
    """The app's catalog, read on first use. A course with problems is left out and the
    problems are logged; `flask courses check` shows them."""
    found = current_app.extensions.get("lms_catalog")
    if found is not None and _loaded_again():
        found = None
    if found is None:
        remember_load_time()
        found = read_catalog(current_app.config["LMS_COURSES_DIR"])
        for problem in found.problems:
            current_app.logger.error("course problem: %s", problem)
        current_app.extensions["lms_catalog"] = found
    return found


def localized(texts: dict[str, str], language: str) -> tuple[str, bool]:
    """The text in `language`, else Vietnamese; the flag says it fell back."""
    if language in texts:
        return texts[language], False
    return texts.get(DEFAULT_LANGUAGE, ""), language != DEFAULT_LANGUAGE


# A feature may lay saved text over the files' (the translation workbench): a callable
# (lesson, language) -> LessonText | None kept in app.extensions under this name.
LESSON_OVERLAY = "lms_lesson_overlay"


def lesson_text(lesson: Lesson, language: str) -> tuple[LessonText, bool]:
    """The lesson in `language`, else in Vietnamese (never English); the flag says so."""
    overlay = current_app.extensions.get(LESSON_OVERLAY)
    if overlay is not None and language != DEFAULT_LANGUAGE:
        found = overlay(lesson, language)
        if found is not None:
            return found, False
    if language in lesson.texts:
        return lesson.texts[language], False
    return lesson.texts[DEFAULT_LANGUAGE], True
