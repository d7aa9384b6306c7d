"""Grading answers on the server: the page never decides what is right."""

import math
import random
from dataclasses import dataclass

from ..content.model import MULTIPLE, ORDER, Question, Step

Answer = int | list[int] | None


class BadAnswer(ValueError):
    """The answer does not have the form the question takes."""


def check_answer_form(question: Question, answer) -> Answer:
    """The answer in its canonical form, or BadAnswer: an option index for single choice,
    a list of indexes for multiple (any order) and order (the chosen sequence)."""
    count = len(question.options)
    if question.kind in (MULTIPLE, ORDER):
        if not isinstance(answer, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in answer):
            raise BadAnswer("a list of option numbers")
        if any(not 0 <= i < count for i in answer) or len(set(answer)) != len(answer):
            raise BadAnswer("option numbers out of range or repeated")
        if question.kind == ORDER and len(answer) != count:
            raise BadAnswer("every option must be placed once")
        return sorted(answer) if question.kind == MULTIPLE else list(answer)
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < count:
        raise BadAnswer("one option number")
    return answer


def right_answer(question: Question) -> Answer:
    """The answer, in its canonical form, that is graded right."""
    if question.kind in (MULTIPLE, ORDER):
        return list(question.correct_indexes)
    return question.correct_indexes[0]


def is_correct(question: Question, answer: Answer) -> bool:
    if question.kind == MULTIPLE:
        return set(answer) == set(question.correct_indexes)
    if question.kind == ORDER:
        return list(answer) == list(range(len(question.options)))
    return answer == question.correct_indexes[0]


def needed_right(question_count: int, mastery: float) -> int:
    """How many quiz questions must be right to finish a lesson: the course's mastery
    share of the questions, rounded down in the learner's favour, and at least one.

    With the usual 0.8 a 2- or 3-question quiz forgives one slip (1 of 2, 2 of 3), a
    5-question quiz needs 4 and a 10-question quiz 8; a course that asks for 1.0 still
    needs every answer. This is the one rule: the server grades by it, the result page
    states it, and the page hands its count to the phone for grading offline."""
    if question_count <= 0:
        return 0
    # round(): 0.7 × 10 is 7.000000000000001 in floating point, which must give 7.
    return max(1, math.floor(round(mastery * question_count, 9)))


@dataclass(frozen=True)
class Grade:
    right: int
    total: int
    needed: int

    @property
    def score(self) -> float:
        return self.right / self.total if self.total else 1.0

    @property
    def passed(self) -> bool:
        return self.right >= self.needed


def grade_attempt(quiz_steps: tuple[Step, ...], answers: dict, mastery: float) -> Grade:
    """Grade an attempt's answers ({"<step>": answer}); an unanswered or malformed one
    counts wrong."""
    right = 0
    for step in quiz_steps:
        raw = answers.get(str(step.number), answers.get(step.number))
        try:
            right += is_correct(step.question, check_answer_form(step.question, raw))
        except BadAnswer:
            continue
    return Grade(right=right, total=len(quiz_steps),
                 needed=needed_right(len(quiz_steps), mastery))


def canonical_answers(quiz_steps: tuple[Step, ...], answers: dict) -> dict[str, Answer]:
    """The quiz answers a finish carries, as they are kept: each quiz step's answer in its
    canonical form; a missing or malformed one, and anything else the phone sent, is left
    out (the attempt's answers in the log then stand for it)."""
    kept = {}
    for step in quiz_steps:
        raw = answers.get(str(step.number), answers.get(step.number))
        try:
            kept[str(step.number)] = check_answer_form(step.question, raw)
        except BadAnswer:
            continue
    return kept


def display_order(question: Question, seed: str) -> list[int]:
    """The order options are shown in: an `order` question is shuffled (the same way every
    time, so a page reload does not reshuffle), never shown already solved."""
    indexes = list(range(len(question.options)))
    if question.kind != ORDER:
        return indexes
    random.Random(seed).shuffle(indexes)
    if indexes == sorted(indexes):
        indexes.reverse()
    return indexes
