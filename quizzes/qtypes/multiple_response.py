"""multiple_response: tick any number of choices (Moodle "multichoice", several answers).

data: ``{"choices": [{"text", "fraction", "feedback"}], "shuffle": true}``; fractions in [-1, 1]
and the positive ones sum to 1 (±0.01, so authors may write 0.33 for a third).
response: ``{"choices": ["<text>", ...]}``: the ticked choices' texts (identity, not position),
in stored order, no duplicates; an empty list is "unanswered".
grade = clamp(sum of the chosen fractions, 0, 1). Because 0.33 + 0.33 + 0.33 is not 1, the sum
is divided by the actual positive total: ticking exactly the right choices always scores 1,
and with positives that sum to exactly 1 this is the plain contract formula.
"""

from __future__ import annotations

from typing import Any

from ._choices import ChoiceQuestion, indices_by_text
from .base import (
    EPSILON,
    Form,
    Grade,
    QuestionDataError,
    ResponseError,
    check_response_object,
    form_values,
    gettext_noop,
)

SUM_TOLERANCE = 0.01


class MultipleResponse(ChoiceQuestion):
    name = "multiple_response"
    label = gettext_noop("Multiple choice (several answers)")

    def validate(self, raw: Any) -> dict[str, Any]:
        data = self._validate_choices(raw)
        total = _positive_total(data)
        if abs(total - 1.0) > SUM_TOLERANCE + EPSILON:
            raise QuestionDataError(
                "choices",
                f"the positive fractions must add up to 1, got {total:g}; give each right "
                "choice its share (two right choices: 0.5 each; three: 0.33 each) and the "
                "wrong ones 0 or a negative penalty",
            )
        return data

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Field ``{prefix}choices`` (one value per ticked box): display values."""
        name = f"{prefix}choices"
        order = self._order(data, layout)
        chosen = {self._stored(data, order, value, name) for value in form_values(form, name)}
        return {"choices": _in_stored_order(data, chosen)} if chosen else None

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        if response is None:
            return None
        response = check_response_object(response, ["choices"])
        chosen = response["choices"]
        if not isinstance(chosen, (list, tuple)):
            raise ResponseError(f"choices: expected a list of choice texts, got {chosen!r}")
        texts = {self._choice_text(data, text, "choices[]") for text in chosen}
        return {"choices": _in_stored_order(data, texts)} if texts else None

    def to_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any
    ) -> dict[str, Any] | None:
        """``{"choices": ["<display value>", ...]}`` in display order."""
        response = self.validate_response(data, response)
        if response is None:
            return None
        order = self._order(data, layout)
        index = indices_by_text(data)
        positions = sorted(order.index(index[text]) for text in response["choices"])
        return {"choices": [str(position) for position in positions]}

    def from_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, display_response: Any
    ) -> dict[str, Any] | None:
        """``{"choices": [display value, ...]}`` (strings or ints; [] is unanswered)."""
        if display_response is None:
            return None
        values = check_response_object(display_response, ["choices"])["choices"]
        if not isinstance(values, (list, tuple)):
            raise ResponseError(f"choices: expected a list of display values, got {values!r}")
        order = self._order(data, layout)
        chosen = {self._stored(data, order, value, "choices[]") for value in values}
        return self.validate_response(data, {"choices": _in_stored_order(data, chosen)})

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        response = self.validate_response(data, response)
        if response is None:
            return Grade.unanswered()
        chosen = [data["choices"][i] for i in sorted(self._selected(data, response))]
        # Summed in stored order like _positive_total, so ticking exactly the positive choices
        # gives the identical float and the ratio is exactly 1.
        total = sum(c["fraction"] for c in chosen)
        return Grade.from_fraction(total / _positive_total(data), [c["feedback"] for c in chosen])

    def _selected(self, data: dict[str, Any], response: dict[str, Any] | None) -> set[int]:
        index = indices_by_text(data)
        return {index[text] for text in response["choices"]} if response else set()

    def _option_correct(self, fraction: float) -> bool:
        return fraction > 0

    def right_answer(self, data: dict[str, Any]) -> str:
        return ", ".join(c["text"] for c in data["choices"] if c["fraction"] > 0)


def _positive_total(data: dict[str, Any]) -> float:
    return sum(c["fraction"] for c in data["choices"] if c["fraction"] > 0)


def _in_stored_order(data: dict[str, Any], texts: set[str]) -> list[str]:
    return [c["text"] for c in data["choices"] if c["text"] in texts]
