"""select_missing_words: editor fields and statistics of "choose the word for each gap"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ..qtypes.select_missing_words import SelectMissingWords, gaps, offered
from .base import SHUFFLE, Col, EditorSpec, ListSpec, QTypeWeb, Scalar


class SelectMissingWordsWeb(QTypeWeb):
    core = SelectMissingWords()
    editor = EditorSpec(
        lists=(ListSpec("options", _("Choices for the gaps"), (
            Col("text", _("Choice"), "text"), Col("group", _("Group"), "int")), 4,
            _("Gap [[1]] is answered by choice 1, [[2]] by choice 2… A gap offers every choice "
              "of its right choice's group.")),),
        scalars=(
            Scalar("text", _("Text with gaps"), "textarea", "", first=True,
                   help=_("Mark each gap [[n]]: n is the number of its right choice below.")),
            SHUFFLE,
        ),
        # The text with gaps carries the question; the stem only introduces it.
        stem_label=_("Introduction (optional)"))

    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        if not answer:
            return ("-",)
        return tuple(f"{gap}:{option}" for gap, option in sorted(answer.get("gaps", {}).items()))

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        labels, right = {}, set()
        for number, right_index in enumerate(gaps(data), start=1):
            for i in offered(data, right_index):
                key = f"{number}:{data['options'][i]['text']}"
                labels[key] = _t("Gap %(number)s: %(word)s") % {
                    "number": number, "word": data["options"][i]["text"]}
                if i == right_index:
                    right.add(key)
        return labels, right


TYPE = SelectMissingWordsWeb()
