"""essay: free text, graded by a person (Moodle "essay").

data: ``{"response_format": "plain" | "markdown", "min_words": 0, "max_words": null,
"grader_info": ""}``. response: ``{"text": str}`` (CRLF stored as LF). Grading gives
``Grade(None, "needs_grading", [])`` for any answer; the mark comes from a person.

Word limits are shown to the student and reported in the review (``word_count``,
``too_short``, ``too_long``), never enforced by refusing the text: losing an essay over a word
count would be worse than a long one. ``grader_info`` is for graders only and is in neither
student_view nor review_view; a grading page reads it from ``data``.
"""

from __future__ import annotations

from typing import Any

from .base import (
    NEEDS_GRADING,
    Form,
    Grade,
    QuestionDataError,
    QuestionType,
    check_int,
    check_object,
    check_text,
    form_value,
    gettext_noop,
    response_text,
)

FORMATS = ("plain", "markdown")
MAX_LENGTH = 100_000


def count_words(text: str) -> int:
    """Words are runs of non-space characters (works for Korean, which separates words with
    spaces, like Moodle's count)."""
    return len(text.split())


class Essay(QuestionType):
    name = "essay"
    label = gettext_noop("Essay")
    gradable = False

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(
            raw, "", optional=["response_format", "min_words", "max_words", "grader_info"]
        )
        response_format = data.get("response_format", "plain")
        if response_format not in FORMATS:
            raise QuestionDataError(
                "response_format",
                f"expected one of {', '.join(FORMATS)}, got {response_format!r}",
            )
        min_words = check_int(data.get("min_words", 0), "min_words", minimum=0)
        max_words = data.get("max_words")
        if max_words is not None:
            max_words = check_int(max_words, "max_words", minimum=1)
            if max_words < min_words:
                raise QuestionDataError(
                    "max_words", f"must be at least min_words ({min_words}), got {max_words}"
                )
        return {
            "response_format": response_format,
            "min_words": min_words,
            "max_words": max_words,
            "grader_info": check_text(data.get("grader_info"), "grader_info"),
        }

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        """``{"response_format", "min_words", "max_words", "max_length", "current"}``
        (``current``: the saved text, "" if none)."""
        response = self.validate_response(data, response)
        return {
            "response_format": data["response_format"],
            "min_words": data["min_words"],
            "max_words": data["max_words"],
            "max_length": MAX_LENGTH,
            "current": response["text"] if response else "",
        }

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Field ``{prefix}text``, kept as typed (only newlines normalised)."""
        value = form_value(form, f"{prefix}text")
        return self.validate_response(data, None if value is None else {"text": value})

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        return response_text(response, MAX_LENGTH)

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        if self.validate_response(data, response) is None:
            return Grade.unanswered()
        return Grade(None, NEEDS_GRADING, [])

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Grade | None = None,
    ) -> dict[str, Any]:
        """Adds ``response`` (text or None), ``response_format``, ``word_count``,
        ``min_words``, ``max_words``, ``too_short``, ``too_long``. ``fraction`` is the given
        grade's, so a manual grade passed in shows."""
        response, grade, review = self._review_common(data, response, grade)
        words = count_words(response["text"]) if response else 0
        review.update(
            response=response["text"] if response else None,
            response_format=data["response_format"],
            word_count=words,
            min_words=data["min_words"],
            max_words=data["max_words"],
            too_short=bool(response) and words < data["min_words"],
            too_long=data["max_words"] is not None and words > data["max_words"],
        )
        return review

    def right_answer(self, data: dict[str, Any]) -> str:
        return ""
