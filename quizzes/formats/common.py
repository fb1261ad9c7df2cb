"""Helpers both formats share: Moodle's grade list, text trimming, default names, category
paths, and the normalisation/validation of a question's ``data``.

``normalise`` is the single definition of "the same question" used by the parsers (their
output always passes through it) and by the writers (they refuse what it refuses), so a
round trip compares ``normalise``d questions.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

from ..limits import ANSWERS_MAX, DATA_NUMBER_MAX, MARK_MAX
from .model import QTYPES, TEXT_FORMATS, ParsedQuestion, ParseResult

# --- grades ---------------------------------------------------------------------------------

# Moodle's question_bank::fraction_options_full(): the only answer grades an import accepts.
# Kept as exact fractions so that e.g. three 1/3 choices add up to exactly 1.0.
_POSITIVE_GRADES: tuple[float, ...] = (
    1.0,
    0.9,
    5 / 6,
    0.8,
    0.75,
    0.7,
    2 / 3,
    0.6,
    0.5,
    0.4,
    1 / 3,
    0.3,
    0.25,
    0.2,
    1 / 6,
    1 / 7,
    1 / 8,
    1 / 9,
    0.1,
    0.05,
    0.0,
)
ALLOWED_FRACTIONS: tuple[float, ...] = _POSITIVE_GRADES + tuple(-g for g in _POSITIVE_GRADES if g)

# match_grade_options() compares with this tolerance (in fraction units, not percent).
GRADE_TOLERANCE = 0.00001

ALLOWED_GRADES_TEXT = (
    "100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, "
    "14.28571, 12.5, 11.11111, 10, 5, 0 and their negatives"
)


def snap_fraction(value: float) -> float | None:
    """Return Moodle's grade closest to ``value`` (a fraction, 1.0 = 100 %), or None if
    ``value`` is not one of the allowed grades (Moodle rejects the whole import then)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
        return None
    for grade in ALLOWED_FRACTIONS:
        if abs(value - grade) < GRADE_TOLERANCE:
            return grade + 0.0  # + 0.0 turns -0.0 into 0.0
    return None


def percent_text(fraction: float) -> str:
    """``5/6`` -> ``"83.33333"``, ``0.5`` -> ``"50"``: how Moodle writes a grade in percent."""
    text = f"{round(fraction * 100, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- texts ----------------------------------------------------------------------------------

# PHP's trim() set. Python's str.strip() would also remove U+00A0 and other Unicode spaces,
# which Moodle keeps (truefalse.xml has a no-break space that must survive).
PHP_WHITESPACE = " \t\n\r\0\x0b"


def php_trim(text: str) -> str:
    return text.strip(PHP_WHITESPACE)


def clean_text(text: Any) -> str:
    """A text as both formats bring it back: line ends as ``\\n``, PHP-trimmed."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise DataProblem(f"expected text, got {type(text).__name__}")
    return php_trim(text.replace("\r\n", "\n").replace("\r", "\n"))


_TAG_RE = re.compile(r"<[^>]*>")
# PHP's strip_tags() also drops a tag left open at the end ("a <b"), but keeps "a < b".
_OPEN_TAG_RE = re.compile(r"<[A-Za-z/!?][^>]*$")

# A question may not have more answers (choices, pairs, options) than this, nor a file more
# questions: beyond them an import would take minutes and gigabytes for no real question.
MAX_ANSWERS = ANSWERS_MAX
MAX_QUESTIONS = 10000
MAX_CATEGORY_LEVELS = 10000


def too_many_answers(count: int) -> str:
    return (
        f"the question has {count:,} answers; the limit is {MAX_ANSWERS:,} per question "
        "(split it into several questions)"
    )


def too_many_questions() -> str:
    return (
        f"the file has more than {MAX_QUESTIONS:,} questions, the limit per file; "
        "split it into several files"
    )


# What XML 1.0 cannot carry (NUL and other C0 controls, lone surrogates, U+FFFE/U+FFFF):
# refused on import so that every stored question can be exported again.
UNCARRIABLE_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_name(name: str) -> str:
    """Moodle's clean_question_name(): clean_param(PARAM_TEXT) strips HTML tags from a
    question name, then the name is trimmed."""
    return php_trim(_OPEN_TAG_RE.sub("", _TAG_RE.sub("", name)))


def default_name(text: str, limit: int = 80) -> str:
    """Moodle's create_default_question_name(): the text without tags, cut at a word
    boundary to ``limit`` characters."""
    plain = " ".join(_TAG_RE.sub(" ", text).split())
    if len(plain) > limit:
        cut = plain[: limit - 3]
        if " " in cut:
            cut = cut[: cut.rindex(" ")]
        plain = cut + "..."
    return plain or "Untitled question"


# --- categories -----------------------------------------------------------------------------

_CONTEXT_RE = re.compile(r"^\$[a-z]*\$$")


def parse_category_path(path: str) -> tuple[str, ...]:
    """``$course$/top/Iota/Kappa`` -> ``("Iota", "Kappa")``.

    Moodle's split_category_path(): ``/`` separates, ``//`` is a literal slash.  The leading
    context (``$course$``, ``$system$``, ``$module$``, ``$cat$``…) and the context's ``top``
    category mean nothing on this platform and are dropped.
    """
    parts = [p.replace("//", "/") for p in re.split(r"(?<!/)/(?!/)", php_trim(path))]
    parts = [php_trim(p) for p in parts]
    if parts and _CONTEXT_RE.match(parts[0]):
        parts = parts[1:]
        if parts and parts[0] == "top":
            parts = parts[1:]
    return tuple(p for p in parts if p)


def format_category_path(category: tuple[str, ...]) -> str:
    """The inverse of :func:`parse_category_path`, always with ``$course$/top`` so that a
    first category literally named ``top`` or ``$x$`` survives."""
    for name in category:
        if name.startswith("/") or name.endswith("/"):
            raise DataProblem(
                f"category name '{name}' starts or ends with '/', which Moodle paths cannot carry"
            )
        if any(ch in name for ch in "\n\r"):
            raise DataProblem(f"category name {name!r} contains a line break")
    return "/".join(["$course$", "top", *(n.replace("/", "//") for n in category)])


def add_category(result: ParseResult, category: tuple[str, ...]) -> None:
    """Record ``category`` in ``result`` once. A set makes each call O(1) (a list's ``in`` made
    a file of many categories quadratic: 150,000 of them took minutes to read), and the file's
    category levels (the sum of its distinct paths' depths: the rows an import may create and
    the lookups it makes) are bounded like its questions. Raises DataProblem past the bound."""
    if not category or category in result.category_set:
        return
    result.category_set.add(category)
    result.categories.append(category)
    result.category_levels += len(category)
    if result.category_levels > MAX_CATEGORY_LEVELS:
        raise DataProblem(
            f"the file has more than {MAX_CATEGORY_LEVELS:,} categories (each level of a "
            "category path counts), the limit per file; split it into several files"
        )


# --- data normalisation ---------------------------------------------------------------------


class DataProblem(Exception):
    """A question's data breaks the contract; the caller adds where (line, element, name)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def _fraction(value: Any, path: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataProblem(f"fraction {value!r} is not a number", path) from None
    snapped = snap_fraction(number)
    if snapped is None:
        raise DataProblem(
            f"invalid grade {percent_text(number) if math.isfinite(number) else number}%; "
            f"Moodle allows only {ALLOWED_GRADES_TEXT}",
            path,
        )
    return snapped


def _number(value: Any, path: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataProblem(f"{value!r} is not a number", path) from None
    if not math.isfinite(number):
        raise DataProblem(f"{value!r} is not a finite number", path)
    if abs(number) > DATA_NUMBER_MAX:
        raise DataProblem(f"{value!r} is too large: write a number from {-DATA_NUMBER_MAX:g} "
                          f"to {DATA_NUMBER_MAX:g}", path)
    return number + 0.0


def _items(data: dict, key: str) -> list[dict]:
    items = data.get(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DataProblem(f"data needs a list of objects under '{key}'", key)
    return items


def _scored(items: list[dict], key: str, text_key: str = "text") -> list[dict]:
    out = []
    for i, item in enumerate(items):
        path = f"{key}[{i}]"
        text = clean_text(item.get(text_key, ""))
        if not text:
            raise DataProblem(f"{key[:-1]} {i + 1} has no text", path)
        out.append(
            {
                text_key: text,
                "fraction": _fraction(item.get("fraction", 0), path + ".fraction"),
                "feedback": clean_text(item.get("feedback", "")),
            }
        )
    return out


def _best(items: list[dict], what: str) -> None:
    best = max((i["fraction"] for i in items), default=0.0)
    if abs(best - 1.0) > 1e-6:
        raise DataProblem(
            f"no {what} is worth 100% (the best is {percent_text(best)}%); Moodle requires one",
            what + "s",
        )


def _choices(data: dict, single: bool) -> dict:
    choices = _scored(_items(data, "choices"), "choices")
    if len(choices) < 2:
        raise DataProblem("a choice question needs at least two choices", "choices")
    if single:
        _best(choices, "choice")
    else:
        total = sum(c["fraction"] for c in choices if c["fraction"] > 0)
        if abs(total - 1.0) > 1e-6:
            raise DataProblem(
                f"the positive grades add up to {percent_text(total)}%, not 100%; Moodle "
                "requires 100% for a multiple-response question",
                "choices",
            )
    return {"choices": choices, "shuffle": bool(data.get("shuffle", True))}


def _true_false(data: dict) -> dict:
    if not isinstance(data.get("correct"), bool):
        raise DataProblem("data needs 'correct': true or false", "correct")
    return {
        "correct": data["correct"],
        "feedback_true": clean_text(data.get("feedback_true", "")),
        "feedback_false": clean_text(data.get("feedback_false", "")),
    }


def _short_answer(data: dict) -> dict:
    answers = _scored(_items(data, "answers"), "answers")
    if not answers:
        raise DataProblem("a short-answer question needs at least one answer", "answers")
    _best(answers, "answer")
    return {"answers": answers, "case_sensitive": bool(data.get("case_sensitive", False))}


def _numerical(data: dict) -> dict:
    answers = []
    for i, item in enumerate(_items(data, "answers")):
        path = f"answers[{i}]"
        value = item.get("value")
        value = "*" if value == "*" else _number(value, path + ".value")
        tolerance = 0.0 if value == "*" else _number(item.get("tolerance", 0), path)
        if tolerance < 0:
            raise DataProblem(f"tolerance {tolerance:g} is negative", path + ".tolerance")
        answers.append(
            {
                "value": value,
                "tolerance": tolerance,
                "fraction": _fraction(item.get("fraction", 0), path + ".fraction"),
                "feedback": clean_text(item.get("feedback", "")),
            }
        )
    if not any(a["value"] != "*" for a in answers):
        raise DataProblem("a numerical question needs at least one numeric answer", "answers")
    _best(answers, "answer")
    units = []
    for i, unit in enumerate(data.get("units") or []):
        name = clean_text(unit.get("unit", "")) if isinstance(unit, dict) else ""
        if not name:
            raise DataProblem(f"unit {i + 1} has no name", f"units[{i}]")
        multiplier = _number(unit.get("multiplier", 1), f"units[{i}].multiplier")
        if multiplier == 0:
            raise DataProblem(f"unit '{name}' has multiplier 0", f"units[{i}]")
        units.append({"unit": name, "multiplier": multiplier})
    if units and units[0]["multiplier"] != 1:
        raise DataProblem("the first unit must have multiplier 1", "units[0]")
    out = {
        "answers": answers,
        "units": units,
        "unit_required": bool(data.get("unit_required", False)) and bool(units),
    }
    if out["unit_required"]:
        penalty = _number(data.get("unit_penalty", 1.0), "unit_penalty")
        if not 0 <= penalty <= 1:
            raise DataProblem(f"unit penalty {penalty:g} is not between 0 and 1", "unit_penalty")
        grading = data.get("unit_grading", "response")
        if grading not in ("response", "question"):
            raise DataProblem(f"unit grading {grading!r} is not response or question")
        out.update(unit_penalty=penalty, unit_grading=grading)
    return out


def _matching(data: dict) -> dict:
    pairs = []
    for i, item in enumerate(_items(data, "pairs")):
        prompt, answer = clean_text(item.get("prompt", "")), clean_text(item.get("answer", ""))
        if not prompt and not answer:
            continue  # Moodle drops blank rows too
        if not answer:
            raise DataProblem(f"prompt {i + 1} '{prompt}' has no answer", f"pairs[{i}]")
        pairs.append({"prompt": prompt, "answer": answer})
    if sum(1 for p in pairs if p["prompt"]) < 2:
        raise DataProblem("a matching question needs at least two prompts", "pairs")
    return {"pairs": pairs, "shuffle": bool(data.get("shuffle", True))}


GAP_RE = re.compile(r"\[\[(\d+)\]\]")


def _select_missing_words(data: dict) -> dict:
    text = clean_text(data.get("text", ""))
    options = []
    for i, item in enumerate(_items(data, "options")):
        group = item.get("group", 1)
        if isinstance(group, bool) or not isinstance(group, int) or group < 1:
            raise DataProblem(
                f"option {i + 1} has group {group!r}; groups are 1, 2, 3…", f"options[{i}].group"
            )
        options.append({"text": clean_text(item.get("text", "")), "group": group})
    gaps = [int(n) for n in GAP_RE.findall(text)]
    if not gaps:
        raise DataProblem("the text has no gaps; mark them [[1]], [[2]]…", "text")
    for n in gaps:
        if not 1 <= n <= len(options):
            raise DataProblem(f"gap [[{n}]] names option {n}, but there are {len(options)}", "text")
        if not options[n - 1]["text"]:
            raise DataProblem(f"gap [[{n}]] names option {n}, which has no text", "options")
    return {"text": text, "options": options, "shuffle": bool(data.get("shuffle", True))}


def _essay(data: dict) -> dict:
    response_format = data.get("response_format", "markdown")
    if response_format not in ("plain", "markdown"):
        raise DataProblem(
            f"response_format {response_format!r} is not plain or markdown", "response_format"
        )
    min_words = data.get("min_words") or 0
    max_words = data.get("max_words") or None
    for key, value in (("min_words", min_words), ("max_words", max_words)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise DataProblem(f"{key} {value!r} is not a whole number >= 0", key)
    return {
        "response_format": response_format,
        "min_words": min_words,
        "max_words": max_words,
        "grader_info": clean_text(data.get("grader_info", "")),
    }


def _cloze(data: dict) -> dict:
    from ..qtypes import QuestionDataError
    from ..qtypes.cloze import Cloze

    try:
        return Cloze().validate(data)
    except QuestionDataError as exc:
        raise DataProblem(str(exc), exc.path) from None


_DATA = {
    "single_choice": lambda d: _choices(d, single=True),
    "multiple_response": lambda d: _choices(d, single=False),
    "true_false": _true_false,
    "short_answer": _short_answer,
    "numerical": _numerical,
    "matching": _matching,
    "select_missing_words": _select_missing_words,
    "essay": _essay,
    "description": lambda d: {},
    "cloze": _cloze,
}


def normalise(q: ParsedQuestion) -> ParsedQuestion:
    """The canonical form of ``q``: texts trimmed, grades snapped to Moodle's list, defaults
    filled in, a name derived from the text when there is none.  Raises DataProblem when the
    question breaks the data contract or Moodle's rules (grades, a 100 % answer, …)."""
    if q.qtype not in QTYPES:
        raise DataProblem(f"unknown question type '{q.qtype}'")
    if q.text_format not in TEXT_FORMATS:
        raise DataProblem(f"unknown text format '{q.text_format}'")
    if not isinstance(q.data, dict):
        raise DataProblem("data must be an object")
    if not isinstance(q.files, dict) or not all(
        isinstance(k, str) and isinstance(v, (bytes, bytearray)) for k, v in q.files.items()
    ):
        raise DataProblem("files must map names to bytes")
    if not isinstance(q.extras, dict):
        raise DataProblem("extras must be an object")
    data = _DATA[q.qtype](q.data)
    stem = clean_text(q.stem)
    name = clean_name(clean_text(q.name)) or default_name(stem or data.get("text", ""))
    mark = 0.0 if q.qtype == "description" else round(_number(q.default_mark, "mark"), 7)
    if mark < 0:
        raise DataProblem(f"default mark {mark:g} is negative")
    if mark > MARK_MAX:
        raise DataProblem(f"default mark {mark:g} is too large: write a mark from 0 to "
                          f"{MARK_MAX}")
    return replace(
        q,
        name=name,
        stem=stem,
        data=data,
        general_feedback=clean_text(q.general_feedback),
        default_mark=mark + 0.0,
        category=tuple(c for c in (php_trim(str(c)) for c in q.category) if c),
        tags=tuple(t for t in (php_trim(str(t)) for t in q.tags) if t),
        idnumber=php_trim(q.idnumber or ""),
        files=dict(q.files),
        extras=dict(q.extras),
    )
