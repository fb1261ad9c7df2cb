"""multiple_response: editor fields and statistics of "choose all correct answers"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ..qtypes.multiple_response import MultipleResponse
from .base import CHOICES, SHUFFLE, EditorSpec, ListSpec, QTypeWeb


class MultipleResponseWeb(QTypeWeb):
    core = MultipleResponse()
    editor = EditorSpec(lists=(ListSpec("choices", _("Choices"), CHOICES.cols, 4, _(
        "Leave a row empty to remove it. The grades of the right choices add up to 100%; "
        "wrong ones get 0% or a negative penalty.")),), scalars=(SHUFFLE,))

    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        if not answer:
            return ("-",)
        return tuple(str(text) for text in answer.get("choices", [])) or ("-",)

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        labels = {choice["text"]: choice["text"] for choice in data["choices"]}
        return labels, {c["text"] for c in data["choices"] if c["fraction"] > 0}


TYPE = MultipleResponseWeb()
