"""cloze: a passage with embedded answers (Moodle "multianswer", Cloze).

data::

    {"text": "The capital of France is {#1}; 2 + 2 = {#2}.",
     "subquestions": [
        {"kind": "short_answer", "weight": 1, "case_sensitive": false,
         "answers": [{"text": "Paris", "fraction": 1, "feedback": ""}]},
        {"kind": "numerical", "weight": 1,
         "answers": [{"value": 4, "tolerance": 0, "fraction": 1, "feedback": ""}]},
        {"kind": "multichoice", "weight": 2, "display": "dropdown", "shuffle": false,
         "choices": [{"text": "A", "fraction": 1, "feedback": ""}, ...]},
        {"kind": "multiresponse", "weight": 1, "display": "vertical", "shuffle": false,
         "choices": [...]}]}

``{#n}`` marks where subquestion n (1-based) is answered; every subquestion appears exactly
once. ``display`` is ``dropdown`` (multichoice only), ``vertical`` or ``horizontal``.

response: ``{"answers": {"1": "Paris", "2": "4", "3": "A", "4": ["A", "C"]}}``: typed text
for short_answer and numerical, the chosen choice's text for multichoice, the ticked choices'
texts (in stored order) for multiresponse: by identity, never by position, as every choice type,
so a version with the choices reordered reads the same answer (display values in the API, as
every type). Two choices of one subquestion with the same text are one answer to a student: the
text names the one with the higher fraction (``indices_by_text``). Grading follows Moodle's
qtype_multianswer_question::grade_response(): the sum of each subquestion's fraction times
its weight, over the sum of the weights. A short answer matches as the short_answer type does
(``*`` wildcard), a number as numerical does (tolerance, ``*`` any other answer), a
multichoice gives its choice's fraction, a multiresponse the sum of its chosen fractions
clamped to [0, 1].

The Cloze syntax (``{2:SHORTANSWER:=Paris#Right~%50%Marseille#Half}``) is read by
:func:`parse_cloze` and written by :func:`cloze_text`, with Moodle's type names and the
errors a teacher needs (where, what, how to fix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ._choices import indices_by_text
from .base import (
    CORRECT,
    INCORRECT,
    PARTIAL,
    Form,
    Grade,
    QuestionDataError,
    QuestionType,
    ResponseError,
    carry_order,
    check_bool,
    check_fraction,
    check_list,
    check_number,
    check_object,
    check_order,
    check_text,
    describe,
    display_index,
    form_values,
    format_number,
    gettext_noop,
    is_one,
    join,
    make_rng,
    parse_index,
    position_of,
    shuffled_range,
)
from .numerical import parse_number
from .short_answer import comparable, wildcard_match, wildcard_pieces

KINDS = ("short_answer", "numerical", "multichoice", "multiresponse")
DISPLAYS = {"multichoice": ("dropdown", "vertical", "horizontal"),
            "multiresponse": ("vertical", "horizontal")}
MAX_LENGTH = 200
MARKER_RE = re.compile(r"\{#(\d+)\}")

# Moodle's Cloze type names (question/type/multianswer/questiontype.php, ANSWER_TYPE_DEF_REGEX)
# -> (kind, case_sensitive / display, shuffle).
_TYPES: dict[str, tuple[str, Any, bool]] = {}
for _names, _spec in (
    (("SHORTANSWER", "SA", "MW"), ("short_answer", False, False)),
    (("SHORTANSWER_C", "SAC", "MWC"), ("short_answer", True, False)),
    (("NUMERICAL", "NM"), ("numerical", None, False)),
    (("MULTICHOICE", "MC"), ("multichoice", "dropdown", False)),
    (("MULTICHOICE_S", "MCS"), ("multichoice", "dropdown", True)),
    (("MULTICHOICE_V", "MCV"), ("multichoice", "vertical", False)),
    (("MULTICHOICE_VS", "MCVS"), ("multichoice", "vertical", True)),
    (("MULTICHOICE_H", "MCH"), ("multichoice", "horizontal", False)),
    (("MULTICHOICE_HS", "MCHS"), ("multichoice", "horizontal", True)),
    (("MULTIRESPONSE", "MR"), ("multiresponse", "vertical", False)),
    (("MULTIRESPONSE_S", "MRS"), ("multiresponse", "vertical", True)),
    (("MULTIRESPONSE_H", "MRH"), ("multiresponse", "horizontal", False)),
    (("MULTIRESPONSE_HS", "MRHS"), ("multiresponse", "horizontal", True)),
):
    for _name in _names:
        _TYPES[_name] = _spec

# What cloze_text() writes for a subquestion: the long names.
_NAME_OF: dict[tuple[str, Any, bool], str] = {
    ("short_answer", False, False): "SHORTANSWER",
    ("short_answer", True, False): "SHORTANSWER_C",
    ("numerical", None, False): "NUMERICAL",
}
for _name, _spec in _TYPES.items():
    if _spec[0] in ("multichoice", "multiresponse") and "_" in _name or _name in (
        "MULTICHOICE",
        "MULTIRESPONSE",
    ):
        _NAME_OF.setdefault(_spec, _name)


# ---------------------------------------------------------------------------------------------
# Cloze text
# ---------------------------------------------------------------------------------------------


@dataclass
class ClozeError(ValueError):
    """Broken Cloze text: ``message`` and where (``line``, ``column``, 1-based)."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column} of the question text: {self.message}"


_START_RE = re.compile(r"\{(\d*):([A-Za-z_]+):")
_FRACTION_RE = re.compile(r"^(?:=|%(-?\d+(?:[.,]\d*)?)%)")
_UNESCAPES = {"\\}": "}", "\\~": "~", "\\#": "#", "\\\\": "\\", "\\/": "/", '\\"': '"'}


def _where(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _error(text: str, index: int, message: str) -> ClozeError:
    return ClozeError(message, *_where(text, index))


def _split(body: str, sep: str, also_not_after: str = "") -> list[str]:
    """Split at ``sep`` not escaped by a backslash (nor preceded by ``also_not_after``: an
    HTML entity such as ``&#39;`` is not a feedback mark)."""
    parts, start, i = [], 0, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch == sep and not (also_not_after and i and body[i - 1] in also_not_after):
            parts.append(body[start:i])
            start = i + 1
        i += 1
    parts.append(body[start:])
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\[}~#\\/\"]", lambda m: _UNESCAPES[m.group()], text).strip()


def _closing(text: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "}":
            return i
        i += 1
    return -1


def parse_cloze(text: str) -> dict[str, Any]:
    """Moodle's qtype_multianswer_extract_question(): the Cloze ``text`` as ``{"text": …
    with {#n}, "subquestions": [...]}`` (not yet validated). ClozeError says where it
    breaks: an unknown type, a missing ``}``, a subquestion without answers, a numerical
    answer that is not a number, no embedded answer at all."""
    found = MARKER_RE.search(text)
    if found:
        raise _error(text, found.start(), f"'{found.group()}' is reserved for embedded answers; "
                     "write it differently")
    out: list[str] = []
    subquestions: list[dict[str, Any]] = []
    position = 0
    for start in _START_RE.finditer(text):
        if start.start() < position:
            continue
        name = start.group(2)
        spec = _TYPES.get(name) or _TYPES.get(name.upper())
        if spec is None:
            raise _error(text, start.start(2), f"unknown embedded answer type '{name}'; Moodle "
                         "knows SHORTANSWER (SA, MW), SHORTANSWER_C (SAC, MWC), NUMERICAL (NM), "
                         "MULTICHOICE (MC, MCV, MCH, MCS…) and MULTIRESPONSE (MR, MRH, MRS…)")
        end = _closing(text, start.end())
        if end < 0:
            raise _error(text, start.start(), f"the embedded answer '{start.group()}' has no "
                         "closing '}'; close it (a literal } inside it is written \\})")
        kind, option, shuffle = spec
        number = len(subquestions) + 1
        sub = _subquestion(text, start.end(), text[start.end():end], kind, option, shuffle)
        sub["weight"] = int(start.group(1)) if start.group(1) and int(start.group(1)) else 1
        subquestions.append(sub)
        out.append(text[position:start.start()] + f"{{#{number}}}")
        position = end + 1
    out.append(text[position:])
    if not subquestions:
        raise ClozeError("the question text has no embedded answers; write one such as "
                         "{1:SHORTANSWER:=right answer}", 1, 1)
    return {"text": "".join(out), "subquestions": subquestions}


def _subquestion(text: str, offset: int, body: str, kind: str, option: Any,
                 shuffle: bool) -> dict[str, Any]:
    answers: list[dict[str, Any]] = []
    at = offset
    for alternative in _split(body, "~"):
        where = at
        at += len(alternative) + 1
        if not alternative.strip():
            continue
        match = _FRACTION_RE.match(alternative)
        fraction = 0.0
        if match:
            percent = match.group(1)
            fraction = 1.0 if percent is None else float(percent.replace(",", ".")) / 100
            alternative = alternative[match.end():]
        answer, *feedback = _split(alternative, "#", also_not_after="&")
        answer = _unescape(answer)
        if not answer:
            raise _error(text, where, "an answer of this embedded answer is empty")
        answers.append({"text": answer, "fraction": fraction,
                        "feedback": _unescape("#".join(feedback))})
        if kind == "numerical":
            value = answers[-1].pop("text")
            if value == "*":
                answers[-1].update(value="*", tolerance=0.0)
                continue
            number, _, tolerance = value.partition(":")
            parsed = parse_number(number), parse_number(tolerance or "0")
            if parsed[0] is None or parsed[1] is None or parsed[0][1] or parsed[1][1]:
                raise _error(text, where, f"'{value}' is not a number; write 12.5 or 12.5:0.1 "
                             "(a tolerance), or * for any other answer")
            answers[-1].update(value=parsed[0][0], tolerance=abs(parsed[1][0]))
    if not answers:
        raise _error(text, offset, "this embedded answer has no answers; write them as "
                     "=right~wrong")
    if kind == "short_answer":
        return {"kind": kind, "case_sensitive": option, "answers": answers}
    if kind == "numerical":
        return {"kind": kind, "answers": answers}
    return {"kind": kind, "display": option, "shuffle": shuffle, "choices": answers}


def _escape(text: str) -> str:
    return re.sub(r"([\\}~#])", r"\\\1", text)


def _fraction_prefix(fraction: float) -> str:
    if is_one(fraction):
        return "="
    if fraction == 0:
        return ""
    return f"%{format_number(round(fraction * 100, 5))}%"


def subquestion_code(sub: dict[str, Any]) -> str:
    """One subquestion as Cloze code, e.g. ``{2:MULTICHOICE_V:=A#yes~B}``."""
    kind = sub["kind"]
    if kind == "short_answer":
        name = _NAME_OF[(kind, sub["case_sensitive"], False)]
        items = [(a["fraction"], _escape(a["text"]), a["feedback"]) for a in sub["answers"]]
    elif kind == "numerical":
        name = _NAME_OF[(kind, None, False)]
        items = [(a["fraction"], "*" if a["value"] == "*" else
                  f"{format_number(a['value'])}:{format_number(a['tolerance'])}",
                  a["feedback"]) for a in sub["answers"]]
    else:
        name = _NAME_OF[(kind, sub["display"], sub["shuffle"])]
        items = [(c["fraction"], _escape(c["text"]), c["feedback"]) for c in sub["choices"]]
    body = "~".join(f"{_fraction_prefix(f)}{t}" + (f"#{_escape(fb)}" if fb else "")
                    for f, t, fb in items)
    return f"{{{sub['weight']}:{name}:{body}}}"


def cloze_text(data: dict[str, Any]) -> str:
    """The inverse of :func:`parse_cloze` (what Moodle's XML export writes as the question
    text of a multianswer question)."""
    subs = data["subquestions"]
    return MARKER_RE.sub(lambda m: subquestion_code(subs[int(m.group(1)) - 1]), data["text"])


# ---------------------------------------------------------------------------------------------
# The type
# ---------------------------------------------------------------------------------------------


def _scored(raw: Any, path: str, key: str) -> list[dict[str, Any]]:
    items = []
    for i, item in enumerate(check_list(raw, path, min_items=1, what=key)):
        ipath = join(path, i)
        item = check_object(item, ipath, required=["text"], optional=["fraction", "feedback"])
        items.append({
            "text": check_text(item["text"], join(ipath, "text"), required=True),
            "fraction": check_fraction(item.get("fraction", 0), join(ipath, "fraction")),
            "feedback": check_text(item.get("feedback"), join(ipath, "feedback")),
        })
    return items


def _choice_text(sub: dict[str, Any], value: Any, what: str) -> str:
    """``value`` as the text of one of ``sub``'s choices (how responses name a choice)."""
    if not isinstance(value, str) or value not in indices_by_text(sub):
        raise ResponseError(f"{what}: {value!r} is not one of the choices")
    return value


def _chosen(sub: dict[str, Any], value: Any) -> set[int]:
    """Stored indices of the choices a validated subanswer (a text or texts) names."""
    if value is None:
        return set()
    index = indices_by_text(sub)
    return {index[text] for text in (value if isinstance(value, list) else [value])}


class Cloze(QuestionType):
    name = "cloze"
    label = gettext_noop("Embedded answers (Cloze)")

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(raw, "", required=["text", "subquestions"])
        text = check_text(data["text"], "text", required=True)
        subs = [self._validate_sub(item, join("subquestions", i)) for i, item in
                enumerate(check_list(data["subquestions"], "subquestions", min_items=1,
                                     what="subquestions"))]
        markers = [int(n) for n in MARKER_RE.findall(text)]
        if sorted(markers) != list(range(1, len(subs) + 1)):
            raise QuestionDataError(
                "text", f"the text must hold {{#1}} … {{#{len(subs)}}} once each (one per "
                f"subquestion), got {', '.join(f'{{#{n}}}' for n in markers) or 'none'}")
        return {"text": text, "subquestions": subs}

    @staticmethod
    def _validate_sub(raw: Any, path: str) -> dict[str, Any]:
        raw = check_object(raw, path, required=["kind"], optional=[
            "weight", "case_sensitive", "answers", "display", "shuffle", "choices"])
        kind = raw["kind"]
        if kind not in KINDS:
            raise QuestionDataError(join(path, "kind"),
                                    f"expected one of {', '.join(KINDS)}, got {describe(kind)}")
        weight = raw.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise QuestionDataError(join(path, "weight"),
                                    f"expected a whole number from 1, got {describe(weight)}")
        sub: dict[str, Any] = {"kind": kind, "weight": weight}
        if kind == "short_answer":
            sub["case_sensitive"] = check_bool(raw.get("case_sensitive", False),
                                               join(path, "case_sensitive"))
            sub["answers"] = _scored(raw.get("answers"), join(path, "answers"), "answers")
        elif kind == "numerical":
            answers: list[dict[str, Any]] = []
            for i, item in enumerate(check_list(raw.get("answers"), join(path, "answers"),
                                                min_items=1, what="answers")):
                ipath = join(join(path, "answers"), i)
                item = check_object(item, ipath, required=["value"],
                                    optional=["tolerance", "fraction", "feedback"])
                value = item["value"]
                if value != "*":
                    value = check_number(value, join(ipath, "value"))
                tolerance = 0.0 if value == "*" else check_number(item.get("tolerance", 0),
                                                                   join(ipath, "tolerance"))
                if tolerance < 0:
                    raise QuestionDataError(join(ipath, "tolerance"), "must be 0 or more")
                answers.append({
                    "value": value, "tolerance": tolerance,
                    "fraction": check_fraction(item.get("fraction", 0), join(ipath, "fraction")),
                    "feedback": check_text(item.get("feedback"), join(ipath, "feedback")),
                })
            sub["answers"] = answers
        else:
            display = raw.get("display", DISPLAYS[kind][0])
            if display not in DISPLAYS[kind]:
                raise QuestionDataError(join(path, "display"), f"expected one of "
                                        f"{', '.join(DISPLAYS[kind])}, got {describe(display)}")
            sub["display"] = display
            sub["shuffle"] = check_bool(raw.get("shuffle", False), join(path, "shuffle"))
            sub["choices"] = _scored(raw.get("choices"), join(path, "choices"), "choices")
        return sub

    # -- layout and display ------------------------------------------------------------------

    def make_layout(self, data: dict[str, Any], seed: int | str) -> dict[str, Any]:
        rng = make_rng(seed)
        orders = {}
        for number, sub in enumerate(data["subquestions"], start=1):
            if "choices" in sub:
                orders[str(number)] = shuffled_range(len(sub["choices"]),
                                                     rng if sub["shuffle"] else None)
        return {"orders": orders}

    def carry_layout(self, old_data: dict[str, Any], new_data: dict[str, Any],
                     layout: dict[str, Any] | None) -> dict[str, Any]:
        """Each subquestion's display order moved onto ``new_data`` by choice text (new choices
        last), so a regraded attempt's review lists the choices as the student saw them."""
        orders = {}
        old_subs, new_subs = old_data["subquestions"], new_data["subquestions"]
        for key in (layout or {}).get("orders") or {}:
            number = int(key) if key.isdigit() else 0
            if not 1 <= number <= min(len(old_subs), len(new_subs)) or not (
                    "choices" in old_subs[number - 1] and "choices" in new_subs[number - 1]):
                continue
            old_choices = old_subs[number - 1]["choices"]
            texts = [old_choices[i]["text"] for i in self._order(old_data, layout, number)]
            orders[key] = carry_order(texts, [c["text"] for c in new_subs[number - 1]["choices"]])
        return {"orders": orders}

    def _order(self, data: dict[str, Any], layout: dict[str, Any] | None,
                number: int) -> list[int]:
        sub = data["subquestions"][number - 1]
        orders = (layout or {}).get("orders") or {}
        if str(number) not in orders:
            return list(range(len(sub["choices"])))
        return check_order({"order": orders[str(number)]}, "order", range(len(sub["choices"])))

    def _segments(self, data: dict[str, Any]) -> list[str | int]:
        parts: list[str | int] = []
        position = 0
        for found in MARKER_RE.finditer(data["text"]):
            parts.append(data["text"][position:found.start()])
            parts.append(int(found.group(1)))
            position = found.end()
        parts.append(data["text"][position:])
        return [p for p in parts if p != ""]

    def student_view(self, data: dict[str, Any], layout: dict[str, Any] | None,
                     response: Any = None) -> dict[str, Any]:
        """``{"segments": [{"text": …}, {"sub": n, "kind": …, "display": …, "current": text |
        None, "choices": [{"value", "text", "selected"}]}]}``: no fractions, no feedback."""
        response = self.validate_response(data, response)
        given = response["answers"] if response else {}
        segments = []
        for part in self._segments(data):
            if isinstance(part, str):
                segments.append({"text": part})
                continue
            sub = data["subquestions"][part - 1]
            segment: dict[str, Any] = {"sub": part, "kind": sub["kind"],
                                       "display": sub.get("display", "input")}
            value = given.get(str(part))
            if "choices" in sub:
                chosen = _chosen(sub, value)
                segment["choices"] = [
                    {"value": str(pos), "text": sub["choices"][i]["text"], "selected": i in chosen}
                    for pos, i in enumerate(self._order(data, layout, part))]
            else:
                segment["current"] = value or ""
                segment["max_length"] = MAX_LENGTH
            segments.append(segment)
        return {"segments": segments}

    # -- responses -----------------------------------------------------------------------------

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        if response is None:
            return None
        if not isinstance(response, dict) or set(response) != {"answers"} or not isinstance(
                response["answers"], dict):
            raise ResponseError(f'expected {{"answers": {{…}}}}, got {describe(response)}')
        subs = data["subquestions"]
        out: dict[str, Any] = {}
        for key, value in response["answers"].items():
            if not (isinstance(key, str) and key.isdigit() and 1 <= int(key) <= len(subs)):
                raise ResponseError(f"answers: no subquestion {key!r}")
            sub = subs[int(key) - 1]
            if value is None or value == "" or value == []:
                continue
            if sub["kind"] in ("short_answer", "numerical"):
                if not isinstance(value, str):
                    raise ResponseError(f"answers.{key}: expected text, got {describe(value)}")
                value = value.replace("\r\n", "\n").strip()
                if len(value) > MAX_LENGTH:
                    raise ResponseError(f"answers.{key}: at most {MAX_LENGTH} characters")
                if value:
                    out[key] = value
            elif sub["kind"] == "multichoice":
                out[key] = _choice_text(sub, value, f"answers.{key}")
            else:
                if not isinstance(value, list):
                    raise ResponseError(f"answers.{key}: expected a list of choice texts, got "
                                        f"{describe(value)}")
                index = indices_by_text(sub)
                out[key] = sorted({_choice_text(sub, v, f"answers.{key}[]") for v in value},
                                  key=index.__getitem__)
        return {"answers": out} if out else None

    def parse_form(self, data: dict[str, Any], form: Form, prefix: str,
                   layout: dict[str, Any] | None) -> dict[str, Any] | None:
        """Fields ``{prefix}sub-{n}``: text, or display values of the choices."""
        answers: dict[str, Any] = {}
        for number, sub in enumerate(data["subquestions"], start=1):
            name = f"{prefix}sub-{number}"
            values = form_values(form, name)
            if not values:
                continue
            if "choices" not in sub:
                answers[str(number)] = values[0]
                continue
            order = self._order(data, layout, number)
            picked = [sub["choices"][order[parse_index(v, len(order), name)]]["text"]
                      for v in values]
            if sub["kind"] == "multichoice":
                if len(picked) > 1:
                    raise ResponseError(f"{name}: expected one value, got {len(picked)}")
                answers[str(number)] = picked[0]
            else:
                answers[str(number)] = picked
        return self.validate_response(data, {"answers": answers})

    def to_display(self, data: dict[str, Any], layout: dict[str, Any] | None,
                   response: Any) -> dict[str, Any] | None:
        response = self.validate_response(data, response)
        if response is None:
            return None
        out: dict[str, Any] = {}
        for key, value in response["answers"].items():
            sub = data["subquestions"][int(key) - 1]
            if "choices" not in sub:
                out[key] = value
                continue
            order = self._order(data, layout, int(key))
            index = indices_by_text(sub)
            out[key] = (position_of(order, index[value]) if sub["kind"] == "multichoice"
                        else [str(p) for p in sorted(order.index(index[v]) for v in value)])
        return {"answers": out}

    def from_display(self, data: dict[str, Any], layout: dict[str, Any] | None,
                     display_response: Any) -> dict[str, Any] | None:
        if display_response is None:
            return None
        if not isinstance(display_response, dict) or not isinstance(
                display_response.get("answers"), dict):
            raise ResponseError('expected {"answers": {…}}')
        stored: dict[str, Any] = {}
        for key, value in display_response["answers"].items():
            if not (isinstance(key, str) and key.isdigit()
                    and 1 <= int(key) <= len(data["subquestions"])):
                raise ResponseError(f"answers: no subquestion {key!r}")
            sub = data["subquestions"][int(key) - 1]
            if "choices" not in sub or value is None or value == "" or value == []:
                stored[key] = value
                continue
            order = self._order(data, layout, int(key))
            choices = sub["choices"]
            if sub["kind"] == "multichoice":
                stored[key] = choices[order[display_index(value, len(order),
                                                          f"answers.{key}")]]["text"]
            else:
                if not isinstance(value, list):
                    raise ResponseError(f"answers.{key}: expected a list")
                stored[key] = [choices[order[display_index(v, len(order),
                                                           f"answers.{key}")]]["text"]
                               for v in value]
        return self.validate_response(data, {"answers": stored})

    # -- grading -------------------------------------------------------------------------------

    @staticmethod
    def grade_sub(sub: dict[str, Any], value: Any) -> tuple[float, list[int], str]:
        """(fraction, stored indices of the matched answers or chosen choices, feedback) of one
        subquestion's validated ``value`` (typed text, a choice text or a list of them);
        (0, [], "") when unanswered."""
        if value is None:
            return 0.0, [], ""
        if sub["kind"] == "short_answer":
            typed = comparable(value, sub["case_sensitive"])
            best = None
            for i, answer in enumerate(sub["answers"]):
                pattern = wildcard_pieces(comparable(answer["text"], sub["case_sensitive"]))
                if wildcard_match(pattern, typed) and (
                        best is None or answer["fraction"] > sub["answers"][best]["fraction"]):
                    best = i
            if best is None:
                return 0.0, [], ""
            return sub["answers"][best]["fraction"], [best], sub["answers"][best]["feedback"]
        if sub["kind"] == "numerical":
            parsed = parse_number(value)
            number = parsed[0] if parsed is not None and not parsed[1] else None
            best = None
            for wanted_any in (False, True):
                for i, answer in enumerate(sub["answers"]):
                    if (answer["value"] == "*") != wanted_any:
                        continue
                    if not wanted_any:
                        slack = 1e-12 * max(1.0, abs(answer["value"]))
                        if number is None or abs(number - answer["value"]) > (
                                answer["tolerance"] + slack):
                            continue
                    if best is None or answer["fraction"] > sub["answers"][best]["fraction"]:
                        best = i
                if best is not None:
                    break
            if best is None:
                return 0.0, [], ""
            return sub["answers"][best]["fraction"], [best], sub["answers"][best]["feedback"]
        picked = sorted(_chosen(sub, value))
        if sub["kind"] == "multichoice":
            choice = sub["choices"][picked[0]]
            return choice["fraction"], picked, choice["feedback"]
        total = sum(sub["choices"][i]["fraction"] for i in picked)
        feedback = " ".join(sub["choices"][i]["feedback"] for i in picked
                            if sub["choices"][i]["feedback"])
        return min(max(total, 0.0), 1.0), picked, feedback

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        response = self.validate_response(data, response)
        if response is None:
            return Grade.unanswered()
        total = weights = 0.0
        feedback = []
        for number, sub in enumerate(data["subquestions"], start=1):
            fraction, _, text = self.grade_sub(sub, response["answers"].get(str(number)))
            total += fraction * sub["weight"]
            weights += sub["weight"]
            feedback.append(text)
        return Grade.from_fraction(total / weights, feedback)

    def review_view(self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any,
                    grade: Grade | None = None) -> dict[str, Any]:
        """Adds ``segments``: the text, and per subquestion its ``state``, ``fraction``,
        ``weight``, ``current`` (typed text) or ``choices`` (display order, each with
        ``selected``, ``correct``, ``feedback``), ``feedback`` and ``right_answer``."""
        response, grade, review = self._review_common(data, response, grade)
        given = response["answers"] if response else {}
        segments = []
        for part in self._segments(data):
            if isinstance(part, str):
                segments.append({"text": part})
                continue
            sub = data["subquestions"][part - 1]
            value = given.get(str(part))
            fraction, picked, feedback = self.grade_sub(sub, value)
            state = CORRECT if is_one(fraction) else PARTIAL if fraction > 1e-7 else INCORRECT
            segment: dict[str, Any] = {
                "sub": part, "kind": sub["kind"], "display": sub.get("display", "input"),
                "weight": sub["weight"], "fraction": fraction, "feedback": feedback,
                "state": state if value is not None else "unanswered",
                "right_answer": self.sub_right_answer(sub),
            }
            if "choices" in sub:
                segment["choices"] = [
                    {"index": i, "text": sub["choices"][i]["text"], "selected": i in picked,
                     "correct": sub["choices"][i]["fraction"] > 1e-7,
                     "feedback": sub["choices"][i]["feedback"]}
                    for i in self._order(data, layout, part)]
            else:
                segment["current"] = value or ""
            segments.append(segment)
        review["segments"] = segments
        return review

    @staticmethod
    def sub_right_answer(sub: dict[str, Any]) -> str:
        if sub["kind"] == "multiresponse":
            return ", ".join(c["text"] for c in sub["choices"] if c["fraction"] > 1e-7)
        items = sub.get("choices") or sub["answers"]
        best = max(items, key=lambda a: a["fraction"])
        if sub["kind"] == "numerical":
            if best["value"] == "*":
                return "*"
            text = format_number(best["value"])
            return text + (f" ± {format_number(best['tolerance'])}" if best["tolerance"] else "")
        return best["text"]

    def right_answer(self, data: dict[str, Any]) -> str:
        return "; ".join(f"({n}) {self.sub_right_answer(sub)}"
                         for n, sub in enumerate(data["subquestions"], start=1))
