"""Building what learners see from saved pieces, and checking a piece before it is saved."""

from dataclasses import replace

from flask_babel import gettext as _

from ..content.lessons import FENCE, LEGAL_NUMBER, RAW_HTML
from ..content.model import CARD, Lesson, LessonText, Step
from ..content.sanitize import plain_text, render_markdown
from ..i18n import DEFAULT_LANGUAGE
from ..models_common import without_invisible
from .pieces import TITLE

MAX_FIELD = 4000


def _without_audio(step: Step) -> Step:
    """A Vietnamese step shown inside another language: its recordings are not that
    language's."""
    options = len(step.question.options) if step.question else 0
    return replace(step, audio=None, option_audio=(None,) * options)


def step_from(reference: Step, base: Step, fields: dict) -> Step:
    """The reference step with the saved fields' words; its shape (kind, pictures, right
    answers) always stays the Vietnamese one."""
    title = fields.get("title") or reference.title
    if reference.kind == CARD:
        html = render_markdown(fields.get("body", ""))
        picture = reference.picture
        if picture is not None and fields.get("alt"):
            picture = replace(picture, alt=plain_text(fields["alt"]).strip())
        return replace(base, title=title, html=html, text=plain_text(str(html)).strip(),
                       picture=picture)
    question = reference.question
    saved = fields.get("options") or []
    options = tuple(
        replace(option, text=(saved[i].get("text") if i < len(saved) else "") or option.text,
                feedback=(saved[i].get("feedback") if i < len(saved) else "") or option.feedback)
        for i, option in enumerate(question.options))
    question = replace(question, prompt=fields.get("prompt") or question.prompt,
                       options=options, feedback=fields.get("feedback") or question.feedback)
    return replace(base, title=title, text=question.prompt, question=question)


def compose(lesson: Lesson, language: str, saved: dict[str, tuple[dict, bool]]) -> LessonText:
    """The lesson in `language`: saved pieces over the language's file, else over the
    Vietnamese. Reviewed only when every piece is."""
    reference = lesson.texts[DEFAULT_LANGUAGE]
    own = lesson.texts.get(language)
    base = own or reference
    reviewed: set = set()
    steps = []
    for ref_step, base_step in zip(reference.steps, base.steps, strict=True):
        number = ref_step.number
        if own is None:
            base_step = _without_audio(base_step)
        if str(number) in saved:
            fields, passed = saved[str(number)]
            steps.append(step_from(ref_step, base_step, fields))
        else:
            steps.append(base_step)
            passed = own is not None and own.part_reviewed(number)
        if passed:
            reviewed.add(number)
    if TITLE in saved:
        fields, passed = saved[TITLE]
        title = fields.get("title") or base.title
    else:
        title, passed = base.title, own is not None and own.part_reviewed(TITLE)
    if passed:
        reviewed.add(TITLE)
    complete = len(reviewed) == len(steps) + 1
    return LessonText(course=reference.course, slug=reference.slug, language=language,
                      title=title, status="reviewed" if complete else "draft",
                      minutes=base.minutes, sources=base.sources, steps=tuple(steps),
                      reviewed_parts=frozenset(reviewed))


def _one_line(value: str) -> str:
    return " ".join(value.split())


def clean_fields(reference: Step | None, raw: dict) -> tuple[dict | None, list[str]]:
    """The fields of a piece as they will be saved, or the problems found (translated).
    `reference` is the Vietnamese step, None for the lesson title."""
    problems: list[str] = []

    def text(name: str, value, required: bool = True, multiline: bool = False) -> str:
        value = without_invisible((value or "").replace("\r\n", "\n")).strip()
        if not multiline:
            value = _one_line(value)
        if required and not value:
            problems.append(_("Fill in every field: %(field)s is empty.", field=name))
        if len(value) > MAX_FIELD:
            problems.append(_("%(field)s is longer than %(max)s characters.", field=name,
                              max=MAX_FIELD))
        if RAW_HTML.search(value):
            problems.append(_("%(field)s contains HTML: write plain text.", field=name))
        if FENCE in value or any(line.startswith("#") for line in value.splitlines()):
            problems.append(_("%(field)s may not contain ``` or lines starting with #.",
                              field=name))
        if LEGAL_NUMBER.search(value):
            problems.append(_("%(field)s names a law or decree by number: say what it means "
                              "in plain words.", field=name))
        elif "%" in value:
            problems.append(_("%(field)s uses a percentage: say it with whole amounts.",
                              field=name))
        return value

    fields: dict = {"title": text(_("Title"), raw.get("title"))}
    if reference is not None and reference.kind == CARD:
        fields["body"] = text(_("Text"), raw.get("body"), multiline=True)
        fields["alt"] = text(_("Picture description"), raw.get("alt"),
                             required=reference.picture is not None)
    elif reference is not None:
        fields["prompt"] = text(_("Question"), raw.get("prompt"))
        options = []
        for index, option in enumerate(reference.question.options, start=1):
            given = raw.get("options") or []
            entry = given[index - 1] if index - 1 < len(given) else {}
            options.append({
                "text": text(_("Answer %(number)s", number=index), entry.get("text")),
                "feedback": text(_("Explanation %(number)s", number=index),
                                 entry.get("feedback"), required=bool(option.feedback))})
        fields["options"] = options
        fields["feedback"] = text(_("Explanation"), raw.get("feedback"),
                                  required=bool(reference.question.feedback))
    return (None, list(dict.fromkeys(problems))) if problems else (fields, [])
