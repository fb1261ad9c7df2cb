"""single_choice: pick one of several choices (Moodle "multichoice", one answer).

data: ``{"choices": [{"text", "fraction", "feedback"}], "shuffle": true}``; fractions in [-1, 1],
the best is 1 (several may be 1; partial and negative ones allowed). response:
``{"choice": "<the chosen choice's text>"}``: by identity, not position.
The grade is the chosen choice's fraction, clamped to [0, 1] (a negative choice scores 0; the
contract keeps every question fraction in [0, 1]).
"""

from __future__ import annotations

from typing import Any

from ._choices import ChoiceQuestion, indices_by_text
from .base import (
    Form,
    Grade,
    QuestionDataError,
    check_response_object,
    form_value,
    gettext_noop,
    is_blank,
    is_one,
    position_of,
)


class SingleChoice(ChoiceQuestion):
    name = "single_choice"
    label = gettext_noop("Multiple choice (one answer)")

    def validate(self, raw: Any) -> dict[str, Any]:
        data = self._validate_choices(raw)
        best = max(choice["fraction"] for choice in data["choices"])
        if not is_one(best):
            raise QuestionDataError(
                "choices",
                f"no choice has fraction 1 (the highest is {best:g}); "
                "give the right answer fraction: 1",
            )
        return data

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Field ``{prefix}choice``: the chosen choice's display value."""
        name = f"{prefix}choice"
        value = form_value(form, name)
        if value is None:
            return None
        return {"choice": self._stored(data, self._order(data, layout), value, name)}

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        if response is None:
            return None
        response = check_response_object(response, ["choice"])
        if response["choice"] is None:
            return None
        return {"choice": self._choice_text(data, response["choice"], "choice")}

    def to_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any
    ) -> dict[str, Any] | None:
        """``{"choice": "<display value>"}``."""
        response = self.validate_response(data, response)
        if response is None:
            return None
        index = indices_by_text(data)[response["choice"]]
        return {"choice": position_of(self._order(data, layout), index)}

    def from_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, display_response: Any
    ) -> dict[str, Any] | None:
        """``{"choice": display value}`` (string or int; null or "" is unanswered)."""
        if display_response is None:
            return None
        value = check_response_object(display_response, ["choice"])["choice"]
        if is_blank(value):
            return None
        choice = self._stored(data, self._order(data, layout), value, "choice")
        return self.validate_response(data, {"choice": choice})

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        response = self.validate_response(data, response)
        if response is None:
            return Grade.unanswered()
        choice = data["choices"][indices_by_text(data)[response["choice"]]]
        return Grade.from_fraction(choice["fraction"], [choice["feedback"]])

    def _selected(self, data: dict[str, Any], response: dict[str, Any] | None) -> set[int]:
        return {indices_by_text(data)[response["choice"]]} if response else set()

    def _option_correct(self, fraction: float) -> bool:
        return is_one(fraction)

    def right_answer(self, data: dict[str, Any]) -> str:
        return " / ".join(c["text"] for c in data["choices"] if is_one(c["fraction"]))
