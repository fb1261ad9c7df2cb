"""essay: editor fields of a written answer graded by hand."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..qtypes.essay import Essay
from .base import EditorSpec, QTypeWeb, Scalar


class EssayWeb(QTypeWeb):
    core = Essay()
    editor = EditorSpec(scalars=(
        Scalar("response_format", _("Answer format"), "choice", "plain",
               choices=(("plain", _("Plain text")), ("markdown", _("Markdown")))),
        Scalar("min_words", _("Minimum words"), "int", 0),
        Scalar("max_words", _("Maximum words"), "int_or_blank", None),
        Scalar("grader_info", _("Information for graders"), "textarea"),
    ))


TYPE = EssayWeb()
