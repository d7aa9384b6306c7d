"""The curriculum (docs/curriculum.md) as the set of section ids that a course's or a
lesson's `sources:` may cite, e.g. "CURRICULUM.md §1 B2", "CURRICULUM.md P1.4" or
"CURRICULUM.md D5.10". Course facts come only from that file, so a citation that names
no section of it is a mistake the checker reports."""

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

PREFIX = "CURRICULUM.md"
PART = re.compile(r"^## (\d+)\. ")
AREA = re.compile(r"^### ([A-Z])\. ")
ITEM = re.compile(r"^\*\*([A-Z]\d+)\. ")
CORRECTION = re.compile(r"^### (P\d+\.\d+) ")
TOPIC = re.compile(r"^### (D\d+)\. ")
FACT = re.compile(r"^(\d+)\. ")
CONTEXT = "Context worth knowing"
# How a citation names sections: "§1", "§1.B", "§1 A4", "§1 C3, C5", "P1.2", "D1", "D7.3",
# "context". A bare item ("C5") belongs to the part named before it in the same entry.
CITATION = re.compile(r"§(\d+)(?:[ .]([A-Z])(\d+)?)?|\b(P\d+\.\d+)\b|\b(D\d+(?:\.\d+)?)\b"
                      r"|\b([A-Z]\d+)\b|\b(context)\b")


@dataclass(frozen=True)
class Curriculum:
    sections: frozenset[str]

    def problem(self, source: str) -> str | None:
        """Why a `sources:` entry is wrong, or None. Entries that are not CURRICULUM.md
        citations (web pages, other documents) are not this file's business."""
        if not source.startswith(PREFIX):
            return None
        cited = list(cited_sections(source[len(PREFIX):]))
        if not cited:
            return _("The source %(source)s names no section of CURRICULUM.md.", source=source)
        missing = [section for section in cited if section not in self.sections]
        if missing:
            return _("CURRICULUM.md has no section %(section)s.", section=", ".join(missing))
        return None


def cited_sections(text: str):
    part = None
    for match in CITATION.finditer(text):
        number, area, item, correction, topic, bare, context = match.groups()
        if number:
            part = number
            yield f"§{number}" + (f" {area}" if area else "") + (item or "")
        elif correction or topic or context:
            yield correction or topic or context
        elif bare and part:
            yield f"§{part} {bare}"


def read_curriculum(path: Path) -> Curriculum:
    """Section ids from the headings and numbered items of the curriculum file."""
    sections: set[str] = set()
    part = area = topic = None
    for line in path.read_text("utf-8").splitlines():
        if CONTEXT in line:
            sections.add("context")
        if match := PART.match(line):
            part, area, topic = match.group(1), None, None
            sections.add(f"§{part}")
        elif match := AREA.match(line):
            area, topic = match.group(1), None
            if part:
                sections.add(f"§{part} {area}")
        elif match := ITEM.match(line):
            if part:
                sections.add(f"§{part} {match.group(1)}")
        elif match := CORRECTION.match(line):
            sections.add(match.group(1))
            topic = None
        elif match := TOPIC.match(line):
            topic = match.group(1)
            sections.add(topic)
        elif line.startswith("## "):
            part = area = topic = None
        elif topic and (match := FACT.match(line)):
            sections.add(f"{topic}.{match.group(1)}")
    return Curriculum(frozenset(sections))
