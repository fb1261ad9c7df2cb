"""description: text only (the stem), no answer, mark 0 (Moodle "description").

data: ``{}``. There is nothing to answer: parse_form and validate_response give None, and
grade() gives ``Grade(0.0, "unanswered", [])`` so code that grades every slot does not need a
special case; use ``answerable`` (False) to leave it out of "unanswered" counts.
"""

from __future__ import annotations

from typing import Any

from .base import Form, Grade, QuestionType, ResponseError, check_object, gettext_noop


class Description(QuestionType):
    name = "description"
    label = gettext_noop("Description (no answer)")
    gradable = False
    answerable = False

    def validate(self, raw: Any) -> dict[str, Any]:
        check_object({} if raw is None else raw, "")
        return {}

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        self.validate_response(data, response)
        return {}

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        return None

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        if response not in (None, {}):
            raise ResponseError("a description takes no response")
        return None

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        self.validate_response(data, response)
        return Grade.unanswered()

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Grade | None = None,
    ) -> dict[str, Any]:
        return self._review_common(data, response, grade)[2]

    def right_answer(self, data: dict[str, Any]) -> str:
        return ""
