"""The pieces of the question editor's inputs: rows and cells of an item list, a scalar
input, and the conversions between stored values and the text an input holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .. import qtypes
from ..formats.common import ALLOWED_FRACTIONS, percent_text
from ..qtypes_django.base import ListSpec, Scalar

META_FIELDS = ("name", "category", "tags", "key", "text_format", "stem", "general_feedback",
               "default_mark", "change_note")
PATH = re.compile(r"^([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?")



def fraction_value(fraction: float) -> str:
    return repr(float(fraction))


def grade_choices(current: list[str], positive_only: bool) -> list[tuple[str, str]]:
    grades = sorted({g for g in ALLOWED_FRACTIONS if not positive_only or g >= 0}, reverse=True)
    choices = [(fraction_value(g), f"{percent_text(g)}%") for g in grades]
    known = {float(v) for v, _label in choices}
    for value in current:  # keep a value a pack or the API stored outside Moodle's list
        try:
            number = float(value)
        except ValueError:
            continue
        if number not in known:
            choices.append((value, f"{percent_text(number)}%"))
            known.add(number)
    return choices


def number_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return qtypes.base.format_number(value)
    return str(value)



def match_choice(value: str, choices: list[tuple[str, str]]) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    for option, _label in choices:
        if float(option) == number:
            return option
    return value



@dataclass
class Cell:
    name: str
    value: str
    kind: str
    label: Any
    choices: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@dataclass
class Row:
    number: int
    cells: list[Cell]


@dataclass
class ListBlock:
    spec: ListSpec
    name: str
    rows: list[Row]
    errors: list = field(default_factory=list)


@dataclass
class ScalarField:
    spec: Scalar
    name: str
    value: Any
    errors: list = field(default_factory=list)


def convert(name: str, kind: str, raw: str) -> tuple[Any, str]:
    """The stored value of input ``name`` of ``kind`` holding ``raw``, and "" or the error to
    show next to it (the value is then None)."""
    raw = raw.strip()
    if kind in ("grade", "grade_pos"):
        try:
            return float(raw or 0), ""
        except ValueError:
            return None, str(_("Choose a grade."))
    if kind == "number":
        if not raw:
            return (1.0 if name.endswith("-multiplier") else 0.0), ""
        try:
            return float(raw.replace(",", ".")), ""
        except ValueError:
            return None, str(_("Enter a number."))
    if kind == "value":
        if raw == "*":
            return "*", ""
        try:
            return float(raw.replace(",", ".")), ""
        except ValueError:
            return None, str(_("Enter a number, or * for any other answer."))
    if kind in ("int", "int_or_blank"):
        if not raw:
            return (None if kind == "int_or_blank" else (1 if name.endswith("-group") else 0)), ""
        try:
            return int(raw), ""
        except ValueError:
            return None, str(_("Enter a whole number."))
    return raw, ""
