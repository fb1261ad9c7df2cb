"""numerical: type a number, optionally with a unit (Moodle "numerical").

data::

    {"answers": [{"value": 12.5 | "*", "tolerance": 0.1, "fraction": 1, "feedback": ""}],
     "units": [{"unit": "cm", "multiplier": 1}, {"unit": "m", "multiplier": 0.01}],
     "unit_required": false}

with ``unit_required``, also ``"unit_penalty": 1.0`` and ``"unit_grading": "response"``.

response: ``{"text": "12.5 cm"}``, stored as typed. Reading it, as Moodle does:

* the number: optional sign (``-``, ``+`` or U+2212), digits, a decimal mark that may be ``.`` or
  ``,`` (``12,5`` is 12.5), an optional exponent (``1.5e3``). When both marks appear, the last
  one is the decimal mark and the other separates thousands (``1,234.5`` and ``1.234,5``); a
  single kind used more than once separates thousands (``1,234,567``). Full-width digits work
  (NFKC).
* the unit: whatever follows, with or without a space (``12.5cm``). It must be one of ``units``
  (compared after NFKC, case-sensitive: ``m`` is not ``M``); the number is divided by its
  multiplier to get the value in the first unit (with cm = 1 and m = 0.01, ``0.125 m`` is 12.5).
  No unit means the first unit, unless ``unit_required``.
* with ``unit_required``, units are graded as Moodle grades them (qtype_numerical_question::
  get_matching_answer and apply_unit_penalty): a number with a missing or unknown unit, or
  one that only matches when its unit is ignored, is compared as typed, and the answer's
  fraction loses ``unit_penalty`` (0 to 1, default 1): a share of that fraction when
  ``unit_grading`` is ``"response"`` (the default; Moodle's unitgradingtype 1), or that much
  of the whole question when it is ``"question"`` (unitgradingtype 2); never below 0.
* an answer matches when ``|value - answer.value| <= tolerance``. The best matching answer's
  fraction is the grade; ``"*"`` answers ("any other answer") apply only when no numeric answer
  matches, including to text that is not a number or has a wrong or missing unit.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ._typed import TypedAnswer
from .base import (
    Grade,
    QuestionDataError,
    check_bool,
    check_fraction,
    check_list,
    check_number,
    check_object,
    check_text,
    describe,
    format_number,
    gettext_noop,
    is_one,
    join,
    normalise_text,
)

MAX_LENGTH = 200
ANY = "*"
# How a unit penalty counts: a share of the matched answer's fraction, or of the question.
UNIT_GRADING = ("response", "question")

# Problems reading a response; templates map them to translated messages.
NOT_A_NUMBER = "not_a_number"
MISSING_UNIT = "missing_unit"
UNKNOWN_UNIT = "unknown_unit"

_NUMBER = re.compile(
    r"(?P<sign>[+-]?)\s*(?P<mantissa>[0-9][0-9.,]*|[.,][0-9][0-9.,]*)"
    r"(?P<exponent>[eE][+-]?[0-9]+)?(?P<rest>.*)",
    re.DOTALL,
)
_THOUSANDS = {
    ",": re.compile(r"[0-9]{1,3}(,[0-9]{3})+"),
    ".": re.compile(r"[0-9]{1,3}(\.[0-9]{3})+"),
}


def _mantissa(text: str) -> str | None:
    """Rewrite digits with ``.``/``,`` marks as a Python float literal, or None if ambiguous
    nonsense such as ``1.2.3``."""
    marks = [c for c in text if c in ".,"]
    if not marks:
        return text
    decimal = marks[-1]
    if marks.count(decimal) > 1:
        # One kind of mark used several times: thousands separators ("1,234,567"), no decimals.
        if len(set(marks)) == 1 and _THOUSANDS[decimal].fullmatch(text):
            return text.replace(decimal, "")
        return None
    whole, _, fraction = text.rpartition(decimal)
    other = "," if decimal == "." else "."
    if other in whole:
        if not _THOUSANDS[other].fullmatch(whole):
            return None
        whole = whole.replace(other, "")
    return f"{whole or '0'}.{fraction or '0'}"


def parse_number(text: str) -> tuple[float, str] | None:
    """``"12,5 cm"`` -> ``(12.5, "cm")``; ``None`` when ``text`` does not start with a number.
    The unit comes back normalised (NFKC, white space collapsed), "" when absent."""
    text = normalise_text(text).replace("\u2212", "-")
    found = _NUMBER.fullmatch(text)
    if not found:
        return None
    mantissa = _mantissa(found["mantissa"])
    if mantissa is None:
        return None
    try:
        value = float(f"{found['sign']}{mantissa}{found['exponent'] or ''}")
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value, normalise_text(found["rest"])


class Numerical(TypedAnswer):
    name = "numerical"
    label = gettext_noop("Numerical")
    max_length = MAX_LENGTH

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(
            raw,
            "",
            required=["answers"],
            optional=["units", "unit_required", "unit_penalty", "unit_grading"],
        )
        answers = [
            self._validate_answer(item, join("answers", i))
            for i, item in enumerate(
                check_list(data["answers"], "answers", min_items=1, what="answers")
            )
        ]
        if not any(is_one(answer["fraction"]) for answer in answers):
            raise QuestionDataError(
                "answers", "no answer has fraction 1; give the right answer fraction: 1"
            )
        units = self._validate_units(data.get("units") or [])
        unit_required = check_bool(data.get("unit_required", False), "unit_required")
        if unit_required and not units:
            raise QuestionDataError(
                "unit_required", "a unit is required but no units are defined; add units"
            )
        out = {"answers": answers, "units": units, "unit_required": unit_required}
        if unit_required:
            grading = data.get("unit_grading", UNIT_GRADING[0])
            if grading not in UNIT_GRADING:
                raise QuestionDataError(
                    "unit_grading",
                    f'expected "response" or "question", got {describe(grading)}',
                )
            out["unit_penalty"] = check_fraction(
                data.get("unit_penalty", 1.0), "unit_penalty", low=0.0
            )
            out["unit_grading"] = grading
        return out

    @staticmethod
    def _validate_answer(item: Any, path: str) -> dict[str, Any]:
        item = check_object(
            item, path, required=["value"], optional=["tolerance", "fraction", "feedback"]
        )
        value: float | str
        if item["value"] == ANY:
            value, tolerance = ANY, 0.0
        else:
            if isinstance(item["value"], str):
                raise QuestionDataError(
                    join(path, "value"),
                    f'expected a number or "*" (any other answer), got {describe(item["value"])}; '
                    "write numbers without quotes",
                )
            value = check_number(item["value"], join(path, "value"))
            tolerance = check_number(item.get("tolerance", 0), join(path, "tolerance"))
            if tolerance < 0:
                raise QuestionDataError(
                    join(path, "tolerance"), f"tolerance must be 0 or more, got {tolerance:g}"
                )
        return {
            "value": value,
            "tolerance": tolerance,
            "fraction": check_fraction(item.get("fraction", 0), join(path, "fraction"), low=0.0),
            "feedback": check_text(item.get("feedback"), join(path, "feedback")),
        }

    @staticmethod
    def _validate_units(raw: Any) -> list[dict[str, Any]]:
        units = []
        seen: dict[str, int] = {}
        for i, item in enumerate(check_list(raw, "units", what="units")):
            path = join("units", i)
            item = check_object(item, path, required=["unit"], optional=["multiplier"])
            unit = check_text(item["unit"], join(path, "unit"), required=True)
            key = normalise_text(unit)
            if key in seen:
                raise QuestionDataError(join(path, "unit"), f"same unit as units[{seen[key]}]")
            if parse_number(unit) is not None:
                raise QuestionDataError(
                    join(path, "unit"), f"a unit cannot start with a number, got {unit!r}"
                )
            seen[key] = i
            multiplier = check_number(item.get("multiplier", 1), join(path, "multiplier"))
            if multiplier <= 0:
                raise QuestionDataError(
                    join(path, "multiplier"), f"multiplier must be above 0, got {multiplier:g}"
                )
            if i == 0 and multiplier != 1:
                raise QuestionDataError(
                    join(path, "multiplier"),
                    f"the first unit is the one answers are written in, so its multiplier must "
                    f"be 1, got {multiplier:g}",
                )
            units.append({"unit": unit, "multiplier": multiplier})
        return units

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        """``{"unit_required": bool, "has_units": bool, "max_length": int, "current": str}``
        (``has_units`` lets a template drop ``inputmode="decimal"``, whose phone keyboards
        cannot type a unit; ``current`` is the saved text, "" if none)."""
        response = self.validate_response(data, response)
        return {
            "unit_required": data["unit_required"],
            "has_units": bool(data["units"]),
            "max_length": MAX_LENGTH,
            "current": response["text"] if response else "",
        }

    def interpret(self, data: dict[str, Any], text: str) -> dict[str, Any]:
        """How ``text`` was read: ``value`` (in the first unit, or None), ``unit`` (the unit as
        typed, normalised, or None) and ``problem`` (None, "not_a_number", "missing_unit" or
        "unknown_unit")."""
        parsed = parse_number(text)
        if parsed is None:
            return {"value": None, "unit": None, "problem": NOT_A_NUMBER}
        number, unit = parsed
        if not unit:
            if data["unit_required"]:
                return {"value": None, "unit": None, "problem": MISSING_UNIT}
            return {"value": number, "unit": None, "problem": None}
        for known in data["units"]:
            if normalise_text(known["unit"]) == unit:
                return {"value": number / known["multiplier"], "unit": unit, "problem": None}
        return {"value": None, "unit": unit, "problem": UNKNOWN_UNIT}

    def _matched(self, data: dict[str, Any], value: float | None) -> int | None:
        """Stored index of the best numeric answer containing ``value``, else of the best
        ``"*"`` answer, else None."""
        answers = data["answers"]
        for wanted_any in (False, True):
            best: int | None = None
            for i, answer in enumerate(answers):
                if (answer["value"] == ANY) != wanted_any:
                    continue
                if not wanted_any:
                    # A hair of relative slack so 0.125 m / 0.01 = 12.499999999999998 is 12.5.
                    slack = 1e-12 * max(1.0, abs(answer["value"]))
                    if value is None or abs(value - answer["value"]) > answer["tolerance"] + slack:
                        continue
                if best is None or answer["fraction"] > answers[best]["fraction"]:
                    best = i
            if best is not None:
                return best
        return None

    def _graded_match(self, data: dict[str, Any], text: str) -> tuple[int | None, bool]:
        """(stored index of the deciding answer or None, whether the unit counts as right).

        Without ``unit_required`` the unit is never penalised. With it, as Moodle's
        get_matching_answer(): the value in the first unit when the unit is known, else the
        number as typed, which matches with a wrong unit."""
        if not data["unit_required"]:
            return self._matched(data, self.interpret(data, text)["value"]), True
        parsed = parse_number(text)
        if parsed is None:
            return self._matched(data, None), True
        number, unit = parsed
        multiplier = next(
            (u["multiplier"] for u in data["units"] if normalise_text(u["unit"]) == unit), None
        )
        if multiplier is not None:
            matched = self._matched(data, number / multiplier)
            if matched is not None and data["answers"][matched]["value"] != ANY:
                return matched, True
        matched = self._matched(data, number)
        return matched, False

    @staticmethod
    def unit_penalised(data: dict[str, Any], fraction: float) -> float:
        """Moodle's apply_unit_penalty() for a response whose unit is not right."""
        penalty = data.get("unit_penalty", 1.0)
        if data.get("unit_grading", "response") == "question":
            return max(fraction - penalty, 0.0)
        return max(fraction - penalty * fraction, 0.0)

    def decide(self, data: dict[str, Any], text: str) -> tuple[int | None, float]:
        matched, unit_right = self._graded_match(data, text)
        if matched is None:
            return None, 0.0
        fraction = data["answers"][matched]["fraction"]
        return matched, fraction if unit_right else self.unit_penalised(data, fraction)

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Grade | None = None,
    ) -> dict[str, Any]:
        """Adds ``response`` (typed text or None), ``value``/``unit``/``problem`` (see
        interpret()), ``matched`` (stored index of the deciding answer, or None), ``answers``
        (stored order, each with ``correct`` and ``matched``) and ``units``."""
        response, grade, review = self._review_common(data, response, grade)
        reading = (
            self.interpret(data, response["text"])
            if response
            else {"value": None, "unit": None, "problem": None}
        )
        matched = self._graded_match(data, response["text"])[0] if response else None
        review.update(reading)
        review["response"] = response["text"] if response else None
        review["matched"] = matched
        review["answers"] = self.answers_review(data, matched)
        review["units"] = [dict(unit) for unit in data["units"]]
        return review

    def right_answer(self, data: dict[str, Any]) -> str:
        """``"12.5 ± 0.1 cm"`` for the first fully right numeric answer."""
        right = [a for a in data["answers"] if is_one(a["fraction"])]
        numeric = [a for a in right if a["value"] != ANY]
        if not numeric:
            return ANY
        answer = numeric[0]
        text = format_number(answer["value"])
        if answer["tolerance"]:
            text += f" ± {format_number(answer['tolerance'])}"
        if data["units"]:
            text += f" {data['units'][0]['unit']}"
        return text
