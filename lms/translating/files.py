"""Between saved translations and the repository's files, which stay the source of truth
for releases.

Export writes every saved piece into `courses/<slug>/<lang>/NN-<lesson>.md` (status, and
in a draft `reviewed_parts`) and into `translations/<lang>/LC_MESSAGES/messages.po` (a
reviewed entry carries the translator comment "reviewed"), then marks those rows as in
the files.

Import reads the files back. Which wins: a piece typed in the browser and not yet
exported is newer than any file, so it wins and the file's different text is listed as a
conflict (nothing of it is stored); a piece that is already in the files (exported or
imported before) is replaced by the file's text when the file changed since.
"""

import io
from dataclasses import dataclass, field
from datetime import date

import yaml
from babel.messages.pofile import write_po

from ..content.catalog import catalog
from ..content.model import CARD, PRACTICE, Lesson
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE
from .interface import REVIEWED_COMMENT, catalog_file, file_strings, read_catalog_file
from .models import DRAFT, INTERFACE, LESSON, REVIEWED, SavedTranslation
from .pieces import TITLE, community_languages, current_rows, file_pieces, lesson_file, split_file


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    imported: int = 0
    conflicts: list[str] = field(default_factory=list)


def normalize(fields: dict) -> dict:
    """The same text whether it came from a form or a file (single-line fields joined)."""
    def one(value) -> str:
        return " ".join(str(value or "").split())

    clean = {key: one(value) for key, value in fields.items()
             if key not in ("body", "options")}
    if "body" in fields:
        clean["body"] = str(fields["body"] or "").replace("\r\n", "\n").strip()
    if "options" in fields:
        clean["options"] = [{"text": one(o.get("text")), "feedback": one(o.get("feedback"))}
                            for o in fields["options"]]
    return clean


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096,
                          default_flow_style=False)


def _section(reference, fields: dict) -> str:
    lines = [f"## {fields.get('title') or reference.title}", ""]
    if reference.kind == CARD:
        if reference.picture is not None:
            alt = fields.get("alt") or reference.picture.alt
            lines += [f"![{alt}](images/{reference.picture.file})", ""]
        lines += [fields.get("body", ""), ""]
        return "\n".join(lines)
    question = reference.question
    options = []
    given = fields.get("options") or []
    for index, option in enumerate(question.options):
        entry = given[index] if index < len(given) else {}
        item = {"text": entry.get("text") or option.text}
        if option.correct:
            item["correct"] = True
        if option.picture is not None:
            item["image"] = f"images/{option.picture.file}"
        feedback = entry.get("feedback") or option.feedback
        if feedback:
            item["feedback"] = feedback
        options.append(item)
    block = {"kind": question.kind, "prompt": fields.get("prompt") or question.prompt,
             "options": options}
    if fields.get("feedback") or question.feedback:
        block["feedback"] = fields.get("feedback") or question.feedback
    word = "question" if reference.kind == PRACTICE else "quiz"
    lines += [f"```{word}", _dump(block).rstrip("\n"), "```", ""]
    return "\n".join(lines)


def _reviewer_names(rows: dict) -> str:
    names = sorted({row.author.name for row in rows.values()
                    if row.status == REVIEWED and row.author is not None})
    return ", ".join(names) or "—"


def write_lesson(course: str, language: str, lesson: Lesson,
                 rows: dict[str, SavedTranslation]) -> str:
    """The lesson file in `language` with the saved pieces; returns its path."""
    reference = lesson.texts[DEFAULT_LANGUAGE]
    own = lesson.texts.get(language)
    on_disk = file_pieces(course, language, lesson)
    path = lesson_file(course, language, lesson)
    meta: dict = {}
    if own is not None and path.is_file():
        meta = yaml.safe_load(split_file(path)[0]) or {}
    else:
        meta = {key: value for key, value in (yaml.safe_load(
            split_file(lesson_file(course, DEFAULT_LANGUAGE, lesson))[0]) or {}).items()
            if key in ("minutes", "sources")}
    reviewed = set()
    sections = []
    for step in reference.steps:
        part = str(step.number)
        if part in rows:
            fields, passed = rows[part].text, rows[part].status == REVIEWED
        elif part in on_disk:
            fields, passed = on_disk[part], own.part_reviewed(step.number)
        else:
            fields, passed = {}, False
        if passed:
            reviewed.add(step.number)
        sections.append(_section(step, fields))
    if TITLE in rows:
        title, passed = rows[TITLE].text.get("title"), rows[TITLE].status == REVIEWED
    elif TITLE in on_disk:
        title, passed = on_disk[TITLE]["title"], own.part_reviewed(TITLE)
    else:
        title, passed = reference.title, False
    complete = passed and len(reviewed) == len(reference.steps)
    head = {"title": title, "status": "reviewed" if complete else "draft"}
    for key in ("review_note", "minutes", "sources"):
        if key in meta:
            head[key] = meta[key]
    head.setdefault("minutes", reference.minutes)
    head.setdefault("sources", list(reference.sources))
    if complete:
        head["reviewed_on"] = date.today()
        head["reviewed_by"] = (f"Translation reviewed in Học Số by {_reviewer_names(rows)}, "
                               "against the Vietnamese lesson")
        head.pop("review_note", None)
    else:
        parts = (["title"] if passed else []) + sorted(reviewed)
        if parts:
            head["reviewed_parts"] = parts
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + _dump(head) + "---\n\n" + "\n".join(sections).rstrip("\n")
                    + "\n", encoding="utf-8")
    return str(path)


def write_catalog(language: str, rows: dict[str, SavedTranslation]) -> str | None:
    """The language's .po file with the saved strings; its header is kept as it was."""
    path = catalog_file(language)
    found = read_catalog_file(path)
    if found is None:
        return None
    for msgid, row in rows.items():
        message = found.get(msgid)
        if message is None or not isinstance(message.id, str):
            continue
        message.string = row.text.get("text", "")
        comments = [c for c in message.user_comments if c != REVIEWED_COMMENT]
        if row.status == REVIEWED:
            comments.append(REVIEWED_COMMENT)
        message.user_comments = comments
    original = path.read_text("utf-8")
    header_end = original.index("\n\n") + 2
    buffer = io.BytesIO()
    write_po(buffer, found, width=76, omit_header=True, sort_output=True)
    path.write_text(original[:header_end] + buffer.getvalue().decode("utf-8").lstrip("\n"),
                    encoding="utf-8")
    return str(path)


def export(languages: list[str] | None = None) -> Outcome:
    """Write every saved piece into the files; the rows written are then in the files."""
    outcome = Outcome()
    found = catalog()
    for language in languages or community_languages():
        saved = current_rows(language)
        by_lesson: dict[tuple[str, str], dict] = {}
        strings = {}
        for (_lang, kind, course, lesson, part), row in saved.items():
            if kind == LESSON:
                by_lesson.setdefault((course, lesson), {})[part] = row
            elif kind == INTERFACE:
                strings[part] = row
        for (course_slug, lesson_slug), rows in sorted(by_lesson.items()):
            course = found.course(course_slug)
            lesson = course.lesson(lesson_slug) if course else None
            if lesson is None:
                continue
            outcome.written.append(write_lesson(course_slug, language, lesson, rows))
            for row in rows.values():
                row.in_files = True
        if strings:
            written = write_catalog(language, strings)
            if written:
                outcome.written.append(written)
                for row in strings.values():
                    row.in_files = True
    return outcome


def _take(outcome: Outcome, current, language: str, kind: str, course: str, lesson: str,
          part: str, fields: dict, reviewed: bool, where: str) -> None:
    status = REVIEWED if reviewed else DRAFT
    if current is not None and normalize(current.text) == normalize(fields) and \
            current.status == status:
        return
    if current is not None and not current.in_files:
        outcome.conflicts.append(where)
        return
    db.session.add(SavedTranslation(language=language, kind=kind, course=course,
                                    lesson=lesson, part=part, text=fields, status=status,
                                    author_id=None, in_files=True))
    outcome.imported += 1


def import_files(languages: list[str] | None = None) -> Outcome:
    """Read the files' translations in; a newer browser edit is kept and listed."""
    outcome = Outcome()
    found = catalog()
    for language in languages or community_languages():
        saved = current_rows(language)
        for course in found.courses.values():
            for lesson in course.lessons:
                own = lesson.texts.get(language)
                if own is None:
                    continue
                pieces = file_pieces(course.slug, language, lesson)
                vietnamese = file_pieces(course.slug, DEFAULT_LANGUAGE, lesson)
                for part, fields in pieces.items():
                    if normalize(fields) == normalize(vietnamese.get(part, {})):
                        continue  # still the Vietnamese text: not a translation
                    key = (language, LESSON, course.slug, lesson.slug, part)
                    where = f"{course.slug}/{language}/{lesson.position:02d}-{lesson.slug}.md" \
                            f" [{part}]"
                    _take(outcome, saved.get(key), language, LESSON, course.slug,
                          lesson.slug, part, normalize(fields),
                          own.part_reviewed(part if part == TITLE else int(part)), where)
        for msgid, (text, reviewed) in file_strings(language).items():
            key = (language, INTERFACE, "", "", msgid)
            _take(outcome, saved.get(key), language, INTERFACE, "", "", msgid,
                  {"text": text}, reviewed, f"{language}/LC_MESSAGES/messages.po [{msgid[:60]}]")
    return outcome
