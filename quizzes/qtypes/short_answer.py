"""short_answer: type a word or phrase (Moodle "shortanswer").

data: ``{"answers": [{"text", "fraction", "feedback"}], "case_sensitive": false}``; fractions in
[0, 1], at least one is 1. In an answer ``*`` matches any run of characters (also none) and
``\\*`` is a literal asterisk, as in Moodle. response: ``{"text": str}``.

Both sides are compared after Unicode NFKC (full-width forms, decomposed Hangul), trimming and
collapsing white space, and case folding unless ``case_sensitive``. The grade is the best
matching answer's fraction (the first of equals gives the feedback); no match scores 0.
"""

from __future__ import annotations

from typing import Any

from ._typed import TypedAnswer
from .base import (
    Grade,
    QuestionDataError,
    check_bool,
    check_fraction,
    check_list,
    check_object,
    check_text,
    gettext_noop,
    is_one,
    join,
    normalise_text,
)

#: Longest accepted response: a short answer is a phrase, and the cap bounds grading time.
MAX_LENGTH = 1000


def wildcard_pieces(pattern: str) -> list[str]:
    """Split an answer at its unescaped ``*``: ``"a*b\\*c"`` -> ``["a", "b*c"]``. One piece means
    no wildcard."""
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and pattern[i + 1 : i + 2] == "*":
            current.append("*")
            i += 2
            continue
        if char == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))
    return pieces


def wildcard_match(pieces: list[str], text: str) -> bool:
    """Whether ``text`` matches the pattern split into ``pieces`` (see wildcard_pieces).

    Greedy left-to-right search instead of a regex: with only ``*`` this is exact, and it runs
    in O(len(text) * len(pattern)) where a regex of ``.*`` runs can backtrack exponentially.
    """
    if len(pieces) == 1:
        return text == pieces[0]
    first, *middle, last = pieces
    if len(text) < len(first) + len(last) or not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def comparable(text: str, case_sensitive: bool) -> str:
    """The form in which typed text and answers are compared (NFKC, white space collapsed,
    case folded unless ``case_sensitive``; normalised again after folding, since folding can
    produce characters that NFKC would change)."""
    text = normalise_text(text)
    return text if case_sensitive else normalise_text(text.casefold())


class ShortAnswer(TypedAnswer):
    name = "short_answer"
    label = gettext_noop("Short answer")
    max_length = MAX_LENGTH

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(raw, "", required=["answers"], optional=["case_sensitive"])
        items = check_list(data["answers"], "answers", min_items=1, what="answers")
        answers: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            path = join("answers", i)
            item = check_object(item, path, required=["text"], optional=["fraction", "feedback"])
            answers.append(
                {
                    "text": check_text(item["text"], join(path, "text"), required=True),
                    # Moodle imports negative grades (=%-50%wrong); the grade is clamped at 0.
                    "fraction": check_fraction(item.get("fraction", 0), join(path, "fraction")),
                    "feedback": check_text(item.get("feedback"), join(path, "feedback")),
                }
            )
        if not any(is_one(answer["fraction"]) for answer in answers):
            raise QuestionDataError(
                "answers", "no answer has fraction 1; give the right answer fraction: 1"
            )
        return {
            "answers": answers,
            "case_sensitive": check_bool(data.get("case_sensitive", False), "case_sensitive"),
        }

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        """``{"max_length": int, "current": str}`` (``current``: the saved text, "" if none);
        nothing about the answers."""
        response = self.validate_response(data, response)
        return {"max_length": MAX_LENGTH, "current": response["text"] if response else ""}

    def _matched(self, data: dict[str, Any], text: str) -> int | None:
        """Stored index of the best matching answer, or None."""
        typed = comparable(text, data["case_sensitive"])
        best: int | None = None
        for i, answer in enumerate(data["answers"]):
            pieces = wildcard_pieces(comparable(answer["text"], data["case_sensitive"]))
            if wildcard_match(pieces, typed) and (
                best is None or answer["fraction"] > data["answers"][best]["fraction"]
            ):
                best = i
        return best

    def decide(self, data: dict[str, Any], text: str) -> tuple[int | None, float]:
        matched = self._matched(data, text)
        return matched, 0.0 if matched is None else data["answers"][matched]["fraction"]

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Grade | None = None,
    ) -> dict[str, Any]:
        """Adds ``response`` (the typed text or None), ``matched`` (stored index of the answer
        that decided the grade, or None) and ``answers`` (stored order: ``text``, ``fraction``,
        ``feedback``, ``correct``, ``matched``)."""
        response, grade, review = self._review_common(data, response, grade)
        matched = self._matched(data, response["text"]) if response else None
        review["response"] = response["text"] if response else None
        review["matched"] = matched
        review["answers"] = self.answers_review(data, matched)
        return review

    def right_answer(self, data: dict[str, Any]) -> str:
        best = next(a for a in data["answers"] if is_one(a["fraction"]))
        return best["text"].replace("\\*", "*")
