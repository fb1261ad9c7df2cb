"""matching: editor fields and statistics of "match each item to its answer"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ..qtypes.matching import Matching, answer_pairs, prompted
from .base import SHUFFLE, Col, EditorSpec, ListSpec, QTypeWeb


class MatchingWeb(QTypeWeb):
    core = Matching()
    editor = EditorSpec(
        lists=(ListSpec("pairs", _("Pairs"), (
            Col("prompt", _("Item"), "textarea"), Col("answer", _("Matching answer"), "text")),
            4, _("A pair with an empty item adds a wrong answer to the list.")),),
        scalars=(SHUFFLE,))

    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        if not answer:
            return ("-",)
        return tuple(f"{pair}:{text}" for pair, text in sorted(answer.get("matches", {}).items()))

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        labels, right = {}, set()
        answers = [data["pairs"][i]["answer"] for i in answer_pairs(data)]
        for i in prompted(data):
            prompt = data["pairs"][i]["prompt"]
            for answer in answers:
                labels[f"{prompt}:{answer}"] = f"{prompt} → {answer}"
            right.add(f"{prompt}:{data['pairs'][i]['answer']}")
        return labels, right


TYPE = MatchingWeb()
