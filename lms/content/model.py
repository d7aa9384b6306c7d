"""Loaded course content: immutable objects, built once by the loader."""

from dataclasses import dataclass, field

from markupsafe import Markup

CARD, PRACTICE, QUIZ = "card", "practice", "quiz"
SINGLE, TRUEFALSE, MULTIPLE, PICTURE, ORDER = "single", "truefalse", "multiple", "picture", "order"
QUESTION_KINDS = (SINGLE, TRUEFALSE, MULTIPLE, PICTURE, ORDER)


@dataclass(frozen=True)
class Picture:
    file: str  # name inside the course's images/ folder
    alt: str


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str
    picture: Picture | None = None


@dataclass(frozen=True)
class Question:
    kind: str
    prompt: str
    options: tuple[Option, ...]
    feedback: str = ""  # question-level explanation (always present for `order`)

    @property
    def correct_indexes(self) -> tuple[int, ...]:
        if self.kind == ORDER:
            return tuple(range(len(self.options)))
        return tuple(i for i, option in enumerate(self.options) if option.correct)

    @property
    def shape(self) -> tuple:
        """What a translation must keep: kind, option count and the right answers."""
        return (self.kind, len(self.options), self.correct_indexes)


@dataclass(frozen=True)
class Step:
    number: int  # 1-based
    kind: str  # card | practice | quiz
    title: str
    html: Markup = Markup("")
    text: str = ""  # plain text, for speech synthesis
    picture: Picture | None = None
    question: Question | None = None
    audio: str | None = None  # file inside audio/<lang>/
    option_audio: tuple[str | None, ...] = ()

    @property
    def shape(self) -> tuple:
        return (self.kind, self.question.shape if self.question else None)


@dataclass(frozen=True)
class LessonText:
    """One lesson in one language."""

    course: str
    slug: str
    language: str
    title: str
    status: str  # reviewed | draft
    minutes: int
    sources: tuple[str, ...]
    steps: tuple[Step, ...]
    # In a draft: the parts ("title", step numbers) a reviewer has already passed.
    reviewed_parts: frozenset = frozenset()

    def part_reviewed(self, part: str | int) -> bool:
        return self.status == "reviewed" or part in self.reviewed_parts

    @property
    def quiz_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind == QUIZ)


@dataclass(frozen=True)
class Skill:
    id: str
    titles: dict[str, str]


@dataclass(frozen=True)
class Lesson:
    slug: str
    position: int  # 1-based
    skills: tuple[str, ...]
    texts: dict[str, LessonText]  # by language; always has "vi"

    @property
    def step_count(self) -> int:
        return len(self.texts["vi"].steps)


@dataclass(frozen=True)
class Course:
    slug: str
    order: int
    track: str  # villager | ambassador
    titles: dict[str, str]
    summaries: dict[str, str]
    sources: tuple[str, ...]
    skills: tuple[Skill, ...]
    lessons: tuple[Lesson, ...]
    mastery: float
    version: str  # hash of every file of the course
    images: dict[str, str] = field(default_factory=dict)  # file → content hash
    # file → (width, height): pages reserve a picture's space before it arrives.
    image_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"
