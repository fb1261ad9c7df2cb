"""The question types (pure Python; no Django). See docs/question-types.md.

>>> from quizzes import qtypes
>>> qt = qtypes.get("single_choice")
>>> data = qt.validate({"choices": [{"text": "A", "fraction": 1}, {"text": "B"}]})
>>> qt.grade(data, {"choice": "A"}).state
'correct'
"""

from __future__ import annotations

from .base import (
    STATES,
    Grade,
    QuestionDataError,
    QuestionType,
    ResponseError,
    normalise_text,
)
from .cloze import Cloze
from .description import Description
from .essay import Essay
from .matching import Matching
from .multiple_response import MultipleResponse
from .numerical import Numerical
from .select_missing_words import SelectMissingWords
from .short_answer import ShortAnswer
from .single_choice import SingleChoice
from .spot_the_fake import SpotTheFake
from .true_false import TrueFalse

#: Every question type by name, in the order authoring menus should list them.
TYPES: dict[str, QuestionType] = {
    qt.name: qt
    for qt in (
        SingleChoice(),
        MultipleResponse(),
        TrueFalse(),
        ShortAnswer(),
        Numerical(),
        Matching(),
        SelectMissingWords(),
        Cloze(),
        SpotTheFake(),
        Essay(),
        Description(),
    )
}


def register(qt: QuestionType) -> None:
    """Add ``qt`` under its name (after the built-in types); a second type with a name already
    taken is refused, so two modules cannot silently replace each other's grading."""
    if not qt.name or not isinstance(qt, QuestionType):
        raise ValueError(f"{qt!r} is not a named QuestionType instance")
    current = TYPES.get(qt.name)
    if current is not None and type(current) is not type(qt):
        raise ValueError(f"question type {qt.name!r} is already registered as {current!r}")
    TYPES[qt.name] = qt  # the same class again: instances are stateless, either will do


def unregister(name: str) -> None:
    """Remove the type called ``name`` (tests that register a type of their own)."""
    TYPES.pop(name, None)


def get(name: str) -> QuestionType:
    """The question type called ``name``; QuestionDataError("qtype", ...) if there is none."""
    try:
        return TYPES[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name such as a list
        raise QuestionDataError(
            "qtype", f"unknown question type {name!r}; expected one of {', '.join(TYPES)}"
        ) from None


__all__ = [
    "STATES",
    "TYPES",
    "Grade",
    "QuestionDataError",
    "QuestionType",
    "ResponseError",
    "get",
    "normalise_text",
    "register",
    "unregister",
]
