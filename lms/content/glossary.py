"""Glossaries of the community languages: one spelling per word, checked in the lessons.

A glossary lives in `translations/glossary/<code>.yaml`. Each term names the Vietnamese
word, the chosen spelling in the community language and the other spellings seen in
the drafts. A lesson (or an interface string) that uses another spelling gets a
warning with its file and line: the lesson still loads, the translator fixes the word.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask_babel import gettext as _

from .model import Problem

# A word: anything between spaces and punctuation. Tai Viet tone marks are combining
# characters, so a word is not limited to \w.
WORD = re.compile(r"[^\s.,;:!?\"'()\[\]{}*_`/<>«»“”‘’…=|#+-]+")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
YAML_KEY = re.compile(r"^\s*(?:-\s+)?([a-z_]+):(?:\s|$)")
TEXT_KEYS = {"text", "feedback", "prompt"}
STATUSES = ("draft", "reviewed")


@dataclass(frozen=True)
class Term:
    key: str
    vi: str
    spelling: str | None  # None: no spelling seen in the drafts yet
    variants: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Glossary:
    language: str
    terms: tuple[Term, ...]
    # words of a form (lower case) → (term, the variant as written, or None for the spelling)
    forms: tuple[tuple[tuple[str, ...], Term, str | None], ...]

    def find(self, line: str) -> list[tuple[Term, str]]:
        """The variant spellings used in one line, in order, as (term, variant)."""
        words = [m.group().lower() for m in WORD.finditer(line)]
        found: list[tuple[Term, str]] = []
        index = 0
        while index < len(words):
            for form, term, variant in self.forms:  # longest form first
                if tuple(words[index:index + len(form)]) == form:
                    if variant is not None:
                        found.append((term, variant))
                    index += len(form)
                    break
            else:
                index += 1
        return found


class GlossaryError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def split_words(text: str) -> tuple[str, ...]:
    return tuple(m.group().lower() for m in WORD.finditer(text))


def parse_glossary(text: str, language: str) -> Glossary:
    """A glossary from its YAML text; a clear GlossaryError (with a line) otherwise."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise GlossaryError(mark.line + 1 if mark else 0,
                            _("The glossary is not valid YAML.")) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("terms"), dict):
        raise GlossaryError(1, _("The glossary must be a mapping with a terms mapping."))
    if raw.get("language") != language:
        raise GlossaryError(1, _("The glossary must say language: %(code)s.", code=language))
    terms: list[Term] = []
    forms: list[tuple[tuple[str, ...], Term, str | None]] = []
    seen: dict[tuple[str, ...], str] = {}
    lines = text.splitlines()
    for key, entry in raw["terms"].items():
        if not isinstance(key, str):  # YAML reads a bare yes, no, on or off as true/false
            raise GlossaryError(1, _("Glossary term %(key)s: write the term's name in quotes.",
                                     key=key))
        line = next((n for n, content in enumerate(lines, start=1)
                     if content.strip().startswith((f"{key}:", f'"{key}":', f"'{key}':"))), 1)
        if not isinstance(entry, dict) or not isinstance(entry.get("vi"), str):
            raise GlossaryError(line, _("Glossary term %(key)s needs vi (the Vietnamese word).",
                                        key=key))
        spelling = entry.get("spelling")
        variants = entry.get("variants") or []
        status = entry.get("status")
        if spelling is not None and (not isinstance(spelling, str) or not split_words(spelling)):
            raise GlossaryError(line, _("Glossary term %(key)s: spelling must be a word or "
                                        "empty.", key=key))
        if not isinstance(variants, list) or not all(
                isinstance(v, str) and split_words(v) for v in variants):
            raise GlossaryError(line, _("Glossary term %(key)s: variants must list words.",
                                        key=key))
        if variants and spelling is None:
            raise GlossaryError(line, _("Glossary term %(key)s has variants but no spelling.",
                                        key=key))
        if status not in STATUSES:
            raise GlossaryError(line, _("Glossary term %(key)s: status must be draft or "
                                        "reviewed.", key=key))
        term = Term(key=str(key), vi=entry["vi"], spelling=spelling,
                    variants=tuple(variants), status=status)
        terms.append(term)
        for written, variant in [(spelling, None)] * (spelling is not None) + [
                (v, v) for v in variants]:
            words = split_words(written)
            if words in seen and not (variant is None and seen[words] == key):
                raise GlossaryError(line, _(
                    "Glossary term %(key)s: %(form)s is already a form of %(other)s.",
                    key=key, form=written, other=seen[words]))
            seen[words] = str(key)
            forms.append((words, term, variant))
    forms.sort(key=lambda item: -len(item[0]))
    return Glossary(language=language, terms=tuple(terms), forms=tuple(forms))


def read_glossaries(translations_dir: Path, codes) -> tuple[dict[str, Glossary], list[Problem]]:
    """The glossaries that exist for `codes`, and a problem for each unreadable one."""
    glossaries: dict[str, Glossary] = {}
    problems: list[Problem] = []
    for code in codes:
        path = translations_dir / "glossary" / f"{code}.yaml"
        if not path.is_file():
            continue
        try:
            glossaries[code] = parse_glossary(path.read_text("utf-8"), code)
        except GlossaryError as error:
            problems.append(Problem(_shown(path, translations_dir.parent), error.line,
                                    str(error)))
        except UnicodeDecodeError:
            problems.append(Problem(_shown(path, translations_dir.parent), 0,
                                    _("The glossary is not UTF-8 text.")))
    return glossaries, problems


def lesson_lines(text: str):
    """(line number, learner-visible text) of a lesson file: its title and body, with
    picture file names and question keys left out."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
        if end is not None:
            for number in range(1, end):
                if lines[number].startswith("title:"):
                    yield number + 1, lines[number][len("title:"):]
            start = end + 1
    fenced = False
    for number in range(start, len(lines)):
        content = lines[number]
        if content.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            key = YAML_KEY.match(content)
            if key is None:
                continue
            if key.group(1) not in TEXT_KEYS:
                continue
            content = content[key.end():]
        yield number + 1, LINK_TARGET.sub("]", content)


def po_lines(text: str):
    """(line number, text) of the translations in a .po catalog."""
    in_msgstr = False
    for number, content in enumerate(text.splitlines(), start=1):
        if content.startswith("msgstr"):
            in_msgstr = True
            content = content.split(" ", 1)[1] if " " in content else ""
        elif not content.startswith('"'):
            in_msgstr = False
            continue
        if in_msgstr:
            yield number, content


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def warnings_for(path: Path, lines, glossary: Glossary, root: Path) -> list[Problem]:
    found = []
    name = _shown(path, root)
    for number, content in lines:
        for term, variant in glossary.find(content):
            found.append(Problem(name, number, _(
                "warning: “%(variant)s” is another spelling of the glossary word “%(spelling)s” "
                "(%(vi)s); write “%(spelling)s”.",
                variant=variant, spelling=term.spelling, vi=term.vi)))
    return found


def check_spellings(courses_dir: Path, translations_dir: Path,
                    codes) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings): unreadable glossaries are problems; another spelling of a
    glossary word in a lesson or an interface string of that language is a warning."""
    glossaries, problems = read_glossaries(translations_dir, codes)
    warnings: list[Problem] = []
    root = courses_dir.parent
    for code, glossary in glossaries.items():
        for path in sorted(courses_dir.glob(f"*/{code}/*.md")):
            text = path.read_text("utf-8", "replace")
            warnings.extend(warnings_for(path, lesson_lines(text), glossary, root))
        catalog = translations_dir / code / "LC_MESSAGES" / "messages.po"
        if catalog.is_file():
            warnings.extend(warnings_for(catalog, po_lines(catalog.read_text("utf-8", "replace")),
                                         glossary, translations_dir.parent))
    return problems, warnings
