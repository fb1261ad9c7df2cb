"""Shared pieces of every question type: `Grade`, the two errors, the `QuestionType` base class
and small helpers for validating data, reading forms, shuffling and normalising text.

Pure Python: nothing here (or anywhere under ``quizzes/qtypes``) may import Django, so the
types can be used by importers, the JSON API, Celery tasks and tests alike.

Conventions used by all types (see docs/question-types.md):

* ``data`` is the validated, normalised JSON object of one question version. Indices are
  0-based positions in its stored lists; they never change because a version is immutable,
  but the next version may list the same items in another order.
* ``layout`` is a JSON-serialisable dict made once per attempt by ``make_layout(data, seed)``;
  it only decides display order (as stored indices of its version; ``carry_layout`` moves it
  onto another version). Grading never looks at it, so shuffling cannot change a grade.
* Stored responses name what was picked by its identity: its text (a choice, a prompt, an
  option; texts are unique where a response needs them to be), never its position. A regrade
  onto a version that reorders, adds or drops items therefore reads the same answer, or finds
  that the answer names something the version no longer has (``validate_response`` raises).
  The browser and API clients see *display values*: an item's position ("0", "1", ...) in the
  list as shown. ``student_view`` emits them, ``parse_form`` and ``from_display`` map them to
  stored responses through the layout, and ``to_display`` maps a stored response to them.
* A response is a dict, or ``None`` for "unanswered". Every way of writing "nothing"
  (no field, empty string, empty list) becomes ``None``.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Protocol

from ..limits import ANSWERS_MAX, DATA_INT_MAX, DATA_NUMBER_MAX

# ---------------------------------------------------------------------------------------------
# Grades and errors
# ---------------------------------------------------------------------------------------------

CORRECT = "correct"
PARTIAL = "partial"
INCORRECT = "incorrect"
NEEDS_GRADING = "needs_grading"
UNANSWERED = "unanswered"
STATES = (CORRECT, PARTIAL, INCORRECT, NEEDS_GRADING, UNANSWERED)

# Fractions closer than this to 0 or 1 count as 0 or 1. Authors write 0.333 for a third, and
# float sums of thirds are not exactly 1 (Moodle uses the same 1e-7 idea).
EPSILON = 1e-7


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one response.

    ``fraction`` is in [0, 1] (``None`` only for an essay waiting for a human), ``state`` is one
    of :data:`STATES`, and ``feedback`` holds the per-choice / per-answer feedback texts that
    apply to this response (never the general feedback, which belongs to the question).
    """

    fraction: float | None
    state: str
    feedback: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown grade state {self.state!r}")
        if self.fraction is not None and not 0.0 <= self.fraction <= 1.0:
            raise ValueError(f"grade fraction must be in [0, 1], got {self.fraction}")

    @classmethod
    def from_fraction(cls, fraction: float, feedback: Iterable[str] = ()) -> Grade:
        """Clamp ``fraction`` to [0, 1], snap values within :data:`EPSILON` of 0 or 1, and derive
        the state (correct / partial / incorrect). Empty feedback texts are dropped."""
        fraction = min(1.0, max(0.0, float(fraction)))
        if fraction > 1.0 - EPSILON:
            fraction = 1.0
        elif fraction < EPSILON:
            fraction = 0.0
        state = CORRECT if fraction == 1.0 else INCORRECT if fraction == 0.0 else PARTIAL
        return cls(fraction, state, [text for text in feedback if text])

    @classmethod
    def unanswered(cls) -> Grade:
        return cls(0.0, UNANSWERED, [])

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy (for storing on an attempt step or sending to an API)."""
        return asdict(self)


class QuestionDataError(ValueError):
    """``data`` (or a layout made for it) is not what the question type expects.

    ``path`` says where, relative to ``data`` ("choices[2].fraction", "text", "" for the whole
    object); ``message`` says what is wrong and how to fix it. ``str(error)`` joins the two.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class ResponseError(ValueError):
    """A response (a submitted form or a JSON body) is malformed: not something our own form can
    produce. A wrong answer is never a ResponseError; it is graded as wrong."""


class Form(Protocol):
    """What ``parse_form`` needs from a form: Django's QueryDict has it."""

    def getlist(self, key: str) -> list[str]: ...


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """Unicode NFKC (full-width letters and digits, decomposed Hangul, ligatures), then trim
    and collapse every run of white space to one space. Used to compare typed answers."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def format_number(value: float) -> str:
    """``12.0`` -> ``"12"``, ``0.1`` -> ``"0.1"``: shortest text that reads back the same."""
    if abs(value) < 1e15 and value == int(value):
        return str(int(value))
    return repr(float(value))


# ---------------------------------------------------------------------------------------------
# Validation helpers. Each takes the ``path`` of the value so errors can say where.
# ---------------------------------------------------------------------------------------------


def join(path: str, key: str | int) -> str:
    """``join("choices", 2)`` -> ``"choices[2]"``; ``join("choices[2]", "text")`` ->
    ``"choices[2].text"``; ``join("", "text")`` -> ``"text"``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def describe(value: Any) -> str:
    """A short description of a wrong value for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def check_object(
    raw: Any, path: str, *, required: Iterable[str] = (), optional: Iterable[str] = ()
) -> dict[str, Any]:
    """``raw`` must be a mapping with all ``required`` keys and no key outside ``required`` and
    ``optional``. Unknown keys are rejected rather than ignored: a typo such as ``shufle`` would
    otherwise silently do nothing."""
    if not isinstance(raw, Mapping):
        raise QuestionDataError(path, f"expected an object (mapping), got {describe(raw)}")
    required, optional = list(required), list(optional)
    allowed = required + optional
    for key in raw:
        if key not in allowed:
            raise QuestionDataError(
                join(path, str(key)),
                f"unknown key {key!r}; allowed keys here are {', '.join(allowed)}",
            )
    for key in required:
        if key not in raw:
            raise QuestionDataError(join(path, key), f"{key!r} is required")
    return dict(raw)


def check_list(raw: Any, path: str, *, min_items: int = 0, what: str = "items") -> list[Any]:
    """``raw`` must be a list (or tuple) with at least ``min_items`` elements and at most
    ``ANSWERS_MAX``: the most the editor reads back, so that a question from any path (a file,
    the API, a course pack) is saved from the editor whole."""
    if not isinstance(raw, (list, tuple)):
        raise QuestionDataError(path, f"expected a list of {what}, got {describe(raw)}")
    if len(raw) < min_items:
        raise QuestionDataError(
            path, f"needs at least {min_items} {what}, got {len(raw)}; add {what}"
        )
    if len(raw) > ANSWERS_MAX:
        raise QuestionDataError(
            path, f"has {len(raw)} {what}; the limit is {ANSWERS_MAX}: split the question"
        )
    return list(raw)


def check_text(raw: Any, path: str, *, required: bool = False) -> str:
    """A string, trimmed, with CRLF/CR newlines made LF (browsers send CRLF back, so a
    multi-line matching answer must be stored with the newlines it will be compared with).
    ``None`` counts as "". ``required`` means non-blank."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        hint = " (put it in quotes)" if isinstance(raw, (int, float, bool)) else ""
        raise QuestionDataError(path, f"expected text (a string), got {describe(raw)}{hint}")
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise QuestionDataError(path, "must not be empty")
    return text


def check_bool(raw: Any, path: str) -> bool:
    if not isinstance(raw, bool):
        raise QuestionDataError(path, f"expected true or false, got {describe(raw)}")
    return raw


def check_number(raw: Any, path: str) -> float:
    """A finite int or float (not a bool, not a numeric string), returned as float."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        hint = " (write it without quotes)" if isinstance(raw, str) else ""
        raise QuestionDataError(path, f"expected a number, got {describe(raw)}{hint}")
    if not math.isfinite(raw):
        raise QuestionDataError(path, f"expected a finite number, got {raw}")
    if abs(raw) > DATA_NUMBER_MAX:
        raise QuestionDataError(path, f"expected a number from {-DATA_NUMBER_MAX:g} to "
                                      f"{DATA_NUMBER_MAX:g}, got {raw:g}")
    return float(raw)


def check_fraction(raw: Any, path: str, *, low: float = -1.0, high: float = 1.0) -> float:
    """A grade fraction in [low, high]. Values a hair outside (float noise) are clamped."""
    value = check_number(raw, path)
    if not low - EPSILON <= value <= high + EPSILON:
        hint = ""
        if abs(value) > 1 and abs(value) <= 100:
            hint = f" (fractions are not percentages: write {value / 100:g} for {value:g}%)"
        raise QuestionDataError(
            path, f"fraction must be between {low:g} and {high:g}, got {value:g}{hint}"
        )
    return min(high, max(low, value))


def check_int(raw: Any, path: str, *, minimum: int | None = None) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # YAML/JSON may give 3.0 for 3
        else:
            raise QuestionDataError(path, f"expected a whole number, got {describe(raw)}")
    if minimum is not None and raw < minimum:
        raise QuestionDataError(path, f"must be at least {minimum}, got {raw}")
    if raw > DATA_INT_MAX:
        raise QuestionDataError(path, f"must be at most {DATA_INT_MAX}, got {raw}")
    return raw


def is_one(fraction: float) -> bool:
    return fraction > 1.0 - EPSILON


# ---------------------------------------------------------------------------------------------
# Layout helpers
# ---------------------------------------------------------------------------------------------


def shuffled_range(n: int, rng: random.Random | None) -> list[int]:
    """``[0, 1, ..., n-1]``, shuffled by ``rng`` when one is given (``None``: stored order)."""
    order = list(range(n))
    if rng is not None:
        rng.shuffle(order)
    return order


def carry_order(old: list[Any], new: list[Any]) -> list[int]:
    """Indices into ``new`` in the order ``old`` showed the same items (matched by equality);
    items of ``new`` that ``old`` lacks follow in their stored order."""
    position = {item: p for p, item in enumerate(old)}
    return sorted(range(len(new)), key=lambda i: (position.get(new[i], len(old)), i))


def make_rng(seed: int | str) -> random.Random:
    """A private generator: the same seed gives the same layout on every machine and Python run
    (int and str seeds are hashed deterministically, unlike ``hash()``)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, str)):
        raise TypeError(f"seed must be an int or str, got {type(seed).__name__}")
    return random.Random(seed)


def check_order(layout: Mapping[str, Any] | None, key: str, items: Sequence[int]) -> list[int]:
    """The permutation ``layout[key]`` of ``items`` (any order of exactly those values), or
    ``items`` themselves when there is no layout (``None`` or ``{}``: stored order, handy for
    previews). A layout that does not fit the data is a bug upstream, so it raises."""
    if not layout or key not in layout:
        return list(items)
    order = layout[key]
    if (
        not isinstance(order, list)
        or sorted(order) != sorted(items)
        or any(isinstance(i, bool) for i in order)
    ):
        raise QuestionDataError(
            f"layout.{key}",
            f"expected an ordering of {sorted(items)}, got {order!r}; "
            "the layout was made for different data: make a new one with make_layout()",
        )
    return list(order)


# ---------------------------------------------------------------------------------------------
# Form and response helpers
# ---------------------------------------------------------------------------------------------

_INDEX = re.compile(r"[0-9]{1,9}")


def form_values(form: Form, name: str) -> list[str]:
    """Non-blank values submitted under ``name`` (browsers send "" for an empty field)."""
    values = form.getlist(name)
    for value in values:
        if not isinstance(value, str):
            raise ResponseError(f"{name}: expected text, got {type(value).__name__}")
    return [value for value in values if value.strip()]


def form_value(form: Form, name: str) -> str | None:
    """The one non-blank value under ``name``, or ``None``. Two values is not something our
    templates produce, so it is a ResponseError rather than a guess."""
    values = form_values(form, name)
    if len(values) > 1:
        raise ResponseError(f"{name}: expected one value, got {len(values)}")
    return values[0] if values else None


def parse_index(value: str, count: int, name: str) -> int:
    """A decimal index in ``range(count)`` sent by a form."""
    value = value.strip()
    if not _INDEX.fullmatch(value) or int(value) >= count:
        raise ResponseError(f"{name}: expected a number from 0 to {count - 1}, got {value!r}")
    return int(value)


def is_blank(value: Any) -> bool:
    """``None`` or a blank string: "nothing chosen here" in a form or display response."""
    return value is None or (isinstance(value, str) and not value.strip())


def display_index(value: Any, count: int, what: str) -> int:
    """A display position in ``range(count)`` from a display response: an int (not a bool) or
    a decimal string such as ``"2"`` (the ``value`` strings of ``student_view``)."""
    if isinstance(value, str):
        return parse_index(value, count, what)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise ResponseError(f"{what}: expected a number from 0 to {count - 1}, got {value!r}")
    return value


def position_of(order: Sequence[Any], item: Any) -> str:
    """The display value (position as a string) of ``item`` in the display ``order``."""
    return str(order.index(item))


def check_response_object(response: Any, keys: Iterable[str]) -> dict[str, Any]:
    """A response must be a dict with exactly ``keys`` (all required)."""
    keys = list(keys)
    if not isinstance(response, Mapping):
        raise ResponseError(f"expected an object with {', '.join(keys)}, got {describe(response)}")
    if set(response) != set(keys):
        raise ResponseError(
            f"expected exactly the keys {', '.join(keys)}, got {', '.join(map(str, response))}"
        )
    return dict(response)


def response_index(value: Any, count: int, what: str) -> int:
    """An int in ``range(count)`` from a JSON response (bools are not ints here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise ResponseError(f"{what}: expected an index from 0 to {count - 1}, got {value!r}")
    return value


def response_text(response: Any, max_length: int | None) -> dict[str, str] | None:
    """Shared ``validate_response`` for ``{"text": str}`` responses: blank -> ``None``."""
    if response is None:
        return None
    response = check_response_object(response, ["text"])
    text = response["text"]
    if not isinstance(text, str):
        raise ResponseError(f"text: expected a string, got {describe(text)}")
    # Browsers submit CRLF; store one kind of newline so word counts and diffs agree.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None
    if max_length is not None and len(text) > max_length:
        raise ResponseError(f"text: at most {max_length} characters, got {len(text)}")
    return {"text": text}


# ---------------------------------------------------------------------------------------------
# The base class
# ---------------------------------------------------------------------------------------------


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the translation catalog without Django (the extractor finds it by
    this name); the web layer translates it where it is shown."""
    return message


class QuestionType:
    """One question type. Instances are stateless singletons held in ``qtypes.TYPES``.

    Subclasses implement every method below that raises NotImplementedError; the defaults cover
    types without a layout. All methods are pure: same arguments, same result, no I/O.
    """

    name: ClassVar[str] = ""
    #: What a user reads for this type, in English; translate it with gettext when shown.
    label: ClassVar[str] = ""
    #: False when the computer cannot grade it (essay: by hand; description: no answer).
    gradable: ClassVar[bool] = True
    #: False when the question takes no response at all (description). Not in the contract:
    #: lets an attempt skip the slot instead of counting it as "unanswered".
    answerable: ClassVar[bool] = True

    def __repr__(self) -> str:
        return f"<question type {self.name}>"

    def validate(self, raw: Any) -> dict[str, Any]:
        """Return a normalised copy of ``raw`` (defaults filled, texts trimmed, numbers as
        floats) or raise QuestionDataError(path, message)."""
        raise NotImplementedError

    def make_layout(self, data: dict[str, Any], seed: int | str) -> dict[str, Any]:
        """The display order for one attempt; deterministic for ``seed``; JSON-serialisable."""
        return {}

    def carry_layout(
        self, old_data: dict[str, Any], new_data: dict[str, Any], layout: dict[str, Any] | None
    ) -> dict[str, Any]:
        """An attempt's ``layout`` made for ``old_data``, moved onto ``new_data`` (a regrade
        onto a new version): the same display order by identity, new items last. The default
        suits types without a layout."""
        return dict(layout or {})

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        """What a student may see while answering: texts in display order, each selectable
        thing with its display ``value`` and ``selected`` flag (text inputs: ``current``), the
        latter computed from the stored ``response`` (validated; ResponseError if malformed).
        Never fractions, feedback, correct flags, stored indices or anything else revealing a
        key or the authored order."""
        raise NotImplementedError

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Read this question's fields (``prefix`` + field name; values are display values of
        ``layout``, the one the form was rendered with) into a stored response, ``None`` when
        nothing was answered; ResponseError for values our form cannot produce."""
        raise NotImplementedError

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        """Check a stored response against ``data``; return its normalised copy (``None`` for
        unanswered). ResponseError if malformed or if it names an item ``data`` lacks."""
        raise NotImplementedError

    def to_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any
    ) -> dict[str, Any] | None:
        """The stored ``response`` (validated first) with display values instead of the texts
        it names: what the JSON API sends. The default suits types without a layout."""
        return self.validate_response(data, response)

    def from_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, display_response: Any
    ) -> dict[str, Any] | None:
        """The inverse of ``to_display``: a display response (from an API client) as the
        stored response ``validate_response`` accepts; ResponseError if malformed."""
        return self.validate_response(data, display_response)

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        """Grade a response (validated first; ResponseError if malformed)."""
        raise NotImplementedError

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Grade | None = None,
    ) -> dict[str, Any]:
        """Everything the review page shows, keys included. ``grade`` defaults to
        ``self.grade(data, response)``. Always has ``fraction``, ``state``, ``feedback`` and
        ``right_answer`` at the top level."""
        raise NotImplementedError

    def right_answer(self, data: dict[str, Any]) -> str:
        """A one-line human summary of the right answer ("" when there is none)."""
        raise NotImplementedError

    # -- shared pieces for subclasses ---------------------------------------------------------

    def _review_common(
        self, data: dict[str, Any], response: Any, grade: Grade | None
    ) -> tuple[dict[str, Any] | None, Grade, dict[str, Any]]:
        """Validate the response, grade it if no grade was given, and build the keys every
        review has."""
        response = self.validate_response(data, response)
        if grade is None:
            grade = self.grade(data, response)
        common = {
            "fraction": grade.fraction,
            "state": grade.state,
            "feedback": list(grade.feedback),
            "right_answer": self.right_answer(data),
        }
        return response, grade, common
