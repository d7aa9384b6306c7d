"""Parsing one lesson file: YAML front matter, then one `## ` section per step."""

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _

from . import yamllines
from .curriculum import PREFIX as CURRICULUM
from .curriculum import Curriculum
from .model import CARD, PRACTICE, QUIZ, LessonText, Picture, Step
from .questions import IMAGE_PATH, parse_question
from .sanitize import plain_text, render_markdown
from .yamllines import LineDict

# review_note: what a reviewer must look at in a draft (e.g. a translation that fell
# behind a corrected Vietnamese lesson); never shown to learners.
# reviewed_parts: in a draft, the parts a reviewer already passed ("title" and step
# numbers), so that the files keep what the translation workbench knows.
FRONT_MATTER_KEYS = {"title", "status", "minutes", "sources", "review_note", "reviewed_on",
                     "reviewed_by", "reviewed_parts"}
STATUSES = ("reviewed", "draft")
MIN_MINUTES, MAX_MINUTES = 3, 7
PICTURE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")
RAW_HTML = re.compile(r"<\s*[a-zA-Z!/?]")
FENCE = "```"
BLOCK_KINDS = {"question": PRACTICE, "quiz": QUIZ}
AUDIO_SUFFIXES = (".mp3", ".ogg", ".m4a", ".webm")
# Plain words: a villager does not read decree numbers or percentages; they belong in
# `sources:`. "Quyết định 2345/QĐ-NHNN", "Nghị định 66/2025", "Decree 340/2025", "700%".
LEGAL_NUMBER = re.compile(
    r"\b(?:Quyết định|Nghị định|Thông tư|Nghị quyết|Decision|Decree|Circular|Resolution)\s+\d"
    r"|\b\d+/\d{4}/[A-ZĐ]|\b\d+/(?:QĐ|NĐ|TT|NQ|KH)\b", re.IGNORECASE)


class LessonParser:
    def __init__(self, path: Path, course_folder: Path, course: str, slug: str, language: str,
                 report: Callable[[Path, int, str], None], check_image: Callable,
                 curriculum: Curriculum):
        self.path = path
        self.curriculum = curriculum
        self.course_folder = course_folder
        self.course = course
        self.slug = slug
        self.language = language
        self._report = report
        self._check_image = check_image
        self.ok = True

    def report(self, line: int, message: str) -> None:
        self.ok = False
        self._report(self.path, line, message)

    def check_image(self, name: str, line: int, as_option: bool = False) -> bool:
        return self._check_image(name, self.path, line, as_option)

    def parse(self) -> LessonText | None:
        lines = self.path.read_text("utf-8").splitlines()
        if not lines or lines[0].strip() != "---":
            self.report(1, _("A lesson file starts with front matter between --- lines."))
            return None
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            self.report(1, _("The front matter has no closing --- line."))
            return None
        meta = self.front_matter("\n".join(lines[1:end]))
        self.check_plain_words(lines, end + 1)
        steps = self.steps(lines, end + 1)
        self.check_order(steps)
        if not self.ok or meta is None:
            return None
        parts = meta["reviewed_parts"]
        if any(part != "title" and not 1 <= part <= len(steps) for part in parts):
            self.report(1, _("reviewed_parts lists \"title\" and step numbers of this "
                             "lesson."))
            return None
        return LessonText(course=self.course, slug=self.slug, language=self.language,
                          title=meta["title"], status=meta["status"], minutes=meta["minutes"],
                          sources=meta["sources"], steps=tuple(steps),
                          reviewed_parts=frozenset(parts))

    def front_matter(self, text: str) -> dict | None:
        try:
            data = yamllines.load(text, first_line=2)
        except yamllines.YamlError as error:
            self.report(error.line, str(error))
            return None
        if not isinstance(data, LineDict):
            self.report(2, _("The front matter must be a mapping."))
            return None
        for key in sorted(set(data) - FRONT_MATTER_KEYS):
            self.report(data.line_of(key), _("Unknown front matter field %(key)s.", key=key))
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            self.report(data.line, _("The lesson needs a title."))
        if data.get("status") not in STATUSES:
            self.report(data.line_of("status"), _("status must be reviewed or draft."))
        minutes = data.get("minutes")
        if not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
            # A lesson is a 3-7 minute sitting on a shared phone, not a lecture.
            self.report(data.line_of("minutes"),
                        _("minutes must be a whole number from %(low)s to %(high)s.",
                          low=MIN_MINUTES, high=MAX_MINUTES))
        sources = data.get("sources")
        if not isinstance(sources, list) or not sources:
            self.report(data.line_of("sources"), _("sources must list where the facts come from."))
            sources = []
        for index, source in enumerate(sources):
            if (problem := self.curriculum.problem(str(source))) is not None:
                self.report(yamllines.item_line(data, "sources", index), problem)
        if data.get("status") == "reviewed":
            self.check_review(data, sources)
        note = data.get("review_note")
        if note is not None and (not isinstance(note, str) or not note.strip()):
            self.report(data.line_of("review_note"), _("review_note must be a text."))
        parts = data.get("reviewed_parts", [])
        if not isinstance(parts, list) or not all(
                part == "title" or (isinstance(part, int) and not isinstance(part, bool))
                for part in parts):
            self.report(data.line_of("reviewed_parts"),
                        _("reviewed_parts lists \"title\" and step numbers of this lesson."))
            parts = []
        return {"title": str(title).strip(), "status": data.get("status"), "minutes": minutes,
                "sources": tuple(str(s) for s in sources or ()), "reviewed_parts": parts}

    def check_plain_words(self, lines: list[str], start: int) -> None:
        for index in range(start, len(lines)):
            if LEGAL_NUMBER.search(lines[index]):
                self.report(index + 1, _("Lesson text names a law or decree by number: say what "
                                         "it means in plain words and cite it in sources."))
            elif "%" in lines[index]:
                self.report(index + 1, _("Lesson text uses a percentage: say it with whole "
                                         "amounts, e.g. \"pay 1 million, get 7 million back\"."))

    def check_review(self, data: LineDict, sources: list) -> None:
        """`reviewed` is a claim that every fact was checked against the cited curriculum
        sections: it needs the date, who checked, and at least one such citation."""
        reviewed_on = data.get("reviewed_on")
        if not isinstance(reviewed_on, date) or isinstance(reviewed_on, datetime):
            self.report(data.line_of("reviewed_on" if "reviewed_on" in data else "status"),
                        _("A reviewed lesson needs reviewed_on: the date it was checked, "
                          "as YYYY-MM-DD."))
        elif reviewed_on > date.today():
            self.report(data.line_of("reviewed_on"), _("reviewed_on is in the future."))
        reviewed_by = data.get("reviewed_by")
        if not isinstance(reviewed_by, str) or not reviewed_by.strip():
            self.report(data.line_of("reviewed_by" if "reviewed_by" in data else "status"),
                        _("A reviewed lesson needs reviewed_by: who checked it, and against "
                          "what."))
        if not any(str(source).startswith(CURRICULUM) for source in sources):
            self.report(data.line_of("sources"),
                        _("A reviewed lesson cites the CURRICULUM.md sections its facts "
                          "were checked against."))

    def steps(self, lines: list[str], start: int) -> list[Step]:
        sections: list[tuple[int, str, list[tuple[int, str]]]] = []
        in_fence = False
        for index in range(start, len(lines)):
            line, number = lines[index], index + 1
            if line.startswith(FENCE):
                in_fence = not in_fence
            if not in_fence and line.startswith("## "):
                sections.append((number, line[3:].strip(), []))
            elif sections:
                sections[-1][2].append((number, line))
            elif line.strip():
                self.report(number, _("Text before the first step: every step starts with "
                                      "a '## ' heading."))
        if in_fence:
            self.report(len(lines), _("A ``` block is not closed."))
        if not sections:
            self.report(start, _("The lesson has no steps ('## ' headings)."))
        return [step for number, (line, title, body) in enumerate(sections, start=1)
                if (step := self.step(number, line, title, body)) is not None]

    def step(self, number: int, line: int, title: str, body: list[tuple[int, str]]) -> Step | None:
        if not title:
            self.report(line, _("The step heading is empty."))
        blocks, prose = _split_blocks(body)
        audio, option_audio = self.audio(number)
        if blocks:
            (kind_word, block_line, block_lines), *extra = blocks
            for _kind, extra_line, _lines in extra:
                self.report(extra_line, _("A step holds at most one question block."))
            if kind_word not in BLOCK_KINDS:
                self.report(block_line, _("Unknown block ```%(kind)s: use ```question or "
                                          "```quiz.", kind=kind_word))
                return None
            for prose_line, text in prose:
                if text.strip():
                    self.report(prose_line, _("A question step holds only its question block."))
                    return None
            try:
                data = yamllines.load("\n".join(block_lines), first_line=block_line + 1)
            except yamllines.YamlError as error:
                self.report(error.line, str(error))
                return None
            question = parse_question(data, block_line, self.report, self.check_image)
            if question is None:
                return None
            return Step(number=number, kind=BLOCK_KINDS[kind_word], title=title,
                        text=question.prompt, question=question, audio=audio,
                        option_audio=tuple(option_audio.get(i) for i in
                                           range(1, len(question.options) + 1)))
        return self.card(number, line, title, prose, audio)

    def card(self, number: int, line: int, title: str, prose: list[tuple[int, str]],
             audio: str | None) -> Step | None:
        picture = None
        kept: list[str] = []
        for text_line, text in prose:
            if RAW_HTML.search(PICTURE.sub("", text)):
                self.report(text_line, _("Raw HTML is not allowed in lessons."))
            for alt, src in PICTURE.findall(text):
                match = IMAGE_PATH.match(src)
                if picture is not None:
                    self.report(text_line, _("A card has at most one picture."))
                elif not alt.strip():
                    self.report(text_line, _("The picture needs alt text: ![what it shows](...)."))
                elif match is None:
                    self.report(text_line, _("Pictures are images/<file>.svg or .webp."))
                elif self.check_image(match.group(1), text_line):
                    picture = Picture(file=match.group(1), alt=plain_text(alt).strip())
            kept.append(PICTURE.sub("", text))
        markdown_text = "\n".join(kept).strip()
        if not markdown_text and picture is None:
            self.report(line, _("The step is empty."))
            return None
        return Step(number=number, kind=CARD, title=title, html=render_markdown(markdown_text),
                    text=plain_text(str(render_markdown(markdown_text))).strip(),
                    picture=picture, audio=audio)

    def audio(self, number: int) -> tuple[str | None, dict[int, str]]:
        folder = self.course_folder / "audio" / self.language
        step_audio, options = None, {}
        if not folder.is_dir():
            return None, {}
        for file in folder.glob(f"{self.slug}-{number}*"):
            if file.suffix not in AUDIO_SUFFIXES:
                continue
            rest = file.stem[len(f"{self.slug}-{number}"):]
            if rest == "":
                step_audio = file.name
            elif rest.startswith("-") and rest[1:].isdigit():
                options[int(rest[1:])] = file.name
        return step_audio, options

    def check_order(self, steps: list[Step]) -> None:
        kinds = [step.kind for step in steps]
        if QUIZ not in kinds:
            self.report(1, _("The lesson needs a closing quiz (```quiz blocks)."))
        elif any(kind != QUIZ for kind in kinds[kinds.index(QUIZ):]):
            self.report(1, _("Quiz steps come last, after every card and practice step."))
        if PRACTICE not in kinds:
            self.report(1, _("The lesson needs at least one practice question."))


def _split_blocks(body: list[tuple[int, str]]):
    """Fenced blocks as (kind, line, lines), and the prose lines outside them."""
    blocks, prose = [], []
    current = None
    for number, line in body:
        if line.startswith(FENCE):
            if current is None:
                current = (line[3:].strip(), number, [])
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current[2].append(line)
        else:
            prose.append((number, line))
    return blocks, prose
