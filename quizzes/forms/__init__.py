"""Forms of the authoring pages, one module per concept: the question editor (`editor`, with
its inputs in `editor_fields`), the bank's categories, import and export (`bank`), a quiz's
settings and overrides (`quiz`), and the labels of their choices (`labels`). The web side of
each question type (its editor fields) lives in `quizzes.qtypes_django`."""

from ..qtype_registry import qtype_label
from ..qtypes_django.base import Col, ListSpec, Scalar
from .bank import FORMAT_CHOICES, CategoryForm, ExportForm, ImportForm, category_choices
from .editor import QuestionEditor
from .editor_fields import fraction_value
from .labels import REVIEW_ITEM_LABELS, REVIEW_WINDOW_LABELS, TEXT_FORMAT_LABELS
from .quiz import GradeOverrideForm, QuizOverrideForm, QuizSettingsForm, review_grid

__all__ = [
    "FORMAT_CHOICES",
    "REVIEW_ITEM_LABELS",
    "REVIEW_WINDOW_LABELS",
    "TEXT_FORMAT_LABELS",
    "CategoryForm",
    "Col",
    "ExportForm",
    "GradeOverrideForm",
    "ImportForm",
    "ListSpec",
    "QuestionEditor",
    "QuizOverrideForm",
    "QuizSettingsForm",
    "Scalar",
    "category_choices",
    "fraction_value",
    "qtype_label",
    "review_grid",
]
