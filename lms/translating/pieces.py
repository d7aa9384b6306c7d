"""The pieces a translator works on, one at a time: a lesson's title, each of its steps, and
each interface string; read from the repository's files and from what was saved.

A piece's text is a small dict of fields: {"title"} for a lesson title; {"title", "body",
"alt"} for a card (body in Markdown, alt the picture's description); {"title", "prompt",
"options": [{"text", "feedback"}], "feedback"} for a question.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..content.catalog import catalog
from ..content.lessons import FENCE, PICTURE
from ..content.model import CARD, Lesson, LessonText
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE, languages
from .models import INTERFACE, LESSON, REVIEWED, SavedTranslation

TITLE = "title"


def community_languages() -> list[str]:
    """The languages a grant can be for: those still marked draft in the registry."""
    return [code for code, language in languages().items()
            if language.is_draft and code != DEFAULT_LANGUAGE]


def lesson_file(course: str, language: str, lesson: Lesson) -> Path:
    return (Path(current_app.config["LMS_COURSES_DIR"]) / course / language
            / f"{lesson.position:02d}-{lesson.slug}.md")


def split_file(path: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    """A lesson file as its front matter text and its steps (heading, body lines)."""
    lines = path.read_text("utf-8").splitlines()
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    sections: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in lines[end + 1:]:
        if line.startswith(FENCE):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    return "\n".join(lines[1:end]), sections


def step_fields(title: str, body: list[str]) -> dict:
    """A step section's translatable fields."""
    text = "\n".join(body)
    if FENCE in text:
        block = text.split(FENCE, 2)[1].split("\n", 1)[1]
        data = yaml.safe_load(block) or {}
        fields = {"title": title, "prompt": str(data.get("prompt", "")),
                  "options": [{"text": str(o.get("text", "")),
                               "feedback": str(o.get("feedback", "") or "")}
                              for o in data.get("options") or []],
                  "feedback": str(data.get("feedback", "") or "")}
        return fields
    alts = PICTURE.findall(text)
    return {"title": title, "body": PICTURE.sub("", text).strip(),
            "alt": alts[0][0] if alts else ""}


def file_pieces(course: str, language: str, lesson: Lesson) -> dict[str, dict]:
    """Every piece of a lesson file as it is on disk ({} when the file does not exist)."""
    path = lesson_file(course, language, lesson)
    if language not in lesson.texts or not path.is_file():
        return {}
    meta_text, sections = split_file(path)
    meta = yaml.safe_load(meta_text) or {}
    pieces = {TITLE: {"title": str(meta.get("title", ""))}}
    for number, (title, body) in enumerate(sections, start=1):
        pieces[str(number)] = step_fields(title, body)
    return pieces


def parts_of(lesson: Lesson) -> list[str]:
    return [TITLE] + [str(step.number) for step in lesson.texts[DEFAULT_LANGUAGE].steps]


# --- what was saved --------------------------------------------------------------------------


def current_rows(language: str | None = None, kind: str | None = None,
                 course: str | None = None, lesson: str | None = None
                 ) -> dict[tuple, SavedTranslation]:
    """The newest saved row of every piece, keyed (language, kind, course, lesson, part)."""
    newest = select(func.max(SavedTranslation.id)).group_by(
        SavedTranslation.language, SavedTranslation.kind, SavedTranslation.course,
        SavedTranslation.lesson, SavedTranslation.part)
    query = select(SavedTranslation).where(SavedTranslation.id.in_(newest))
    for column, value in ((SavedTranslation.language, language),
                          (SavedTranslation.kind, kind), (SavedTranslation.course, course),
                          (SavedTranslation.lesson, lesson)):
        if value is not None:
            query = query.where(column == value)
    return {(row.language, row.kind, row.course, row.lesson, row.part): row
            for row in db.session.scalars(query)}


def history(language: str, kind: str, course: str, lesson: str,
            part: str) -> list[SavedTranslation]:
    return list(db.session.scalars(select(SavedTranslation).where(
        SavedTranslation.language == language, SavedTranslation.kind == kind,
        SavedTranslation.course == course, SavedTranslation.lesson == lesson,
        SavedTranslation.part == part).order_by(SavedTranslation.id.desc())))


@dataclass(frozen=True)
class Saved:
    """Every worker's copy of the current saved pieces, and the stamp it was read at."""

    stamp: int
    # (language, course, lesson) → {part: (fields, reviewed)}
    lessons: dict[tuple[str, str, str], dict[str, tuple[dict, bool]]]
    interface: dict[str, dict[str, str]]  # language → {msgid: msgstr}


def stamp() -> int:
    """The newest saved row's id: rows are only added, so any save changes it."""
    try:
        return db.session.scalar(select(func.max(SavedTranslation.id))) or 0
    except SQLAlchemyError:  # a database not yet migrated: the files alone
        db.session.rollback()
        return 0


def saved() -> Saved:
    """The current saved pieces, read again whenever the stamp changed (checked once per
    request): a translation saved through any worker reaches learners on every worker at
    their next page."""
    from flask import g

    if "lms_translation_stamp" not in g:
        g.lms_translation_stamp = stamp()
    extensions = current_app.extensions
    found: Saved | None = extensions.get("lms_saved_translations")
    if found is None or found.stamp != g.lms_translation_stamp:
        if g.lms_translation_stamp == 0:
            found = Saved(stamp=0, lessons={}, interface={})
            extensions["lms_saved_translations"] = found
            return found
        lessons: dict = {}
        interface: dict = {}
        for (language, kind, course, lesson, part), row in current_rows().items():
            if kind == LESSON:
                lessons.setdefault((language, course, lesson), {})[part] = (
                    dict(row.text), row.status == REVIEWED)
            elif kind == INTERFACE and row.text.get("text"):
                interface.setdefault(language, {})[part] = row.text["text"]
        found = Saved(stamp=g.lms_translation_stamp, lessons=lessons, interface=interface)
        extensions["lms_saved_translations"] = found
        extensions["lms_composed_lessons"] = {}
    return found


def interface_overlay(language: str) -> tuple[int, dict[str, str]]:
    found = saved()
    return found.stamp, found.interface.get(language, {})


def lesson_overlay(lesson: Lesson, language: str) -> LessonText | None:
    """The lesson with its saved pieces laid over the file's (or over the Vietnamese where
    the language has no file yet); None when nothing was saved for it."""
    from .compose import compose

    found = saved()
    course = lesson.texts[DEFAULT_LANGUAGE].course
    rows = found.lessons.get((language, course, lesson.slug))
    if not rows:
        return None
    extensions = current_app.extensions
    loaded = catalog()
    if extensions.get("lms_composed_for") is not loaded:  # the courses were loaded again
        extensions["lms_composed_for"] = loaded
        extensions["lms_composed_lessons"] = {}
    composed = extensions.setdefault("lms_composed_lessons", {})
    key = (language, course, lesson.slug)
    if key not in composed:
        composed[key] = compose(lesson, language, rows)
    return composed[key]


def is_card(lesson: Lesson, part: str) -> bool:
    steps = lesson.texts[DEFAULT_LANGUAGE].steps
    return part != TITLE and steps[int(part) - 1].kind == CARD


PART = re.compile(r"^(?:title|[1-9][0-9]?)$")
