"""true_false: editor fields and statistics of a true/false statement."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ..qtypes.true_false import TrueFalse
from .base import EditorSpec, QTypeWeb, Scalar


class TrueFalseWeb(QTypeWeb):
    core = TrueFalse()
    editor = EditorSpec(scalars=(
        Scalar("correct", _("The statement is"), "truefalse", True),
        Scalar("feedback_true", _("Feedback for the answer \"true\""), "textarea"),
        Scalar("feedback_false", _("Feedback for the answer \"false\""), "textarea"),
    ))

    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        if not answer:
            return ("-",)
        return ("true" if answer.get("value") else "false",)

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        return ({"true": _t("True"), "false": _t("False")},
                {"true" if data["correct"] else "false"})


TYPE = TrueFalseWeb()
