"""Moodle XML: Moodle's complete question exchange format.

``parse(data)`` reads what ``question/format/xml/format.php`` (and the gapselect plugin)
reads, through defusedxml: entity declarations and external references are refused, and so
is a file over ``max_bytes``.  Moodle rejects the whole file when one answer grade is not in
its list (error_invalid_grades.xml), and so does this parser.  A question type this platform
has no equivalent for (calculated*, dd*, random…) refuses the file, naming the question: a
file imports whole or not at all.

``write(questions)`` produces a file Moodle imports (UTF-8, texts in CDATA where needed,
embedded files as base64 in every text area that references them).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from typing import Any
from xml.sax.saxutils import quoteattr

import defusedxml
import defusedxml.ElementTree as DET

from ..qtypes.cloze import ClozeError, cloze_text, parse_cloze
from . import common
from .common import DataProblem, php_trim
from .model import FormatError, ParsedQuestion, ParseResult

MAX_BYTES = 20 * 1024 * 1024

_FORMAT_IN = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
_FORMAT_OUT = {v: k for k, v in _FORMAT_IN.items()}

_UNSUPPORTED_HINT = {
    "calculated": "calculated",
    "calculatedsimple": "simple calculated",
    "calculatedmulti": "calculated multichoice",
    "randomsamatch": "random short-answer matching",
}


# --- reading helpers ------------------------------------------------------------------------


@dataclass
class _Q:
    """What we know about the question being read, for messages."""

    element: str
    name: str | None = None
    fmt: str = "html"
    notes: list[str] = field(default_factory=list)

    def error(self, message: str, where: str = "") -> FormatError:
        """``where`` is the full path of the faulty element (the question's by default)."""
        return FormatError(message, element=where or self.element, question=self.name)


def _content(el: ET.Element | None, q: _Q, where: str) -> str:
    """The text of an element, PHP-trimmed as Moodle's getpath() does (U+00A0 survives)."""
    if el is None:
        return ""
    if len(el):
        raise q.error(
            f"<{el.tag}> contains the element <{el[0].tag}>; HTML inside a text "
            "must be escaped or wrapped in <![CDATA[ … ]]>",
            where,
        )
    return php_trim(el.text or "")


def _text(parent: ET.Element | None, q: _Q, where: str) -> str:
    """``parent/text`` (the first one), or ''."""
    if parent is None:
        return ""
    return _content(parent.find("text"), q, f"{where}/text")


def _value(parent: ET.Element, tag: str, q: _Q, where: str, default: str = "") -> str:
    el = parent.find(tag)
    return default if el is None else _content(el, q, f"{where}/{tag}")


def _format(el: ET.Element | None, q: _Q, where: str, default: str) -> str:
    """Moodle's trans_format(): unknown names are read as HTML, with a warning."""
    if el is None or el.get("format") is None:
        return default
    name = php_trim(el.get("format", ""))
    if name in _FORMAT_IN:
        return _FORMAT_IN[name]
    if name == "wiki_like":
        q.notes.append(f"{where}: the old wiki_like format is read as Moodle auto-format")
        return "moodle"
    q.notes.append(f"{where}: unknown text format '{name}', read as html (as Moodle does)")
    return "html"


def _formatted(parent: ET.Element | None, q: _Q, where: str, what: str) -> str:
    """A text area that inherits the question's format; a different one is reported."""
    text = _text(parent, q, where)
    fmt = _format(parent, q, where, q.fmt)
    if text and fmt != q.fmt:
        q.notes.append(
            f"{what} is {fmt} but the question is {q.fmt}; the question's format applies"
        )
    return text


def _trans_single(value: str) -> bool:
    """Moodle's trans_single(): "false", "" and "0" are false, anything else true."""
    return value not in ("false", "", "0")


def _float(text: str, q: _Q, where: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise q.error(f"'{text}' is not a number", where) from None
    if not math.isfinite(number):
        raise q.error(f"'{text}' is not a finite number", where)
    return number


def _grade(raw: str, q: _Q, where: str) -> float:
    """A percentage from the file as a fraction; Moodle rejects the whole import when a
    grade is not in its list."""
    raw = php_trim(raw) or "0"
    snapped = common.snap_fraction(_float(raw, q, where) / 100)
    if snapped is None:
        raise q.error(
            f"invalid grade {raw}; Moodle allows only {common.ALLOWED_GRADES_TEXT}", where
        )
    return snapped


def _answer_grade(answer: ET.Element, q: _Q, where: str) -> float:
    return _grade(answer.get("fraction", "0"), q, f"{where}/@fraction")


def _files(qel: ET.Element, q: _Q, where: str) -> dict[str, bytes]:
    """Every embedded ``<file>`` of the question, keyed as texts reference it."""
    files: dict[str, bytes] = {}
    for number, fel in enumerate(qel.iter("file"), start=1):
        fwhere = f"{where}//file[{number}]"
        name = php_trim(fel.get("name", ""))
        if not name:
            raise q.error("a <file> has no name attribute", fwhere)
        encoding = php_trim(fel.get("encoding", "base64"))
        if encoding != "base64":
            raise q.error(f"file '{name}' has encoding '{encoding}'; only base64 is known", fwhere)
        folder = php_trim(fel.get("path", "/")).strip("/")
        key = f"{folder}/{name}" if folder else name
        try:
            content = base64.b64decode(re.sub(r"\s+", "", fel.text or ""), validate=True)
        except (binascii.Error, ValueError):
            raise q.error(f"file '{name}' is not valid base64", fwhere) from None
        if key in files and files[key] != content:
            q.notes.append(f"two different files are both named '{key}'; the first is kept")
            continue
        files[key] = content
    return files


# --- question types -------------------------------------------------------------------------


def _answers(qel: ET.Element, q: _Q, where: str, with_format: bool) -> list[dict]:
    out = []
    for number, ael in enumerate(qel.findall("answer"), start=1):
        awhere = f"{where}/answer[{number}]"
        text = (
            _formatted(ael, q, awhere, f"answer {number}") if with_format else _text(ael, q, awhere)
        )
        feedback = _formatted(
            ael.find("feedback"), q, f"{awhere}/feedback", f"the feedback of answer {number}"
        )
        fraction = _answer_grade(ael, q, awhere)
        if not text:
            q.notes.append(f"answer {number} has no text and was left out, as Moodle does")
            continue
        out.append({"text": text, "fraction": fraction, "feedback": feedback})
    return out


def _multichoice(qel: ET.Element, q: _Q, where: str) -> tuple[str, dict]:
    single = _trans_single(_value(qel, "single", q, where, "true"))
    shuffle = _trans_single(_value(qel, "shuffleanswers", q, where, "false"))
    data = {"choices": _answers(qel, q, where, with_format=True), "shuffle": shuffle}
    return ("single_choice" if single else "multiple_response"), data


def _truefalse(qel: ET.Element, q: _Q, where: str) -> tuple[str, dict]:
    data: dict[str, Any] = {"feedback_true": "", "feedback_false": ""}
    answers = qel.findall("answer")
    if not answers:
        raise q.error("a true/false question needs its 'true' and 'false' answers", where)
    for number, ael in enumerate(answers, start=1):
        awhere = f"{where}/answer[{number}]"
        text = _text(ael, q, awhere)
        if text not in ("true", "false"):
            # Old files hold localised texts; Moodle then assumes true first, false second.
            q.notes.append(
                f"answer {number} is '{text}', read as "
                f"'{'true' if number == 1 else 'false'}' by its position"
            )
            text = "true" if number == 1 else "false"
        is_full = _float(php_trim(ael.get("fraction", "0")) or "0", q, f"{awhere}/@fraction") == 100
        data["correct"] = is_full if text == "true" else not is_full
        data[f"feedback_{text}"] = _formatted(
            ael.find("feedback"), q, f"{awhere}/feedback", f"the feedback for '{text}'"
        )
    return "true_false", data


def _shortanswer(qel: ET.Element, q: _Q, where: str) -> tuple[str, dict]:
    usecase = _value(qel, "usecase", q, where, "0")
    return "short_answer", {
        "answers": _answers(qel, q, where, with_format=False),
        "case_sensitive": usecase not in ("", "0", "false"),
    }


_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def _numerical(qel: ET.Element, q: _Q, where: str) -> tuple[str, dict]:
    answers = []
    for number, ael in enumerate(qel.findall("answer"), start=1):
        awhere = f"{where}/answer[{number}]"
        # <text> inside <answer> is current; the number as the answer's own text is older.
        text = _text(ael, q, awhere) if ael.find("text") is not None else php_trim(ael.text or "")
        if text in ("", "*"):
            value: float | str = "*"
        elif _NUMBER_RE.match(text):
            value = _float(text, q, f"{awhere}/text")
        else:
            raise q.error(f"answer '{text}' is not a number", f"{awhere}/text")
        tolerance = _value(ael, "tolerance", q, awhere, "0") or "0"
        fraction_el = ael.find("fraction")  # deprecated, but wins when present
        fraction = (
            _grade(_content(fraction_el, q, f"{awhere}/fraction"), q, f"{awhere}/fraction")
            if fraction_el is not None
            else _answer_grade(ael, q, awhere)
        )
        answers.append(
            {
                "value": value,
                "tolerance": 0.0 if value == "*" else _float(tolerance, q, f"{awhere}/tolerance"),
                "fraction": fraction,
                "feedback": _formatted(
                    ael.find("feedback"),
                    q,
                    f"{awhere}/feedback",
                    f"the feedback of answer {number}",
                ),
            }
        )
    units = []
    for number, uel in enumerate(qel.findall("units/unit"), start=1):
        uwhere = f"{where}/units/unit[{number}]"
        units.append(
            {
                "unit": _value(uel, "unit_name", q, uwhere),
                "multiplier": _float(
                    _value(uel, "multiplier", q, uwhere, "1") or "1", q, f"{uwhere}/multiplier"
                ),
            }
        )
    # qtype_numerical: unitgradingtype 0 = units optional, 1 = the penalty is a share of the
    # response's grade (UNITGRADEDOUTOFMARK), 2 = of the question's (UNITGRADEDOUTOFMAX).
    grading = _value(qel, "unitgradingtype", q, where, "0") or "0"
    if grading not in ("0", "1", "2"):
        raise q.error(f"unitgradingtype '{grading}' is not 0, 1 or 2", f"{where}/unitgradingtype")
    data: dict[str, Any] = {"answers": answers, "units": units, "unit_required": grading != "0"}
    if grading != "0":
        if not units:
            q.notes.append("units are graded but the question has none; unit grading is off")
        data["unit_penalty"] = _float(
            _value(qel, "unitpenalty", q, where, "0.1") or "0", q, f"{where}/unitpenalty"
        )
        data["unit_grading"] = "response" if grading == "1" else "question"
    return "numerical", data


def _matching(qel: ET.Element, q: _Q, where: str) -> tuple[str, dict]:
    pairs = []
    for number, sel in enumerate(qel.findall("subquestion"), start=1):
        swhere = f"{where}/subquestion[{number}]"
        pairs.append(
            {
                "prompt": _formatted(sel, q, swhere, f"subquestion {number}"),
                "answer": _text(sel.find("answer"), q, f"{swhere}/answer"),
            }
        )
    shuffle = _trans_single(_value(qel, "shuffleanswers", q, where, "1"))
    return "matching", {"pairs": pairs, "shuffle": shuffle}


def _gapselect(qel: ET.Element, q: _Q, where: str) -> tuple[str, dict]:
    options = []
    for number, oel in enumerate(qel.findall("selectoption"), start=1):
        owhere = f"{where}/selectoption[{number}]"
        group = _value(oel, "group", q, owhere, "1") or "1"
        if not group.isdigit():
            raise q.error(f"group '{group}' is not a whole number", f"{owhere}/group")
        options.append({"text": _text(oel, q, owhere), "group": int(group)})
    shuffle = _trans_single(_value(qel, "shuffleanswers", q, where, "1"))
    # The stem is the passage with its [[n]] gaps: it goes to data["text"].
    return "select_missing_words", {"text": "", "options": options, "shuffle": shuffle}


def _essay(qel: ET.Element, q: _Q, where: str) -> tuple[str, dict]:
    response = _value(qel, "responseformat", q, where, "editor")
    limits = {}
    for key, tag in (("min_words", "minwordlimit"), ("max_words", "maxwordlimit")):
        raw = _value(qel, tag, q, where)
        if raw and not raw.isdigit():
            raise q.error(f"'{raw}' is not a whole number", f"{where}/{tag}")
        limits[key] = int(raw) if raw else None
    return "essay", {
        # Moodle's plain and monospaced are plain text; its editors are rich text, which is
        # Markdown on this platform.
        "response_format": "plain" if response in ("plain", "monospaced") else "markdown",
        "min_words": limits["min_words"] or 0,
        "max_words": limits["max_words"] or None,
        "grader_info": _formatted(
            qel.find("graderinfo"), q, f"{where}/graderinfo", "the grader information"
        ),
    }


_READERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "match": _matching,
    "gapselect": _gapselect,
    "essay": _essay,
    "description": lambda qel, q, where: ("description", {}),
    # The Cloze text is the question text; _read_question parses it.
    "multianswer": lambda qel, q, where: ("cloze", {}),
    "cloze": lambda qel, q, where: ("cloze", {}),
}


# --- reading a file -------------------------------------------------------------------------


class _ExternalDTD(Exception):
    pass


class _Parser(DET.DefusedXMLParser):
    """defusedxml's parser (no entity declarations, no external references), which also
    refuses a DOCTYPE that points at an external DTD: a bare ``<!DOCTYPE quiz>`` is harmless,
    ``SYSTEM "http://…"`` is a reference Moodle XML never needs."""

    def __init__(self) -> None:
        super().__init__(
            target=ET.TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        self.parser.StartDoctypeDeclHandler = self._refuse_external_dtd

    @staticmethod
    def _refuse_external_dtd(
        name: str, sysid: str | None, pubid: str | None, internal: bool
    ) -> None:
        if sysid or pubid:
            raise _ExternalDTD(sysid or pubid)


_DECLARED_ENCODING_RE = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)"
)


def _check_utf8(data: bytes) -> None:
    """A file that is UTF-8 by its declaration (or by XML's default, having none) but holds
    other bytes, as a Korean file saved as EUC-KR/CP949 does, is refused with the fix, not
    with expat's "not well-formed (invalid token)" somewhere in the first Korean word."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16, which expat reads
    declared = _DECLARED_ENCODING_RE.match(data)
    if declared and declared[1].strip().lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return  # another encoding; expat reads it or says it cannot
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8 and import it again"
        ) from None


def _parse_xml(data: bytes) -> ET.Element:
    _check_utf8(data)
    try:
        parser = _Parser()
        parser.feed(data)
        return parser.close()
    except defusedxml.EntitiesForbidden:
        raise FormatError("entities are not allowed (the file declares an <!ENTITY>)") from None
    except (defusedxml.ExternalReferenceForbidden, _ExternalDTD):
        raise FormatError(
            "external entities are not allowed (the file refers to an external DTD or entity)"
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise FormatError(f"refused XML construct: {exc}") from None
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        message = re.sub(r":? ?line \d+, column \d+$", "", str(exc))
        raise FormatError(f"malformed XML: {message} (column {column})", line=line) from None
    except (ValueError, LookupError, UnicodeError) as exc:
        # Expat reads UTF-8, UTF-16, ISO-8859-1 and US-ASCII (and a few single-byte sets);
        # EUC-KR, CP949 and other multi-byte encodings it refuses.
        raise FormatError(
            f"the file's text encoding cannot be read ({exc}); save it as UTF-8 and import it "
            "again"
        ) from None


def parse(data: bytes, max_bytes: int = MAX_BYTES) -> ParseResult:
    """Read a Moodle XML file.  Raises FormatError (naming the question and element, or the
    line of malformed XML) for what Moodle rejects; unsupported types land in ``skipped``."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise FormatError("Moodle XML input must be bytes")
    if len(data) > max_bytes:
        raise FormatError(f"the file is {len(data):,} bytes; the limit is {max_bytes:,}")
    root = _parse_xml(bytes(data))
    if root.tag != "quiz":
        raise FormatError(
            f"the root element is <{root.tag}>; Moodle XML starts with <quiz>", element=root.tag
        )
    result = ParseResult()
    category: tuple[str, ...] = ()
    for index, qel in enumerate(root.findall("question"), start=1):
        where = f"question[{index}]"
        qtype = php_trim(qel.get("type", ""))
        if qtype == "category":
            cq = _Q(where)
            category = common.parse_category_path(
                _text(qel.find("category"), cq, f"{where}/category")
            )
            try:
                common.add_category(result, category)
            except DataProblem as problem:
                raise cq.error(problem.message) from None
            # Moodle 3.5+ writes the category's description and idnumber with it.
            info_el = qel.find("info")
            info = {
                "info": _text(info_el, cq, f"{where}/info"),
                "info_format": _format(info_el, cq, f"{where}/info", "moodle"),
                "idnumber": _value(qel, "idnumber", cq, where),
            }
            if category and (info["info"] or info["idnumber"]):
                result.category_info[category] = info
            result.warnings.extend(f"{where}: category: {n}" for n in cq.notes)
            continue
        q = _Q(where, name=_text(qel.find("name"), _Q(where), f"{where}/name") or None)
        if not qtype:
            raise q.error("a <question> has no type attribute")
        if qtype not in _READERS:
            kind = _UNSUPPORTED_HINT.get(qtype, "")
            # One rule for a file: it imports whole or not at all.
            raise q.error(
                f"question type '{qtype}'" + (f" ({kind})" if kind else "")
                + " is not supported here; remove the question from the file to import the rest"
            )
        if len(result.questions) >= common.MAX_QUESTIONS:
            raise q.error(common.too_many_questions())
        count = max(len(qel.findall(tag)) for tag in ("answer", "subquestion", "selectoption"))
        if count > common.MAX_ANSWERS:
            raise q.error(common.too_many_answers(count))
        parsed = _read_question(qel, qtype, q, where)
        result.questions.append(replace(parsed, category=category))
        result.warnings.extend(f"{where}: question '{parsed.name}': {n}" for n in q.notes)
    return result


def _read_question(qel: ET.Element, qtype: str, q: _Q, where: str) -> ParsedQuestion:
    """Moodle's import_headers() plus the type's own reader, then normalisation."""
    stem_el = qel.find("questiontext")
    stem = _text(stem_el, q, f"{where}/questiontext")
    q.fmt = _format(stem_el, q, f"{where}/questiontext", "html")
    general_feedback = _formatted(
        qel.find("generalfeedback"), q, f"{where}/generalfeedback", "the general feedback"
    )
    mark_text = _value(qel, "defaultgrade", q, where, "1") or "1"
    mark = _float(mark_text, q, f"{where}/defaultgrade")
    tags = tuple(_text(tag, q, f"{where}/tags/tag") for tag in qel.findall("tags/tag"))
    files = _files(qel, q, where)
    stem = _legacy_image(qel, q, where, stem, files)
    our_type, data = _READERS[qtype](qel, q, where)
    if our_type == "select_missing_words":
        data["text"], stem = stem, ""
    elif our_type == "cloze":
        try:
            data, stem = parse_cloze(stem), ""
        except ClozeError as exc:
            raise q.error(str(exc), f"{where}/questiontext") from None
    extras = _extras(qel, qtype, our_type, q, where, data)
    parsed = ParsedQuestion(
        qtype=our_type,
        name=q.name or "",
        stem=stem,
        text_format=q.fmt,
        data=data,
        general_feedback=general_feedback,
        default_mark=mark,
        tags=tags,
        idnumber=_value(qel, "idnumber", q, where),
        files=files,
        position=where,
        extras=extras,
    )
    try:
        return common.normalise(parsed)
    except DataProblem as problem:
        raise q.error(problem.message) from None


def _legacy_image(
    qel: ET.Element, q: _Q, where: str, stem: str, files: dict[str, bytes]
) -> str:
    """Moodle 1.x ``<image>``/``<image_base64>``: qformat_xml::import_headers() stores the
    file (its name with '/' turned into '_') and appends ``<img>`` to the question text."""
    name = _value(qel, "image", q, where)
    encoded = _value(qel, "image_base64", q, where)
    if not name and not encoded:
        return stem
    if not (name and encoded):
        q.notes.append(
            f"<image> '{name}' has no <image_base64> content (or the reverse); not imported"
            if name
            else "<image_base64> has no <image> file name; not imported, as in Moodle"
        )
        return stem
    name = name.replace("/", "_")
    try:
        files[name] = base64.b64decode(re.sub(r"\s+", "", encoded), validate=True)
    except (binascii.Error, ValueError):
        raise q.error(f"image '{name}' is not valid base64", f"{where}/image_base64") from None
    return f'{stem} <img src="@@PLUGINFILE@@/{urllib.parse.quote(name)}" />'


# Elements of <question> this module reads, per Moodle type; any other is named in a warning.
_HEADER_TAGS = {
    "name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden",
    "idnumber", "tags", "image", "image_base64", "hint",
}
_COMBINED = ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
_COMBINED_KEYS = {"correctfeedback": "correct", "partiallycorrectfeedback": "partial",
                  "incorrectfeedback": "incorrect"}
_TYPE_TAGS = {
    "multichoice": {"single", "shuffleanswers", "answernumbering", "showstandardinstruction",
                    "shownumcorrect", "answer", *_COMBINED},
    "truefalse": {"answer"},
    "shortanswer": {"usecase", "answer"},
    "numerical": {"answer", "units", "unitgradingtype", "unitpenalty", "showunits",
                  "unitsleft"},
    "matching": {"shuffleanswers", "shownumcorrect", "subquestion", *_COMBINED},
    "match": {"shuffleanswers", "shownumcorrect", "subquestion", *_COMBINED},
    "gapselect": {"shuffleanswers", "shownumcorrect", "selectoption", *_COMBINED},
    "essay": {"responseformat", "responserequired", "responsefieldlines", "minwordlimit",
              "maxwordlimit", "attachments", "attachmentsrequired", "maxbytes",
              "filetypeslist", "graderinfo", "responsetemplate"},
    "description": set(),
    "multianswer": set(),
    "cloze": set(),
}
# Essay options this platform does not act on, with the value our writer gives them when the
# question has none of its own (Moodle's defaults).
_ESSAY_DEFAULTS = {
    "responserequired": "1", "responsefieldlines": "15", "attachments": "0",
    "attachmentsrequired": "0", "maxbytes": "0", "filetypeslist": "",
}
_DEFAULT_PENALTY = 0.3333333
_PENALTY_OF = {"true_false": 1.0, "essay": 0.0, "description": 0.0}


def _extras(
    qel: ET.Element, qtype: str, our_type: str, q: _Q, where: str, data: dict
) -> dict[str, Any]:
    """Moodle settings kept for export (only those that differ from what our writer writes
    by default), and a warning for every element this module does not read."""
    extras: dict[str, Any] = {}
    known = _HEADER_TAGS | _TYPE_TAGS.get(qtype, set())
    for child in qel:
        if child.tag not in known:
            q.notes.append(f"the element <{child.tag}> is not imported: this platform has no use "
                           "for it")
            known = known | {child.tag}  # one warning per element name
    penalty_text = _value(qel, "penalty", q, where)
    if penalty_text:
        penalty = _float(penalty_text, q, f"{where}/penalty")
        if abs(penalty - _PENALTY_OF.get(our_type, _DEFAULT_PENALTY)) > 5e-8:
            extras["penalty"] = penalty
    if _trans_single(_value(qel, "hidden", q, where, "0")):
        extras["hidden"] = True
        q.notes.append("the question is hidden in Moodle; here it is listed in the bank (the "
                       "setting is kept for export)")
    combined = {}
    for tag in _COMBINED:
        if tag in _TYPE_TAGS.get(qtype, set()):
            text = _formatted(qel.find(tag), q, f"{where}/{tag}", f"the {tag}")
            if text:
                combined[_COMBINED_KEYS[tag]] = text
    if combined:
        extras["combined_feedback"] = combined
    if qel.find("shownumcorrect") is not None:
        extras["shownumcorrect"] = True
    if qtype == "multichoice":
        numbering = _value(qel, "answernumbering", q, where, "abc")
        if numbering and numbering != "abc":
            extras["answernumbering"] = numbering
        instruction = _value(qel, "showstandardinstruction", q, where, "0")
        if instruction not in ("", "0"):
            extras["showstandardinstruction"] = instruction
    elif qtype == "numerical":
        default_show = "0" if data.get("units") else "3"
        show = _value(qel, "showunits", q, where, default_show) or default_show
        if show != default_show:
            extras["showunits"] = show
        if show in ("1", "2"):
            q.notes.append("Moodle offers the units as a list; here the student types the unit")
        left = _value(qel, "unitsleft", q, where, "0") or "0"
        if left != "0":
            extras["unitsleft"] = left
            q.notes.append("Moodle shows the unit before the number; here it follows it")
    elif qtype == "essay":
        essay = {}
        for tag, default in _ESSAY_DEFAULTS.items():
            value = _value(qel, tag, q, where, default)
            if value != default:
                essay[tag] = value
        template = _formatted(qel.find("responsetemplate"), q, f"{where}/responsetemplate",
                              "the response template")
        if template:
            essay["responsetemplate"] = template
        if essay.get("attachments", "0") not in ("0", ""):
            q.notes.append("students cannot attach files here; the attachment settings are kept "
                           "for export only")
        if essay:
            extras["essay"] = essay
    hints = []
    for number, hel in enumerate(qel.findall("hint"), start=1):
        hwhere = f"{where}/hint[{number}]"
        text = _formatted(hel, q, hwhere, f"hint {number}")
        if text:
            hint: dict[str, Any] = {"text": text}
            for flag in ("shownumcorrect", "clearwrong"):
                if hel.find(flag) is not None:
                    hint[flag] = True
            if hel.find("options") is not None:
                hint["options"] = _value(hel, "options", q, hwhere)
            hints.append(hint)
    if hints:
        extras["hints"] = hints
        q.notes.append(f"{len(hints)} hint(s) kept for export; this platform does not show "
                       "hints")
    return extras


# --- writing --------------------------------------------------------------------------------

_BAD_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _check_chars(text: str) -> str:
    bad = _BAD_XML_CHAR.search(text)
    if bad:
        raise DataProblem(f"the text contains U+{ord(bad.group()):04X}, which XML cannot carry")
    return text


def _cdata(text: str) -> str:
    """Moodle's writetext(): CDATA when the text has markup characters."""
    _check_chars(text)
    if not any(ch in text for ch in "<>&"):
        return text
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _attr(value: str) -> str:
    return quoteattr(_check_chars(value))


def _file_elements(text: str, files: dict[str, bytes], everything: bool) -> str:
    """The files this text references (all of them for the question text, so that none is
    lost; Moodle keeps files per text area, so a file goes wherever it is used)."""
    out = []
    for key, content in files.items():
        refs = (f"@@PLUGINFILE@@/{key}", f"@@PLUGINFILE@@/{urllib.parse.quote(key)}")
        if everything or any(ref in text for ref in refs):
            folder, _, name = key.rpartition("/")
            path = f"/{folder}/" if folder else "/"
            encoded = base64.b64encode(content).decode("ascii")
            out.append(
                f'<file name={_attr(name)} path={_attr(path)} encoding="base64">{encoded}</file>'
            )
    return "".join(out)


def _area(
    tag: str,
    text: str,
    fmt: str,
    files: dict[str, bytes],
    indent: str = "    ",
    everything: bool = False,
) -> str:
    return (
        f'{indent}<{tag} format="{_FORMAT_OUT[fmt]}">\n{indent}  <text>{_cdata(text)}'
        f"</text>{_file_elements(text, files, everything)}\n{indent}</{tag}>\n"
    )


def _element(tag: str, value: str, indent: str = "    ") -> str:
    return f"{indent}<{tag}>{_cdata(value)}</{tag}>\n"


def _combined_feedback(q: ParsedQuestion) -> str:
    texts = q.extras.get("combined_feedback") or {}
    out = "".join(
        _area(tag, texts.get(_COMBINED_KEYS[tag], ""), q.text_format, q.files)
        for tag in _COMBINED
    )
    return out + ("    <shownumcorrect/>\n" if q.extras.get("shownumcorrect") else "")


def _hints(q: ParsedQuestion) -> str:
    out = []
    for hint in q.extras.get("hints") or ():
        flags = "".join(f"      <{flag}/>\n" for flag in ("shownumcorrect", "clearwrong")
                        if hint.get(flag))
        if hint.get("options"):
            flags += _element("options", str(hint["options"]), "      ")
        out.append(
            f'    <hint format="{_FORMAT_OUT[q.text_format]}">\n      <text>'
            f"{_cdata(hint['text'])}</text>{_file_elements(hint['text'], q.files, False)}\n"
            f"{flags}    </hint>\n"
        )
    return "".join(out)


def _number(value: float) -> str:
    return repr(float(value))


def _w_choices(q: ParsedQuestion, single: bool) -> str:
    out = [
        _element("single", "true" if single else "false"),
        _element("shuffleanswers", "true" if q.data["shuffle"] else "false"),
        _element("answernumbering", q.extras.get("answernumbering", "abc")),
        *(
            [_element("showstandardinstruction", q.extras["showstandardinstruction"])]
            if "showstandardinstruction" in q.extras
            else []
        ),
        _combined_feedback(q),
    ]
    fmt = _FORMAT_OUT[q.text_format]
    for c in q.data["choices"]:
        out.append(
            f'    <answer fraction="{common.percent_text(c["fraction"])}" '
            f'format="{fmt}">\n      <text>{_cdata(c["text"])}</text>'
            f"{_file_elements(c['text'], q.files, False)}\n"
            + _area("feedback", c["feedback"], q.text_format, q.files, "      ")
            + "    </answer>\n"
        )
    return "".join(out)


def _plain_answer(
    fraction: float, text: str, feedback: str, q: ParsedQuestion, extra: str = ""
) -> str:
    return (
        f'    <answer fraction="{common.percent_text(fraction)}" '
        f'format="moodle_auto_format">\n      <text>{_cdata(text)}</text>\n'
        + _area("feedback", feedback, q.text_format, q.files, "      ")
        + extra
        + "    </answer>\n"
    )


def _w_true_false(q: ParsedQuestion) -> str:
    d = q.data
    return _plain_answer(
        1.0 if d["correct"] else 0.0, "true", d["feedback_true"], q
    ) + _plain_answer(0.0 if d["correct"] else 1.0, "false", d["feedback_false"], q)


def _w_short_answer(q: ParsedQuestion) -> str:
    return _element("usecase", "1" if q.data["case_sensitive"] else "0") + "".join(
        _plain_answer(a["fraction"], a["text"], a["feedback"], q) for a in q.data["answers"]
    )


def _w_numerical(q: ParsedQuestion) -> str:
    out = []
    for a in q.data["answers"]:
        value = "*" if a["value"] == "*" else _number(a["value"])
        out.append(
            _plain_answer(
                a["fraction"],
                value,
                a["feedback"],
                q,
                _element("tolerance", _number(a["tolerance"]), "      "),
            )
        )
    units = q.data["units"]
    if units:
        out.append(
            "    <units>\n"
            + "".join(
                f"      <unit>\n        <multiplier>{_number(u['multiplier'])}</multiplier>\n"
                f"        <unit_name>{_cdata(u['unit'])}</unit_name>\n      </unit>\n"
                for u in units
            )
            + "    </units>\n"
        )
    graded = q.data["unit_required"]
    grading = "2" if q.data.get("unit_grading") == "question" else "1"
    out.append(_element("unitgradingtype", grading if graded else "0"))
    # Moodle's default penalty when units are not graded (the value then means nothing).
    out.append(_element("unitpenalty", f"{q.data['unit_penalty']:.7f}" if graded else "0.1000000"))
    # input box / no units, unless the question keeps Moodle's own choice
    out.append(_element("showunits", q.extras.get("showunits", "0" if units else "3")))
    out.append(_element("unitsleft", q.extras.get("unitsleft", "0")))
    return "".join(out)


def _w_matching(q: ParsedQuestion) -> str:
    out = [
        _element("shuffleanswers", "true" if q.data["shuffle"] else "false"),
        _combined_feedback(q),
    ]
    for pair in q.data["pairs"]:
        out.append(
            f'    <subquestion format="{_FORMAT_OUT[q.text_format]}">\n'
            f"      <text>{_cdata(pair['prompt'])}</text>"
            f"{_file_elements(pair['prompt'], q.files, False)}\n"
            f"      <answer>\n        <text>{_cdata(pair['answer'])}</text>\n"
            "      </answer>\n    </subquestion>\n"
        )
    return "".join(out)


def _w_select_missing_words(q: ParsedQuestion) -> str:
    out = [
        _element("shuffleanswers", "1" if q.data["shuffle"] else "0"),
        _combined_feedback(q),
    ]
    for option in q.data["options"]:
        out.append(
            f"    <selectoption>\n      <text>{_cdata(option['text'])}</text>\n"
            f"      <group>{option['group']}</group>\n    </selectoption>\n"
        )
    return "".join(out)


def _w_essay(q: ParsedQuestion) -> str:
    d = q.data
    kept = {**_ESSAY_DEFAULTS, **(q.extras.get("essay") or {})}
    return "".join(
        [
            _element("responseformat", "plain" if d["response_format"] == "plain" else "editor"),
            _element("responserequired", str(kept["responserequired"])),
            _element("responsefieldlines", str(kept["responsefieldlines"])),
            _element("minwordlimit", str(d["min_words"]) if d["min_words"] else ""),
            _element("maxwordlimit", str(d["max_words"]) if d["max_words"] else ""),
            _element("attachments", str(kept["attachments"])),
            _element("attachmentsrequired", str(kept["attachmentsrequired"])),
            _element("maxbytes", str(kept["maxbytes"])),
            _element("filetypeslist", str(kept["filetypeslist"])),
            _area("graderinfo", d["grader_info"], q.text_format, q.files),
            _area("responsetemplate", kept.get("responsetemplate", ""), q.text_format, q.files),
        ]
    )


_WRITERS = {
    "single_choice": ("multichoice", lambda q: _w_choices(q, single=True)),
    "multiple_response": ("multichoice", lambda q: _w_choices(q, single=False)),
    "true_false": ("truefalse", _w_true_false),
    "short_answer": ("shortanswer", _w_short_answer),
    "numerical": ("numerical", _w_numerical),
    "matching": ("matching", _w_matching),
    "select_missing_words": ("gapselect", _w_select_missing_words),
    "essay": ("essay", _w_essay),
    "description": ("description", lambda q: ""),
    "cloze": ("multianswer", lambda q: ""),
}

_PENALTY = {"true_false": "1.0000000", "essay": "0.0000000", "description": "0.0000000"}


def _write_question(q: ParsedQuestion) -> str:
    for key, content in q.files.items():
        if not isinstance(content, (bytes, bytearray)):
            raise DataProblem(f"file '{key}' is not bytes")
        if not key or key.startswith("/") or key.endswith("/"):
            raise DataProblem(f"file name '{key}' is not a usable name")
    moodle_type, writer = _WRITERS[q.qtype]
    stem = q.data["text"] if q.qtype == "select_missing_words" else q.stem
    if q.qtype == "cloze":
        # qformat_xml writes a multianswer's subquestions back into its text as Cloze code.
        stem = cloze_text(q.data)
    tags = "".join(f"      <tag><text>{_cdata(t)}</text></tag>\n" for t in q.tags)
    return (
        f'  <question type="{moodle_type}">\n'
        f"    <name>\n      <text>{_cdata(q.name)}</text>\n    </name>\n"
        + _area("questiontext", stem, q.text_format, q.files, everything=True)
        + _area("generalfeedback", q.general_feedback, q.text_format, q.files)
        + _element("defaultgrade", f"{q.default_mark:.7f}")
        + _element(
            "penalty",
            f"{float(q.extras['penalty']):.7f}"
            if "penalty" in q.extras
            else _PENALTY.get(q.qtype, "0.3333333"),
        )
        + _element("hidden", "1" if q.extras.get("hidden") else "0")
        + _element("idnumber", q.idnumber)
        + writer(q)
        + _hints(q)
        + (f"    <tags>\n{tags}    </tags>\n" if tags else "")
        + "  </question>\n"
    )


def _write_category(category: tuple[str, ...], info: dict | None = None) -> str:
    extra = ""
    if info:
        fmt = _FORMAT_OUT.get(info.get("info_format", "moodle"), "moodle_auto_format")
        extra = (
            f'    <info format="{fmt}">\n      <text>{_cdata(info.get("info", ""))}</text>\n'
            f"    </info>\n" + _element("idnumber", info.get("idnumber", ""))
        )
    return (
        '  <question type="category">\n    <category>\n      <text>'
        f"{_cdata(common.format_category_path(category))}</text>\n    </category>\n"
        f"{extra}  </question>\n"
    )


def normalise(q: ParsedQuestion) -> ParsedQuestion:
    """What ``parse(write([q]))`` gives back.  Moodle's gapselect has only a question text,
    so a select_missing_words stem is joined to the gapped text (a blank line between)."""
    n = common.normalise(q)
    if n.qtype == "select_missing_words" and n.stem:
        data = dict(n.data, text=f"{n.stem}\n\n{n.data['text']}")
        name = common.clean_name(common.clean_text(q.name))
        n = common.normalise(replace(n, stem="", data=data, name=name))
    return n


def write(
    questions: list[ParsedQuestion], categories: dict[tuple[str, ...], dict] | None = None
) -> bytes:
    """Write questions as a Moodle XML file (UTF-8 bytes).  Raises FormatError naming the
    question for what Moodle would refuse (grades not in its list, characters XML cannot
    carry…).  ``categories`` gives a category's info and idnumber by path (as
    ``ParseResult.category_info``)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    category: tuple[str, ...] = ()
    for number, q in enumerate(questions, start=1):
        try:
            n = normalise(q)
            if n.category != category:
                parts.append(_write_category(n.category, (categories or {}).get(n.category)))
                category = n.category
            parts.append(_write_question(n))
        except DataProblem as problem:
            raise FormatError(
                problem.message, element=f"question[{number}]", question=q.name or None
            ) from None
    parts.append("</quiz>\n")
    return "".join(parts).encode("utf-8")
