"""What single_choice and multiple_response share: a list of ``{text, fraction, feedback}``
choices shown in a (possibly shuffled) order. A response names a choice by its text (unique
within a question), never by its position, so a version with the choices reordered still
reads the same answer."""

from __future__ import annotations

from typing import Any

from .base import (
    CORRECT,
    EPSILON,
    INCORRECT,
    PARTIAL,
    QuestionDataError,
    QuestionType,
    ResponseError,
    carry_order,
    check_bool,
    check_fraction,
    check_list,
    check_object,
    check_order,
    check_text,
    display_index,
    join,
    make_rng,
    normalise_text,
    shuffled_range,
)


def duplicate_choice(data: dict[str, Any]) -> QuestionDataError | None:
    """Two choices that read the same: unfair when their fractions differ and pointless when
    they do not. The editor refuses them; an import keeps them (Moodle does) with a warning."""
    seen: dict[str, int] = {}
    for i, choice in enumerate(data.get("choices") or ()):
        key = normalise_text(choice["text"])
        if key in seen:
            return QuestionDataError(
                join(join("choices", i), "text"),
                f"same text as choices[{seen[key]}]; a student could not tell them apart",
            )
        seen[key] = i
    return None


class ChoiceQuestion(QuestionType):
    """Base for the choice types. Layout: ``{"order": [choice index, ...]}`` in display order."""

    def _validate_choices(self, raw: Any) -> dict[str, Any]:
        """Check the shape shared by both types; the fraction rules are the subclass's."""
        data = check_object(raw, "", required=["choices"], optional=["shuffle"])
        items = check_list(data["choices"], "choices", min_items=2, what="choices")
        choices: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            path = join("choices", i)
            item = check_object(item, path, required=["text"], optional=["fraction", "feedback"])
            text = check_text(item["text"], join(path, "text"), required=True)
            choices.append(
                {
                    "text": text,
                    "fraction": check_fraction(item.get("fraction", 0), join(path, "fraction")),
                    "feedback": check_text(item.get("feedback"), join(path, "feedback")),
                }
            )
        return {"choices": choices, "shuffle": check_bool(data.get("shuffle", True), "shuffle")}

    def make_layout(self, data: dict[str, Any], seed: int | str) -> dict[str, Any]:
        rng = make_rng(seed)
        return {"order": shuffled_range(len(data["choices"]), rng if data["shuffle"] else None)}

    def _order(self, data: dict[str, Any], layout: dict[str, Any] | None) -> list[int]:
        return check_order(layout, "order", range(len(data["choices"])))

    def carry_layout(
        self, old_data: dict[str, Any], new_data: dict[str, Any], layout: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The same display order by choice text; choices new in ``new_data`` go last."""
        if not layout or "order" not in layout:
            return {}
        texts = [old_data["choices"][i]["text"] for i in self._order(old_data, layout)]
        return {"order": carry_order(texts, [c["text"] for c in new_data["choices"]])}

    def _choice_text(self, data: dict[str, Any], value: Any, what: str) -> str:
        """``value`` as the text of one of ``data``'s choices (how responses name a choice)."""
        if not isinstance(value, str) or value not in indices_by_text(data):
            raise ResponseError(f"{what}: {value!r} is not one of the choices")
        return value

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        """``{"choices": [{"value": "0", "text": ..., "selected": bool}, ...]}`` in display
        order; ``value`` is the display position (the form value), never the stored index."""
        selected = self._selected(data, self.validate_response(data, response))
        choices = data["choices"]
        return {
            "choices": [
                {"value": str(position), "text": choices[i]["text"], "selected": i in selected}
                for position, i in enumerate(self._order(data, layout))
            ]
        }

    def _stored(self, data: dict[str, Any], order: list[int], value: Any, what: str) -> str:
        """The text of the choice shown at display value ``value``."""
        return data["choices"][order[display_index(value, len(order), what)]]["text"]

    def _selected(self, data: dict[str, Any], response: dict[str, Any] | None) -> set[int]:
        """Stored indices of the choices a (validated) response names."""
        raise NotImplementedError

    def _option_correct(self, fraction: float) -> bool:
        """Whether a choice with ``fraction`` is one the student should have picked."""
        raise NotImplementedError

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Any = None,
    ) -> dict[str, Any]:
        """Adds ``choices``: display order, each with ``index``, ``text``, ``selected``,
        ``correct`` (should be picked), ``state`` (correct / partial / incorrect: the value of
        picking it), ``fraction`` and ``feedback``."""
        response, grade, review = self._review_common(data, response, grade)
        selected = self._selected(data, response)
        rows = []
        for i in self._order(data, layout):
            choice = data["choices"][i]
            fraction = choice["fraction"]
            correct = self._option_correct(fraction)
            state = CORRECT if correct else PARTIAL if fraction > EPSILON else INCORRECT
            rows.append(
                {
                    "index": i,
                    "text": choice["text"],
                    "selected": i in selected,
                    "correct": correct,
                    "state": state,
                    "fraction": fraction,
                    "feedback": choice["feedback"],
                }
            )
        review["choices"] = rows
        return review


def indices_by_text(data: dict[str, Any]) -> dict[str, int]:
    """Each choice's text -> its stored index. Two choices with the same text (an imported
    Moodle file may have them) are one answer to a student, who cannot tell them apart: the
    text names the one with the higher fraction, so the student gets the benefit of the doubt."""
    found: dict[str, int] = {}
    choices = data["choices"]
    for i, choice in enumerate(choices):
        best = found.get(choice["text"])
        if best is None or choice["fraction"] > choices[best]["fraction"]:
            found[choice["text"]] = i
    return found
