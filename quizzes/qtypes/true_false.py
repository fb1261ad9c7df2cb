"""true_false: is the statement (the stem) true?

data: ``{"correct": bool, "feedback_true": str, "feedback_false": str}``; ``feedback_true`` is
shown to whoever answered "true" and ``feedback_false`` to whoever answered "false" (Moodle's
meaning: feedback for the response, not for being right). response: ``{"value": bool}``.
No layout: true always comes first, as in Moodle.
"""

from __future__ import annotations

from typing import Any

from .base import (
    Form,
    Grade,
    QuestionType,
    ResponseError,
    check_bool,
    check_object,
    check_response_object,
    check_text,
    form_value,
    gettext_noop,
)

#: One-line labels for right_answer(); templates use their own translated labels.
LABELS = {True: "참", False: "거짓"}


class TrueFalse(QuestionType):
    name = "true_false"
    label = gettext_noop("True/false")

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(
            raw, "", required=["correct"], optional=["feedback_true", "feedback_false"]
        )
        return {
            "correct": check_bool(data["correct"], "correct"),
            "feedback_true": check_text(data.get("feedback_true"), "feedback_true"),
            "feedback_false": check_text(data.get("feedback_false"), "feedback_false"),
        }

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        """``{"options": [{"value": "1", "selected": bool}, {"value": "0", "selected": bool}]}``:
        the form values, true first (fixed, so they reveal nothing)."""
        response = self.validate_response(data, response)
        chosen = response["value"] if response else None
        return {
            "options": [
                {"value": "1", "selected": chosen is True},
                {"value": "0", "selected": chosen is False},
            ]
        }

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Field ``{prefix}value``: ``"1"`` (true) or ``"0"`` (false)."""
        name = f"{prefix}value"
        value = form_value(form, name)
        if value is None:
            return None
        value = value.strip()
        if value not in ("1", "0"):
            raise ResponseError(f'{name}: expected "1" or "0", got {value!r}')
        return {"value": value == "1"}

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        if response is None:
            return None
        response = check_response_object(response, ["value"])
        value = response["value"]
        if value is None:
            return None
        if not isinstance(value, bool):
            raise ResponseError(f"value: expected true or false, got {value!r}")
        return {"value": value}

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        response = self.validate_response(data, response)
        if response is None:
            return Grade.unanswered()
        value = response["value"]
        feedback = data["feedback_true"] if value else data["feedback_false"]
        return Grade.from_fraction(1.0 if value == data["correct"] else 0.0, [feedback])

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Grade | None = None,
    ) -> dict[str, Any]:
        """Adds ``options``: true then false, each with ``value`` (bool), ``form_value``
        ("1"/"0"), ``selected``, ``correct``, ``feedback``; and ``correct_value``."""
        response, grade, review = self._review_common(data, response, grade)
        chosen = response["value"] if response else None
        review["correct_value"] = data["correct"]
        review["options"] = [
            {
                "value": value,
                "form_value": "1" if value else "0",
                "selected": chosen is value,
                "correct": value == data["correct"],
                "feedback": data["feedback_true"] if value else data["feedback_false"],
            }
            for value in (True, False)
        ]
        return review

    def right_answer(self, data: dict[str, Any]) -> str:
        return LABELS[data["correct"]]
