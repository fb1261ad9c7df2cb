"""The part shared by the types answered by typing one line (short_answer, numerical): the
``{"text": str}`` response, its form field, and grading by the one answer that matches best."""

from __future__ import annotations

from typing import Any, ClassVar

from .base import Form, Grade, QuestionType, form_value, is_one, response_text


class TypedAnswer(QuestionType):
    """A subclass sets ``max_length`` and implements ``decide``."""

    max_length: ClassVar[int]

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Field ``{prefix}text``."""
        value = form_value(form, f"{prefix}text")
        return self.validate_response(data, None if value is None else {"text": value})

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        """``{"text": str}`` trimmed; blank is unanswered."""
        response = response_text(response, self.max_length)
        return None if response is None else {"text": response["text"].strip()}

    def decide(self, data: dict[str, Any], text: str) -> tuple[int | None, float]:
        """(stored index of the answer that decides the grade of ``text`` or None, the
        fraction it gives)."""
        raise NotImplementedError

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        response = self.validate_response(data, response)
        if response is None:
            return Grade.unanswered()
        matched, fraction = self.decide(data, response["text"])
        if matched is None:
            return Grade.from_fraction(0.0)
        return Grade.from_fraction(fraction, [data["answers"][matched]["feedback"]])

    @staticmethod
    def answers_review(data: dict[str, Any], matched: int | None) -> list[dict[str, Any]]:
        """The answers in stored order, each with ``correct`` and ``matched``."""
        return [{**answer, "correct": is_one(answer["fraction"]), "matched": i == matched}
                for i, answer in enumerate(data["answers"])]
