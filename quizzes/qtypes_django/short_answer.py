"""short_answer: editor fields of a typed answer (statistics count the typed texts)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..qtypes.short_answer import ShortAnswer
from .base import Col, EditorSpec, ListSpec, QTypeWeb, Scalar


class ShortAnswerWeb(QTypeWeb):
    core = ShortAnswer()
    editor = EditorSpec(
        lists=(ListSpec("answers", _("Accepted answers"), (
            Col("text", _("Answer"), "text"), Col("fraction", _("Grade"), "grade_pos"),
            Col("feedback", _("Feedback"), "textarea")), 3,
            _("* matches any characters. Leave a row empty to remove it.")),),
        scalars=(Scalar("case_sensitive", _("Case sensitive"), "bool", False),))


TYPE = ShortAnswerWeb()
