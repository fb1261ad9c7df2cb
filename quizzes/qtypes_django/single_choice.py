"""single_choice: editor fields and statistics of "choose one answer"."""

from __future__ import annotations

from typing import Any

from ..qtypes.single_choice import SingleChoice
from .base import CHOICES, SHUFFLE, EditorSpec, QTypeWeb


class SingleChoiceWeb(QTypeWeb):
    core = SingleChoice()
    editor = EditorSpec(lists=(CHOICES,), scalars=(SHUFFLE,))

    # Answers name choices by their text, so attempts regraded onto a reordered version and
    # attempts left on the old one count under the same key.
    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        return (str(answer.get("choice")),) if answer else ("-",)

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        labels = {choice["text"]: choice["text"] for choice in data["choices"]}
        return labels, {c["text"] for c in data["choices"] if c["fraction"] > 0.999}


TYPE = SingleChoiceWeb()
