"""The web side of a question type: what the pure core (``quizzes.qtypes``) cannot hold because
it needs Django (translated labels, editor fields, the statistics table, data drawn per attempt
from the database).

A type's web side is a `QTypeWeb` subclass in its own module of this package, exported as
``TYPE``; `quizzes.qtype_registry` finds it there. Every method has a default that suits a type
with no choices to count and nothing drawn per attempt, so a simple type overrides little.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import qtypes
from ..qtypes import QuestionType

# --- editor fields ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One column of a list of items (a choice's text, its grade…)."""

    key: str
    label: Any
    kind: str = "text"  # text, textarea, grade, grade_pos, number, value, int


@dataclass(frozen=True)
class ListSpec:
    """A list in ``data`` (``choices``, ``answers``…) edited as rows of `Col` inputs."""

    key: str
    label: Any
    cols: tuple[Col, ...]
    min_rows: int = 3
    help: Any = ""


@dataclass(frozen=True)
class Scalar:
    """One value in ``data`` edited by one input."""

    key: str
    label: Any
    kind: str = "text"  # text, textarea, bool, truefalse, int, int_or_blank, number, choice
    default: Any = ""
    choices: tuple = ()
    help: Any = ""
    first: bool = False  # shown before the lists


@dataclass(frozen=True)
class EditorSpec:
    """The inputs of a type's part of the question editor. ``stem_label`` renames the question
    text field where the type gives it another role (an introduction)."""

    lists: tuple[ListSpec, ...] = ()
    scalars: tuple[Scalar, ...] = ()
    stem_label: Any = None


class EditorInputError(ValueError):
    """What an author typed cannot be turned into ``data``; ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


#: Shared by the choice types.
CHOICES = ListSpec("choices", _("Choices"), (
    Col("text", _("Choice"), "textarea"), Col("fraction", _("Grade"), "grade"),
    Col("feedback", _("Feedback"), "textarea")), 4,
    _("Leave a row empty to remove it. The right choice gets 100%."))
SHUFFLE = Scalar("shuffle", _("Shuffle the order for each student"), "bool", True)


# --- the web side of one type -------------------------------------------------------------------


class QTypeWeb:
    """Everything the site knows about one question type beyond its pure core.

    Subclasses set ``core`` (the `QuestionType` instance that validates and grades) and
    ``editor``, and override the hooks their type needs.
    """

    core: ClassVar[QuestionType]
    editor: ClassVar[EditorSpec] = EditorSpec()
    #: What the review calls the core's ``right_answer`` line.
    right_answer_label: ClassVar[Any] = _("The right answer")
    #: False where the type's own review already shows every key (the line would repeat it).
    right_answer_with_review: ClassVar[bool] = True
    #: Extra columns of the statistics table: (header, key of the row dict) pairs.
    stats_columns: ClassVar[tuple[tuple[Any, str], ...]] = ()

    def __init__(self, core: QuestionType | None = None) -> None:
        if core is not None:
            self.core = core
        if not getattr(self, "core", None):
            raise TypeError(f"{type(self).__name__} needs a core QuestionType")

    def __repr__(self) -> str:
        return f"<question type {self.name} (web)>"

    @property
    def name(self) -> str:
        return self.core.name

    @property
    def label(self) -> str:
        """The type's name as a user reads it, in the active language."""
        return gettext(self.core.label) if self.core.label else self.name

    @property
    def template(self) -> str:
        """The template that shows the question while answering, in a review and in previews."""
        return f"quizzes/qtypes/{self.name}.html"

    @property
    def scored(self) -> bool:
        """Whether the question counts towards the grade (a description takes no answer and
        is worth nothing)."""
        return self.core.answerable

    # -- editing ---------------------------------------------------------------------------

    def editor_values(self, data: dict) -> dict:
        """Stored ``data`` as the editor's inputs show it (keyed like ``editor``'s fields)."""
        return data

    def editor_data(self, values: dict) -> dict:
        """The inputs' values (converted) back into ``data``; EditorInputError if they cannot
        be read. ``data`` is validated afterwards by the core."""
        return values

    # -- attempts --------------------------------------------------------------------------

    def make_instance(self, *, data: dict, rng: random.Random, quiz, user_id: int
                      ) -> dict | None:
        """Data drawn for `user_id`'s attempt when it starts (stored on its response, used
        instead of the version's ``data``); None when every attempt uses the version's data."""
        return None

    def counts(self, instance: dict | None) -> bool:
        """Whether an attempt's item with this ``instance`` is worth its mark."""
        return self.scored

    def revealed_pool_images(self, review: dict | None) -> list[str]:
        """Ids of pool images whose key this review shows (graded quizzes avoid them later)."""
        return []

    # -- statistics ------------------------------------------------------------------------

    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        """What a student picked, as short keys for the choice-frequency table ("-": nothing).
        The default counts a typed answer by its normalised text."""
        if not answer:
            return ("-",)
        if isinstance(answer, dict) and "text" in answer:
            return (qtypes.normalise_text(str(answer["text"])).casefold()[:60],)
        return ("?",)

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        """Readable labels for choice keys, and the keys that are right answers."""
        return {}, set()

    def stats_data(self, data: dict, instances: list[dict | None]) -> dict:
        """The data whose choices the table lists: the version's ``data``; a type that draws
        per attempt lists what the attempts (``instances``) drew."""
        return data

    def stats_rows(self, rows: list[dict], data: dict, quiz) -> None:
        """Fill the ``stats_columns`` of each row (and reorder rows if the type wants)."""

    def stats_supply(self, *, course, question) -> Any:
        """What the results page shows above the item's table about where its per-attempt data
        comes from (spot_the_fake: the image pools' supply); None for nothing."""
        return None
