"""cloze: the editor's one text with embedded answers, and per-gap statistics."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from .. import qtypes
from ..qtypes._choices import indices_by_text
from ..qtypes.cloze import Cloze, ClozeError, cloze_text, parse_cloze
from .base import EditorInputError, EditorSpec, QTypeWeb, Scalar


class ClozeWeb(QTypeWeb):
    core = Cloze()
    editor = EditorSpec(scalars=(
        Scalar("cloze", _("Text with embedded answers (Cloze)"), "textarea", "", first=True,
               help=_("Write each answer in place, as Moodle does: {1:SHORTANSWER:=Paris}, "
                      "{2:NUMERICAL:=12.5:0.1}, {1:MULTICHOICE:=right~wrong}, "
                      "{1:MULTIRESPONSE:%50%a~%50%b~c}. The number before the type is the "
                      "weight; %50% gives half marks; #text after an answer is its feedback.")),
    ))

    # Authors write the subquestions as Moodle's embedded-answer text, not as lists.
    def editor_values(self, data: dict) -> dict:
        return {"cloze": cloze_text(data)} if data else {}

    def editor_data(self, values: dict) -> dict:
        try:
            return parse_cloze(str(values.get("cloze", "")))
        except ClozeError as exc:
            raise EditorInputError("d-cloze", str(exc)) from None

    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        """Per subquestion: "n:choice text" or "n:typed text" (normalised)."""
        if not answer:
            return ("-",)
        subs = (data or {}).get("subquestions", [])
        keys = []
        for number, value in sorted(answer.get("answers", {}).items(), key=lambda i: int(i[0])):
            by_text = 0 < int(number) <= len(subs) and "choices" in subs[int(number) - 1]
            for item in value if isinstance(value, list) else [value]:
                text = str(item) if by_text else \
                    qtypes.normalise_text(str(item)).casefold()[:40]
                keys.append(f"{number}:{text}")
        return tuple(keys) or ("-",)

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        labels: dict[str, str] = {}
        right: set[str] = set()
        for number, sub in enumerate(data["subquestions"], start=1):
            # A text names the better of two same-text choices, as in grading.
            for text, i in (indices_by_text(sub) if "choices" in sub else {}).items():
                fraction = sub["choices"][i]["fraction"]
                labels[f"{number}:{text}"] = _t("Gap %(number)s: %(word)s") % {
                    "number": number, "word": text}
                if fraction > 0.999 or (sub["kind"] == "multiresponse" and fraction > 0):
                    right.add(f"{number}:{text}")
            for answer in sub.get("answers", []) if sub["kind"] == "short_answer" else []:
                key = f"{number}:{qtypes.normalise_text(answer['text']).casefold()[:40]}"
                labels[key] = _t("Gap %(number)s: %(word)s") % {
                    "number": number, "word": answer["text"]}
                if answer["fraction"] > 0.999:
                    right.add(key)
        return labels, right


TYPE = ClozeWeb()
