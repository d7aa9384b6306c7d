"""The province's Digital Family criteria: one YAML file (LMS_DIGITAL_FAMILY_FILE, by
default lms/families/digital_family.yaml), checked like the course files: every problem is
reported as file:line and a file with a problem is never used.

A web worker reads it as it starts (lms/worker.py) and logs any problem; while the file
has a problem, households keep the status they have (nothing is recomputed) rather than
being judged by a half-read rule.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..content import yamllines
from ..content.catalog import catalog
from ..content.model import Problem

EVERY_MEMBER, ONE_MEMBER = "every_member", "one_member"
ADULT, CHILD = "adult", "child"
TOP_KEYS = ("unknown_birth_year", "rules")
RULE_KEYS = ("who", "min_age", "courses")
MAX_AGE = 120
DEFAULT_FILE = Path(__file__).parent / "digital_family.yaml"


@dataclass(frozen=True)
class Rule:
    who: str  # every_member | one_member
    min_age: int
    courses: tuple[str, ...]


@dataclass(frozen=True)
class Criteria:
    rules: tuple[Rule, ...]
    unknown_birth_year: str  # adult | child

    @property
    def courses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(slug for rule in self.rules for slug in rule.courses))


@dataclass(frozen=True)
class Reading:
    criteria: Criteria | None
    problems: tuple[Problem, ...]


def criteria_file() -> Path:
    return Path(current_app.config.get("LMS_DIGITAL_FAMILY_FILE") or DEFAULT_FILE)


def read_criteria(path: str | Path, known_courses: set[str]) -> Reading:
    """Read and check the file; `criteria` is None when there is any problem."""
    path = Path(path)
    name = str(path)
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(name, line, message))

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Reading(None, (Problem(name, 0, _(
            "The Digital Family criteria file cannot be read (LMS_DIGITAL_FAMILY_FILE)."
        )),))
    try:
        data = yamllines.load(text)
    except yamllines.YamlError as error:
        return Reading(None, (Problem(name, error.line, str(error)),))
    if not isinstance(data, yamllines.LineDict):
        return Reading(None, (Problem(name, 1, _(
            "The file must be a mapping with the keys %(keys)s.",
            keys=", ".join(TOP_KEYS))),))
    for key in data:
        if key not in TOP_KEYS:
            problem(data.line_of(key), _("Unknown key %(key)s (allowed: %(keys)s).",
                                         key=key, keys=", ".join(TOP_KEYS)))
    unknown = data.get("unknown_birth_year", ADULT)
    if unknown not in (ADULT, CHILD):
        problem(data.line_of("unknown_birth_year"), _(
            "unknown_birth_year must be %(choices)s.", choices="adult, child"))
    raw_rules = data.get("rules")
    rules: list[Rule] = []
    if not isinstance(raw_rules, list) or not raw_rules:
        problem(data.line_of("rules"), _("rules must be a list of at least one rule."))
        raw_rules = []
    for index, raw in enumerate(raw_rules):
        line = yamllines.item_line(data, "rules", index)
        if not isinstance(raw, yamllines.LineDict):
            problem(line, _("A rule must be a mapping with the keys %(keys)s.",
                            keys=", ".join(RULE_KEYS)))
            continue
        rule = _read_rule(raw, known_courses, problem)
        if rule is not None:
            rules.append(rule)
    if problems:
        return Reading(None, tuple(problems))
    return Reading(Criteria(rules=tuple(rules), unknown_birth_year=unknown), ())


def _read_rule(raw, known_courses: set[str], problem) -> Rule | None:
    found = []

    def report(line: int, message: str) -> None:
        found.append(1)
        problem(line, message)

    for key in raw:
        if key not in RULE_KEYS:
            report(raw.line_of(key), _("Unknown key %(key)s (allowed: %(keys)s).",
                                       key=key, keys=", ".join(RULE_KEYS)))
    for key in RULE_KEYS:
        if key not in raw:
            report(raw.line, _("The rule has no %(key)s.", key=key))
    who = raw.get("who")
    if "who" in raw and who not in (EVERY_MEMBER, ONE_MEMBER):
        report(raw.line_of("who"), _("who must be %(choices)s.",
                                     choices=f"{EVERY_MEMBER}, {ONE_MEMBER}"))
    min_age = raw.get("min_age")
    if "min_age" in raw and (isinstance(min_age, bool) or not isinstance(min_age, int)
                             or not 0 <= min_age <= MAX_AGE):
        report(raw.line_of("min_age"), _("min_age must be a whole number from 0 to "
                                         "%(most)s.", most=MAX_AGE))
    courses = raw.get("courses")
    if "courses" in raw:
        if not isinstance(courses, list) or not courses:
            report(raw.line_of("courses"), _("courses must be a list of course slugs."))
        else:
            for index, slug in enumerate(courses):
                line = yamllines.item_line(raw, "courses", index)
                if not isinstance(slug, str) or slug not in known_courses:
                    report(line, _("Unknown course %(slug)s.", slug=slug))
                elif courses.index(slug) != index:
                    report(line, _("The course %(slug)s is listed twice.", slug=slug))
    if found:
        return None
    return Rule(who=who, min_age=min_age, courses=tuple(courses))


def check() -> Reading:
    """Read the configured file against the loaded courses."""
    return read_criteria(criteria_file(), set(catalog().courses))


def current_criteria() -> Criteria | None:
    """The criteria in use, read once per process (None while the file has a problem)."""
    extensions = current_app.extensions
    if "lms_digital_family" not in extensions:
        reading = check()
        for problem in reading.problems:
            current_app.logger.error("Digital Family criteria: %s", problem)
        extensions["lms_digital_family"] = reading.criteria
    return extensions["lms_digital_family"]


def forget() -> None:
    """Read the file again on next use (after it changed, or in tests)."""
    current_app.extensions.pop("lms_digital_family", None)
