"""Translated labels of the choices the authoring pages offer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TEXT_FORMAT_LABELS = {
    "markdown": _("Markdown (with $math$)"),
    "html": _("HTML"),
    "plain": _("Plain text"),
    "moodle": _("Moodle auto-format"),
}
REVIEW_WINDOW_LABELS = {
    "during": _("During the attempt"),
    "immediately": _("Immediately after the attempt"),
    "open": _("Later, while the quiz is still open"),
    "closed": _("After the quiz is closed"),
}
REVIEW_ITEM_LABELS = {
    "attempt": _("The attempt"),
    "correctness": _("Whether correct"),
    "marks": _("Marks"),
    "specific_feedback": _("Specific feedback"),
    "general_feedback": _("General feedback"),
    "right_answer": _("Right answer"),
}
