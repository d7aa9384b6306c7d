"""The loaded courses of an app, read once and shared by pages, the API and the CLI."""

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..i18n import DEFAULT_LANGUAGE, languages
from .curriculum import read_curriculum
from .loader import read_courses
from .model import Course, Lesson, LessonText, Problem


@dataclass(frozen=True)
class Catalog:
    courses: dict[str, Course]
    problems: tuple[Problem, ...]

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
    return Catalog(courses=courses, problems=tuple(problems))


def catalog() -> Catalog:
    """The app's catalog, read on first use. A course with problems is left out and the
    problems are logged; `flask courses check` shows them."""
    found = current_app.extensions.get("lms_catalog")
    if found is None:
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


def lesson_text(lesson: Lesson, language: str) -> tuple[LessonText, bool]:
    """The lesson in `language`, else in Vietnamese (never English); the flag says so."""
    if language in lesson.texts:
        return lesson.texts[language], False
    return lesson.texts[DEFAULT_LANGUAGE], True
