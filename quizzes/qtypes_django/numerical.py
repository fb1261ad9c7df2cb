"""numerical: editor fields of a number with tolerance and units (statistics count the typed
texts)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..qtypes.numerical import Numerical
from .base import Col, EditorSpec, ListSpec, QTypeWeb, Scalar


class NumericalWeb(QTypeWeb):
    core = Numerical()
    editor = EditorSpec(
        lists=(
            ListSpec("answers", _("Accepted answers"), (
                Col("value", _("Answer"), "value"),
                Col("tolerance", _("Error allowed (±)"), "number"),
                Col("fraction", _("Grade"), "grade_pos"),
                Col("feedback", _("Feedback"), "textarea")),
                2, _("Write * as the answer for \"any other answer\".")),
            ListSpec("units", _("Units"), (Col("unit", _("Unit"), "text"),
                                           Col("multiplier", _("Multiplier"), "number")), 1,
                     _("The first unit has multiplier 1; e.g. cm 1, m 0.01.")),
        ),
        scalars=(
            Scalar("unit_required", _("The unit must be given"), "bool", False),
            Scalar("unit_penalty", _("Penalty for a missing or wrong unit (0 to 1)"), "number",
                   1.0, help=_("1 makes such an answer wrong; Moodle's default is 0.1.")),
            Scalar("unit_grading", _("The penalty is a share of"), "choice", "response",
                   choices=(("response", _("the answer's grade")),
                            ("question", _("the question's grade")))),
        ))


TYPE = NumericalWeb()
