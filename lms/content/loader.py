"""Reading courses/ into immutable objects, reporting every problem as file:line."""

import hashlib
import re
from collections.abc import Collection
from pathlib import Path

from flask_babel import gettext as _

from . import yamllines
from .curriculum import Curriculum
from .images import picture_size
from .lessons import LessonParser
from .model import Course, Lesson, LessonText, Problem, Skill
from .svgtext import CARD_BOX, MIN_TEXT_PX, OPTION_BOX, shown_px
from .yamllines import LineDict

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COURSE_KEYS = {"slug", "order", "track", "title", "summary", "sources", "skills", "lessons",
               "mastery"}
TRACKS = ("villager", "ambassador")
DEFAULT_MASTERY = 0.8
MAX_IMAGE_BYTES = 15 * 1024
UNSAFE_SVG = re.compile(
    r"<script|<foreignObject|\son[a-z]+\s*=|javascript:|(?:href|src)\s*=\s*[\"'](?:https?:)?//",
    re.IGNORECASE,
)


class CourseReader:
    """Reads one course folder; problems are collected, never raised."""

    def __init__(self, folder: Path, root: Path, languages: Collection[str],
                 complete_languages: Collection[str], curriculum: Curriculum):
        self.folder = folder
        self.curriculum = curriculum
        self.root = root
        self.languages = languages
        self.complete = complete_languages
        self.problems: list[Problem] = []
        self._checked_images: dict[str, bool] = {}
        self._measured: dict[tuple[str, bool], float | None] = {}
        self._sizes: dict[str, tuple[int, int]] = {}

    def report(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(str(path.relative_to(self.root.parent)), line, message))

    def check_image(self, name: str, path: Path, line: int, as_option: bool = False) -> bool:
        """The picture exists, is small, (for SVG) holds no script or outside link, and its
        words are big enough to read on a 360 px phone where it is shown."""
        if name not in self._checked_images:
            file = self.folder / "images" / name
            ok = file.is_file()
            if not ok:
                self.report(path, line, _("Picture images/%(name)s does not exist.", name=name))
            elif file.stat().st_size > MAX_IMAGE_BYTES:
                self.report(path, line, _("Picture images/%(name)s is larger than 15 KB.",
                                          name=name))
                ok = False
            elif file.suffix == ".svg" and UNSAFE_SVG.search(file.read_text("utf-8", "replace")):
                self.report(path, line, _("Picture images/%(name)s contains script or an "
                                          "outside link.", name=name))
                ok = False
            elif (size := picture_size(file)) is None:
                self.report(path, line, _("Picture images/%(name)s has no size: give the SVG "
                                          "a viewBox.", name=name))
                ok = False
            else:
                self._sizes[name] = size
            self._checked_images[name] = ok
        if self._checked_images[name] and name.endswith(".svg"):
            key = (name, as_option)
            if key not in self._measured:
                self._measured[key] = shown_px(
                    (self.folder / "images" / name).read_text("utf-8", "replace"),
                    OPTION_BOX if as_option else CARD_BOX)
            size = self._measured[key]
            if size is not None and size < MIN_TEXT_PX:
                self.report(path, line, _(
                    "The smallest text of images/%(name)s shows at %(size)s px on a 360 px "
                    "phone; make it at least %(min)s px (font-size against the viewBox).",
                    name=name, size=f"{size:.1f}", min=MIN_TEXT_PX))
                return False
        return self._checked_images[name]

    def read(self) -> Course | None:
        path = self.folder / "course.yaml"
        if not path.is_file():
            self.report(self.folder, 0, _("The course folder has no course.yaml."))
            return None
        try:
            data = yamllines.load(path.read_text("utf-8"))
        except yamllines.YamlError as error:
            self.report(path, error.line, str(error))
            return None
        if not isinstance(data, LineDict):
            self.report(path, 1, _("course.yaml must be a mapping."))
            return None
        for key in sorted(set(data) - COURSE_KEYS):
            self.report(path, data.line_of(key), _("Unknown course field %(key)s.", key=key))
        slug = data.get("slug")
        if slug != self.folder.name or not isinstance(slug, str) or not SLUG.match(slug):
            self.report(path, data.line_of("slug"),
                        _("slug must equal the folder name %(name)s (a-z, 0-9 and -).",
                          name=self.folder.name))
        order = data.get("order")
        if not isinstance(order, int) or isinstance(order, bool):
            self.report(path, data.line_of("order"), _("order must be a whole number."))
        track = data.get("track")
        if track not in TRACKS:
            self.report(path, data.line_of("track"),
                        _("track must be one of: %(tracks)s.", tracks=", ".join(TRACKS)))
        titles = self.texts_by_language(path, data, "title", required=True)
        summaries = self.texts_by_language(path, data, "summary", required=False)
        sources = self.sources(path, data)
        skills = self.skills(path, data)
        mastery = data.get("mastery", DEFAULT_MASTERY)
        if not isinstance(mastery, int | float) or not 0 < mastery <= 1:
            self.report(path, data.line_of("mastery"), _("mastery must be above 0 and at most 1."))
        lessons = self.lessons(path, data, {skill.id for skill in skills})
        if self.problems:
            return None
        return Course(
            slug=slug, order=order, track=track, titles=titles, summaries=summaries,
            sources=sources, skills=skills, lessons=lessons, mastery=float(mastery),
            version=self.version(), images=self.image_hashes(), image_sizes=self._sizes,
        )

    def texts_by_language(self, path: Path, data: LineDict, key: str,
                          required: bool) -> dict[str, str]:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, LineDict):
            self.report(path, data.line_of(key), _("%(key)s must map languages to text.",
                                                   key=key))
            return {}
        for code in value:
            if code not in self.languages:
                self.report(path, value.line_of(code), _("Unknown language %(code)s.", code=code))
        for code in self.complete:
            if not isinstance(value.get(code), str) or not value[code].strip():
                self.report(path, value.line, _("%(key)s needs a text in %(code)s.",
                                                key=key, code=code))
        return {code: str(text).strip() for code, text in value.items() if code in self.languages}

    def sources(self, path: Path, data: LineDict) -> tuple[str, ...]:
        value = data.get("sources")
        if not isinstance(value, list) or not value or not all(isinstance(s, str) for s in value):
            self.report(path, data.line_of("sources"),
                        _("sources must list where the facts come from."))
            return ()
        for index, source in enumerate(value):
            if (problem := self.curriculum.problem(source)) is not None:
                self.report(path, yamllines.item_line(data, "sources", index), problem)
        return tuple(value)

    def skills(self, path: Path, data: LineDict) -> tuple[Skill, ...]:
        skills = []
        for raw in data.get("skills") or []:
            if not isinstance(raw, LineDict) or not SLUG.match(str(raw.get("id", ""))):
                self.report(path, getattr(raw, "line", data.line_of("skills")),
                            _("Each skill needs an id (a-z, 0-9 and -) and a title."))
                continue
            if raw["id"] in {s.id for s in skills}:
                self.report(path, raw.line, _("Skill %(id)s is listed twice.", id=raw["id"]))
            titles = self.texts_by_language(path, raw, "title", required=True)
            skills.append(Skill(id=raw["id"], titles=titles))
        return tuple(skills)

    def lessons(self, path: Path, data: LineDict, skill_ids: set[str]) -> tuple[Lesson, ...]:
        raw_lessons = data.get("lessons")
        if not isinstance(raw_lessons, list) or not raw_lessons:
            self.report(path, data.line_of("lessons"), _("lessons must list the lessons."))
            return ()
        lessons: list[Lesson] = []
        for position, raw in enumerate(raw_lessons, start=1):
            slug = raw.get("slug") if isinstance(raw, LineDict) else None
            line = raw.line if isinstance(raw, LineDict) else data.line_of("lessons")
            if not isinstance(slug, str) or not SLUG.match(slug):
                self.report(path, line, _("Each lesson needs a slug (a-z, 0-9 and -)."))
                continue
            if any(lesson.slug == slug for lesson in lessons):
                self.report(path, line, _("Lesson %(slug)s is listed twice.", slug=slug))
                continue
            skills = tuple(raw.get("skills") or ())
            for skill in skills:
                if skill not in skill_ids:
                    self.report(path, raw.line_of("skills"),
                                _("Lesson %(slug)s names unknown skill %(skill)s.",
                                  slug=slug, skill=skill))
            texts = self.lesson_texts(slug, position, path, line)
            if "vi" in texts:
                lessons.append(Lesson(slug=slug, position=position, skills=skills, texts=texts))
        self.unlisted_files({lesson.slug for lesson in lessons} | {
            r.get("slug") for r in raw_lessons if isinstance(r, LineDict)})
        return tuple(lessons)

    def lesson_texts(self, slug: str, position: int, course_file: Path,
                     line: int) -> dict[str, LessonText]:
        texts: dict[str, LessonText] = {}
        name = f"{position:02d}-{slug}.md"
        for code in self.languages:
            path = self.folder / code / name
            if not path.is_file():
                if code in self.complete:
                    self.report(course_file, line, _("Lesson file %(file)s is missing.",
                                                     file=f"{code}/{name}"))
                continue
            parser = LessonParser(path, self.folder, self.course_slug, slug, code,
                                  lambda p, ln, msg: self.report(p, ln, msg), self.check_image,
                                  self.curriculum)
            text = parser.parse()
            if text is not None:
                texts[code] = text
        reference = texts.get("vi")
        for code, text in texts.items():
            if reference is not None and code != "vi" and (
                    [s.shape for s in text.steps] != [s.shape for s in reference.steps]):
                self.report(self.folder / code / name, 1, _(
                    "This translation does not have the same steps, questions and right "
                    "answers as the Vietnamese file."))
        return texts

    @property
    def course_slug(self) -> str:
        return self.folder.name

    def unlisted_files(self, listed: set) -> None:
        pattern = re.compile(r"^\d{2}-(.+)\.md$")
        for code in self.languages:
            for file in sorted((self.folder / code).glob("*.md")):
                match = pattern.match(file.name)
                if match is None or match.group(1) not in listed:
                    self.report(file, 1, _("This lesson file is not listed in course.yaml "
                                           "(names are NN-<slug>.md)."))

    def version(self) -> str:
        digest = hashlib.sha256()
        for file in sorted(p for p in self.folder.rglob("*") if p.is_file()):
            digest.update(str(file.relative_to(self.folder)).encode())
            digest.update(file.read_bytes())
        return digest.hexdigest()[:12]

    def image_hashes(self) -> dict[str, str]:
        return {file.name: hashlib.sha256(file.read_bytes()).hexdigest()[:10]
                for file in sorted((self.folder / "images").glob("*")) if file.is_file()}


def read_courses(root: Path, languages: Collection[str], complete_languages: Collection[str],
                 curriculum: Curriculum) -> tuple[dict[str, Course], list[Problem]]:
    """Every course under `root`, and every problem found (courses with one are left out)."""
    courses: dict[str, Course] = {}
    problems: list[Problem] = []
    if not root.is_dir():
        return courses, [Problem(str(root), 0, _("The courses folder does not exist."))]
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        reader = CourseReader(folder, root, languages, complete_languages, curriculum)
        course = reader.read()
        problems.extend(reader.problems)
        if course is not None:
            courses[course.slug] = course
    return dict(sorted(courses.items(), key=lambda item: item[1].order)), problems
