"""Grading answers on the server: the page never decides what is right."""

import random

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


def grade_attempt(quiz_steps: tuple[Step, ...], answers: dict) -> float:
    """Share of quiz questions answered right; an unanswered or malformed one counts wrong."""
    if not quiz_steps:
        return 1.0
    right = 0
    for step in quiz_steps:
        raw = answers.get(str(step.number), answers.get(step.number))
        try:
            right += is_correct(step.question, check_answer_form(step.question, raw))
        except BadAnswer:
            continue
    return right / len(quiz_steps)


def attempt_answers(quiz_steps: tuple[Step, ...], answers: dict) -> dict[str, Answer]:
    """The attempt's answers as they are kept: each quiz step's in its canonical form
    (None where it is missing or malformed), nothing else the phone sent."""
    kept = {}
    for step in quiz_steps:
        raw = answers.get(str(step.number), answers.get(step.number))
        try:
            kept[str(step.number)] = check_answer_form(step.question, raw)
        except BadAnswer:
            kept[str(step.number)] = None
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
