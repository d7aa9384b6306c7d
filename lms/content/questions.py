"""Checking the question blocks of a lesson file."""

import re
from collections.abc import Callable

from flask_babel import gettext as _

from .model import (
    MULTIPLE,
    ORDER,
    PICTURE,
    QUESTION_KINDS,
    SINGLE,
    TRUEFALSE,
    Option,
    Picture,
    Question,
)
from .yamllines import LineDict

OPTION_COUNTS = {
    SINGLE: (2, 5), TRUEFALSE: (2, 2), MULTIPLE: (2, 6), PICTURE: (2, 4), ORDER: (3, 7),
}
QUESTION_KEYS = {"kind", "prompt", "options", "feedback"}
OPTION_KEYS = {"text", "correct", "feedback", "image"}
IMAGE_PATH = re.compile(r"^images/([a-z0-9][a-z0-9_-]*\.(?:svg|webp))$")
# A picture answer's caption describes the picture; a verdict in it gives the answer away.
VERDICT = re.compile(r"\b(?:lừa đảo|giả|thật|đúng|sai|an toàn|scam|fake|real|genuine|right|"
                     r"wrong|correct|safe)\b", re.IGNORECASE)

Report = Callable[[int, str], None]


def parse_question(data, line: int, report: Report, check_image: Callable) -> Question | None:
    """A Question from a parsed block, or None after reporting every problem found."""
    if not isinstance(data, LineDict):
        report(line, _("A question block must be a mapping with kind, prompt and options."))
        return None
    ok = True
    for key in sorted(set(data) - QUESTION_KEYS):
        report(data.line_of(key), _("Unknown question field %(key)s.", key=key))
        ok = False
    kind = data.get("kind")
    if kind not in QUESTION_KINDS:
        report(data.line_of("kind"), _("The question kind must be one of: %(kinds)s.",
                                       kinds=", ".join(QUESTION_KINDS)))
        return None
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        report(data.line_of("prompt"), _("The question needs a prompt."))
        ok = False
    raw_options = data.get("options")
    if not isinstance(raw_options, list):
        report(data.line_of("options"), _("The question needs a list of options."))
        return None
    low, high = OPTION_COUNTS[kind]
    if not low <= len(raw_options) <= high:
        report(data.line_of("options"),
               _("A %(kind)s question has %(low)s to %(high)s options, not %(count)s.",
                 kind=kind, low=low, high=high, count=len(raw_options)))
        ok = False
    options = []
    for raw in raw_options:
        option = _parse_option(raw, kind, data.line_of("options"), report, check_image)
        ok = ok and option is not None
        if option is not None:
            options.append(option)
    feedback = data.get("feedback", "")
    if kind == ORDER and (not isinstance(feedback, str) or not feedback.strip()):
        report(data.line, _("An order question needs a feedback that explains the right order."))
        ok = False
    if ok and kind != ORDER:
        right = sum(option.correct for option in options)
        if kind in (SINGLE, TRUEFALSE, PICTURE) and right != 1:
            report(data.line_of("options"),
                   _("A %(kind)s question has exactly one correct option, not %(count)s.",
                     kind=kind, count=right))
            ok = False
        if kind == MULTIPLE and right < 1:
            report(data.line_of("options"), _("A multiple question needs a correct option."))
            ok = False
    if not ok:
        return None
    return Question(kind=kind, prompt=prompt.strip(), options=tuple(options),
                    feedback=(feedback or "").strip())


def _parse_option(raw, kind: str, line: int, report: Report, check_image) -> Option | None:
    if not isinstance(raw, LineDict):
        report(line, _("Each option is a mapping with text and feedback."))
        return None
    ok = True
    for key in sorted(set(raw) - OPTION_KEYS):
        report(raw.line_of(key), _("Unknown option field %(key)s.", key=key))
        ok = False
    text = raw.get("text")
    if not isinstance(text, str | int) or not str(text).strip():
        report(raw.line, _("The option needs a text."))
        ok = False
    correct = raw.get("correct", False)
    if not isinstance(correct, bool):
        report(raw.line_of("correct"), _("correct must be true or false."))
        ok = False
    if kind == ORDER and "correct" in raw:
        report(raw.line_of("correct"),
               _("Order options are listed in the right order; they take no correct field."))
        ok = False
    feedback = raw.get("feedback")
    if kind != ORDER and (not isinstance(feedback, str) or not feedback.strip()):
        report(raw.line, _("Every option needs a feedback that explains why."))
        ok = False
    picture = None
    if kind == PICTURE:
        image = raw.get("image")
        match = IMAGE_PATH.match(image) if isinstance(image, str) else None
        if match is None:
            report(raw.line_of("image"), _("A picture option needs image: images/<file>."))
            ok = False
        elif isinstance(text, str) and (verdict := VERDICT.search(text)):
            report(raw.line, _("A picture answer's caption says \"%(word)s\": describe what "
                               "the picture shows, without giving the answer away.",
                               word=verdict.group(0)))
            ok = False
        elif check_image(match.group(1), raw.line_of("image"), as_option=True):
            picture = Picture(file=match.group(1), alt=str(text).strip())
        else:
            ok = False
    elif "image" in raw:
        report(raw.line_of("image"), _("Only picture questions have images in options."))
        ok = False
    if not ok:
        return None
    return Option(text=str(text).strip(), correct=correct, feedback=(feedback or "").strip(),
                  picture=picture)
