"""GIFT: Moodle's plain-text question format.

``parse(text)`` reads what Moodle's ``question/format/gift/format.php`` reads, with the same
results for valid files (types, names, "_____" for the missing-word form, fractions,
feedback, formats); ``write(questions)`` writes what that importer reads back.

Where this parser is stricter than Moodle, it is because Moodle would silently import
something other than what the author meant: a second answer block or a ``{`` inside one
(Moodle keeps them as text), a non-numeric numerical answer (Moodle's check has a bug and
lets it through), an unknown-looking format tag such as ``[md]`` or ``[HTML]``.

Categories travel as ``$CATEGORY:`` blocks, idnumber and tags as Moodle's
``// [id:…] [tag:…]`` comment.  GIFT cannot carry: files, the default mark, shuffle off,
case-sensitive short answers, numerical units, essay options, feedback on a description,
and select_missing_words questions (the writer refuses those; use Moodle XML).
:func:`normalise` says exactly what a GIFT round trip keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import common
from .common import DataProblem, php_trim
from .model import FormatError, ParsedQuestion, ParseResult

# --- escapes --------------------------------------------------------------------------------

# Escaped control characters become Unicode noncharacters (U+FDD0…), which are reserved for
# exactly this kind of internal use, so that the rest of the parser can use plain string
# searches as Moodle does with its "&&058;" placeholders.
_ESCAPABLE = ":#={}~n"
_SENTINEL = {c: chr(0xFDD0 + i) for i, c in enumerate(_ESCAPABLE)}
_UNSENTINEL = {ord(s): ("\n" if c == "n" else c) for c, s in _SENTINEL.items()}
_NONCHAR_RE = re.compile("[\ufdd0-\ufdef]")


def _unescape_line(line: str) -> str:
    """Replace ``\\\\`` by ``\\`` and ``\\:`` ``\\#`` ``\\=`` ``\\{`` ``\\}`` ``\\~`` ``\\n`` by
    sentinels, scanning left to right like Moodle's escapedchar_pre (``\\\\`` first)."""
    out: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        nxt = line[i + 1] if i + 1 < len(line) else ""
        if ch == "\\" and nxt == "\\":
            out.append("\\")
            i += 2
        elif ch == "\\" and nxt in _SENTINEL:
            out.append(_SENTINEL[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _post(text: str) -> str:
    """Sentinels back to the characters they stand for (Moodle's escapedchar_post)."""
    return text.translate(_UNSENTINEL)


def _escape(text: str) -> str:
    """Moodle's repchar(): escape what GIFT would read as syntax."""
    text = text.replace("\\", "\\\\")
    for ch in "#=~{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


# --- text formats ---------------------------------------------------------------------------

_FORMATS = ("html", "moodle", "plain", "markdown")
# Tags that look like an attempt at a format tag.  Moodle keeps an unknown "[tag]" as text,
# which hides the typo; a genuine "[sic]" or "[1]" at the start of a text is left alone.
_SUSPECT_TAGS = {
    "htm",
    "xhtml",
    "text",
    "txt",
    "md",
    "wiki",
    "wiki_like",
    "plain_text",
    "plaintext",
    "moodle_auto_format",
    "auto",
    "rich",
    "richtext",
    "markup",
}


class _Problem(Exception):
    """A problem inside one question; the block parser adds line and name."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class _Text:
    text: str
    format: str
    tagged: bool  # the text named its own format


def _with_format(raw: str, default: str) -> _Text:
    """Moodle's parse_text_with_format(): a leading ``[html]`` etc. sets the format."""
    fmt, tagged = default, False
    if raw.startswith("["):
        end = raw.find("]")
        name = raw[1:end] if end > 0 else ""
        if name in _FORMATS:
            fmt, tagged, raw = name, True, raw[end + 1 :]
        elif end > 0 and (name.lower() in _FORMATS or name.lower() in _SUSPECT_TAGS):
            raise _Problem(
                f"unknown text format tag '[{_post(name)}]'; GIFT knows [html], "
                "[moodle], [plain] and [markdown]"
            )
    return _Text(php_trim(_post(raw)), fmt, tagged)


def _write_text(text: str, fmt: str, default: str) -> str:
    """Moodle's write_questiontext(), plus an explicit tag when the text itself starts with
    ``[`` so that it cannot be mistaken for one."""
    tag = f"[{fmt}]" if fmt != default or text.startswith("[") else ""
    return tag + _escape(text)


# --- blocks ---------------------------------------------------------------------------------


@dataclass
class _Block:
    """One question's lines (a blank line ends a question, as in Moodle)."""

    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, trimmed text)


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current = _Block()
    for number, line in enumerate(text.split("\n"), start=1):
        line = php_trim(line)
        if line:
            current.lines.append((number, line))
        elif current.lines:
            blocks.append(current)
            current = _Block()
    if current.lines:
        blocks.append(current)
    return blocks


_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")


def _idnumber_and_tags(comments: str) -> tuple[str, tuple[str, ...]]:
    """Moodle's extract_idnumber_and_tags_from_comment(): ``// [id:Q1] [tag:week6]``."""
    match = _ID_RE.search(comments)
    idnumber = php_trim(match.group(1)).replace("\\]", "]") if match else ""
    tags = tuple(php_trim(t).replace("\\]", "]") for t in _TAG_RE.findall(comments))
    return idnumber, tags


# --- answers --------------------------------------------------------------------------------

_WEIGHT_RE = re.compile(r"^%(-*)(\d{1,2}\.?\d*)%")  # Moodle's $giftanswerweightregex
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def _weight(answer: str, default: float) -> tuple[float, str]:
    """``%50%text`` -> (0.5, "text"); no weight -> (default, answer)."""
    match = _WEIGHT_RE.match(answer)
    if not match:
        return default, answer
    if len(match.group(1)) > 1:
        raise _Problem(f"invalid weight '{match.group(0)}'")
    value = float(match.group(2)) / 100
    return (-value if match.group(1) else value), answer[match.end() :]


def _comment(answer: str, fmt: str, notes: list[str], what: str) -> tuple[str, str]:
    """Moodle's commentparser(): ``text#feedback``."""
    text, _, feedback = answer.partition("#")
    parsed = _with_format(php_trim(text), fmt)
    parsed_fb = _with_format(php_trim(feedback), fmt)
    _note_format(parsed, fmt, what, notes)
    _note_format(parsed_fb, fmt, f"the feedback of {what}", notes)
    return parsed.text, parsed_fb.text


def _note_format(text: _Text, fmt: str, what: str, notes: list[str]) -> None:
    if text.tagged and text.format != fmt and text.text:
        notes.append(
            f"{what} is marked [{text.format}] but the question is {fmt}; "
            "the question's format applies"
        )


def _split_answers(answertext: str, sep: str) -> list[str]:
    """``explode(sep)`` dropping an empty first piece, as Moodle does."""
    if answertext.count(sep) > common.MAX_ANSWERS:
        raise _Problem(common.too_many_answers(answertext.count(sep)))
    parts = answertext.split(sep)
    parts[0] = php_trim(parts[0])
    if not parts[0]:
        parts.pop(0)
    return [php_trim(p) for p in parts]


def _multichoice(answertext: str, fmt: str, notes: list[str]) -> tuple[str, dict]:
    single = "=" in answertext  # no "=" answer: several may be right
    parts = _split_answers(answertext.replace("=", "~="), "~")
    if len(parts) < 2:
        raise _Problem("a multiple-choice question needs at least two answers")
    choices = []
    for number, part in enumerate(parts, start=1):
        if part.startswith("="):
            fraction, part = 1.0, part[1:]
        else:
            fraction, part = _weight(part, 0.0)
        text, feedback = _comment(part, fmt, notes, f"choice {number}")
        if not text:
            notes.append(f"choice {number} has no text and was left out, as Moodle does")
            continue
        choices.append({"text": text, "fraction": fraction, "feedback": feedback})
    qtype = "single_choice" if single else "multiple_response"
    return qtype, {"choices": choices, "shuffle": True}


def _matching(answertext: str, fmt: str, notes: list[str]) -> tuple[str, dict]:
    parts = _split_answers(answertext, "=")
    if len(parts) < 2:
        raise _Problem("a matching question needs at least two pairs")
    pairs = []
    for number, part in enumerate(parts, start=1):
        marker = part.find("->")
        if marker < 0:
            raise _Problem(
                f"matching pair {number} '{_post(part)}' has no '->'; write =prompt -> answer"
            )
        prompt = _with_format(part[:marker], fmt)
        _note_format(prompt, fmt, f"prompt {number}", notes)
        pairs.append({"prompt": prompt.text, "answer": php_trim(_post(part[marker + 2 :]))})
    return "matching", {"pairs": pairs, "shuffle": True}


def _true_false(answertext: str, fmt: str, notes: list[str]) -> tuple[str, dict]:
    bits = answertext.split("#", 2) + ["", ""]
    answer = php_trim(bits[0])
    wrong = _with_format(php_trim(bits[1]), fmt)
    right = _with_format(php_trim(bits[2]), fmt)
    _note_format(wrong, fmt, "the wrong-answer feedback", notes)
    _note_format(right, fmt, "the right-answer feedback", notes)
    correct = answer in ("T", "TRUE")
    # The first feedback is shown for a wrong answer, the second for a right one.
    feedback_true, feedback_false = (
        (right.text, wrong.text) if correct else (wrong.text, right.text)
    )
    return "true_false", {
        "correct": correct,
        "feedback_true": feedback_true,
        "feedback_false": feedback_false,
    }


def _short_answer(answertext: str, fmt: str, notes: list[str]) -> tuple[str, dict]:
    answers = []
    for number, part in enumerate(_split_answers(answertext, "="), start=1):
        fraction, part = _weight(part, 1.0)
        text, feedback = _comment(part, fmt, notes, f"answer {number}")
        answers.append({"text": text, "fraction": fraction, "feedback": feedback})
    if not answers:
        raise _Problem("a short-answer question needs at least one answer")
    return "short_answer", {"answers": answers, "case_sensitive": False}


def _number(text: str, what: str) -> Decimal:
    text = php_trim(text)
    if not _NUMBER_RE.match(text):
        raise _Problem(
            f"{what} '{text}' is not a number "
            "(write 3.14, 3.14:0.01 for a tolerance, or 3.1..3.2 for a range)"
        )
    return Decimal(text)


def _numeric_value(answer: str) -> tuple[float | str, float]:
    """``3.14``, ``3.14:0.01`` or ``3.1..3.2`` (or ``*``) -> (value, tolerance)."""
    try:
        if answer.find("..") > 0:
            low_text, _, high_text = answer.partition("..")
            low, high = _number(low_text, "range start"), _number(high_text, "range end")
            if low > high:
                raise _Problem(f"range {answer} starts above its end")
            middle = (low + high) / 2  # Decimal: 3.141..3.142 gives exactly 3.1415 ± 0.0005
            return float(middle), float(high - middle)
        value_text, tolerance = answer, Decimal(0)
        if answer.find(":") > 0:
            value_text, _, tol_text = answer.partition(":")
            tolerance = _number(tol_text, "tolerance")
        if php_trim(value_text) == "*":
            return "*", float(tolerance)
        return float(_number(value_text, "answer")), float(tolerance)
    except ArithmeticError:  # Decimal overflow on absurd exponents
        raise _Problem(f"answer '{answer}' is not a usable number") from None


def _numerical(answertext: str, fmt: str, notes: list[str]) -> tuple[str, dict]:
    answertext = answertext[1:]  # the leading "#"
    wrong_feedback = ""
    if "~" in answertext:  # "~#feedback" for any other answer
        answertext, wrong_feedback = answertext.split("~", 1)
        wrong_feedback = "~" + wrong_feedback
    parts = _split_answers(answertext, "=")
    if not parts:
        raise _Problem("a numerical question needs at least one answer after '#'")
    answers = []
    for number, part in enumerate(parts, start=1):
        fraction, part = _weight(part, 1.0)
        text, feedback = _comment(part, fmt, notes, f"answer {number}")
        value, tolerance = _numeric_value(text)
        answers.append(
            {"value": value, "tolerance": tolerance, "fraction": fraction, "feedback": feedback}
        )
    if wrong_feedback:
        _, feedback = _comment(wrong_feedback, fmt, notes, "the any-other-answer feedback")
        answers.append({"value": "*", "tolerance": 0.0, "fraction": 0.0, "feedback": feedback})
    return "numerical", {"answers": answers, "units": [], "unit_required": False}


def _answer_type(answertext: str) -> str:
    """Moodle's type detection, in Moodle's order."""
    if answertext == "":
        return "essay"
    if answertext[0] == "#":
        return "numerical"
    if "~" in answertext:
        return "multichoice"
    if "=" in answertext and "->" in answertext:
        return "matching"
    check = answertext
    if answertext.find("#") > 0:
        check = php_trim(answertext[: answertext.find("#")])
    return "true_false" if check in ("T", "TRUE", "F", "FALSE") else "short_answer"


_READERS = {
    "numerical": _numerical,
    "multichoice": _multichoice,
    "matching": _matching,
    "true_false": _true_false,
    "short_answer": _short_answer,
}


# --- one question ---------------------------------------------------------------------------


@dataclass
class _Context:
    category: tuple[str, ...] = ()
    result: ParseResult = field(default_factory=ParseResult)


def _line_of(block_lines: list[tuple[int, str]], text: str, index: int) -> int:
    return block_lines[text.count("\n", 0, index)][0]


def _read_block(block: _Block, ctx: _Context) -> None:
    # Comment lines count as " " (Moodle replaces them so), leading and trailing ones vanish.
    comments = [line for _, line in block.lines if line.startswith("//")]
    lines = [(n, " " if line.startswith("//") else line) for n, line in block.lines]
    while lines and lines[0][1] == " ":
        lines.pop(0)
    while lines and lines[-1][1] == " ":
        lines.pop()
    if lines and lines[0][1].startswith("$CATEGORY:"):
        # Category names are taken as written (Moodle applies no escapes to them either).
        ctx.category = common.parse_category_path(lines[0][1][len("$CATEGORY:") :])
        try:
            common.add_category(ctx.result, ctx.category)
        except DataProblem as problem:
            raise FormatError(problem.message, line=lines[0][0]) from None
        lines = lines[1:]
        while lines and lines[0][1] == " ":
            lines.pop(0)
    if not lines:
        return
    start = lines[0][0]
    for number, line in lines:
        bad = _NONCHAR_RE.search(line)
        if bad:
            raise FormatError(
                f"the text contains the Unicode noncharacter U+{ord(bad.group()):04X}", line=number
            )
        bad = common.UNCARRIABLE_RE.search(line)
        if bad:
            raise FormatError(
                f"the text contains the control character U+{ord(bad.group()):04X} (column "
                f"{bad.start() + 1}), which a question cannot store; remove it",
                line=number,
            )
    if len(ctx.result.questions) >= common.MAX_QUESTIONS:
        raise FormatError(common.too_many_questions(), line=start)
    text = "\n".join(_unescape_line(line) for _, line in lines)
    notes: list[str] = []
    found: dict[str, str] = {}
    try:
        q = _read_question(text, lines, notes, found)
        idnumber, tags = _idnumber_and_tags("\n".join(comments))
        q = common.normalise(
            replace(
                q, category=ctx.category, position=f"line {start}", idnumber=idnumber, tags=tags
            )
        )
    except _Problem as problem:
        raise FormatError(
            problem.message, line=problem.line or start, question=found.get("name")
        ) from None
    except DataProblem as problem:
        raise FormatError(problem.message, line=start, question=found.get("name")) from None
    ctx.result.questions.append(q)
    ctx.result.warnings.extend(f"line {start}: question '{q.name}': {n}" for n in notes)


def _read_question(
    text: str, lines: list[tuple[int, str]], notes: list[str], found: dict[str, str]
) -> ParsedQuestion:
    """Moodle's readquestion() for one block whose escapes are already sentinels.  The name
    goes into ``found`` as soon as it is known, for error messages."""
    pos, name = 0, ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise _Problem("the question name starts with '::' but has no closing '::'")
        name = php_trim(_post(text[2:end]))
        found["name"] = name
        pos = end + 2
        while pos < len(text) and text[pos] in common.PHP_WHITESPACE:
            pos += 1
    opening, closing = text.find("{", pos), text.find("}", pos)
    answertext: str | None = None
    if opening < 0 and closing < 0:
        stem_raw = text[pos:]  # no answers: a description
    else:
        _check_braces(text, lines, opening, closing)
        answertext = php_trim(text[opening + 1 : closing])
        after = text[closing + 1 :]
        # Text after the closing brace: Moodle's missing-word form, with a blank in the stem.
        blank = "_____" if php_trim(after) else ""
        stem_raw = text[pos:opening] + blank + after
    found["name"] = name or common.default_name(php_trim(_post(stem_raw)))
    general_feedback = ""
    if answertext is not None and "####" in answertext:
        at = answertext.rfind("####")
        general_feedback, answertext = answertext[at + 4 :], php_trim(answertext[:at])
    stem = _with_format(stem_raw, "moodle")
    fmt = stem.format
    gf = _with_format(general_feedback, fmt)
    _note_format(gf, fmt, "the general feedback", notes)
    if answertext is None:
        qtype, data = "description", {}
    else:
        kind = _answer_type(answertext)
        if kind == "essay":
            qtype, data = (
                "essay",
                {
                    "response_format": "markdown",
                    "min_words": 0,
                    "max_words": None,
                    "grader_info": "",
                },
            )
        else:
            qtype, data = _READERS[kind](answertext, fmt, notes)
    return ParsedQuestion(
        qtype=qtype, name=name, stem=stem.text, text_format=fmt, data=data, general_feedback=gf.text
    )


def _check_braces(text: str, lines: list[tuple[int, str]], opening: int, closing: int) -> None:
    """Braces that Moodle would misread (it takes the first '{' and the first '}')."""
    if opening < 0:
        raise _Problem(
            "'}' without an opening '{'; write a literal brace as \\}",
            _line_of(lines, text, closing),
        )
    if closing < 0:
        raise _Problem(
            "unterminated answer block '{' opened here; close it with '}' "
            "(a blank line ends a question)",
            _line_of(lines, text, opening),
        )
    if closing < opening:
        raise _Problem(
            "'}' comes before the answer block's '{'; write a literal brace as \\}",
            _line_of(lines, text, closing),
        )
    inner = text.find("{", opening + 1, closing)
    if inner >= 0:
        raise _Problem(
            f"'{{' inside the answer block opened on line "
            f"{_line_of(lines, text, opening)}; write a literal brace as \\{{",
            _line_of(lines, text, inner),
        )
    for ch in "{}":
        extra = text.find(ch, closing + 1)
        if extra >= 0:
            raise _Problem(
                f"a second '{ch}' after the answer block; a question has one "
                f"answer block (separate questions with a blank line, or write "
                f"\\{ch})",
                _line_of(lines, text, extra),
            )


# --- public API -----------------------------------------------------------------------------


def parse(text: str) -> ParseResult:
    """Read a GIFT file.  Raises FormatError (with the line where the faulty question starts,
    or the line of the faulty brace) for anything Moodle would reject or misread."""
    if not isinstance(text, str):
        raise FormatError("GIFT input must be text (decode the file as UTF-8 first)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A byte order mark starts the file, and every file joined to it (`cat a.gift b.gift` of
    # files saved by Windows Notepad): at a line's start it would hide the "::name::" or the
    # "$CATEGORY:" after it. It is never text anyone typed there.
    text = re.sub("^\ufeff", "", text, flags=re.MULTILINE)
    ctx = _Context()
    for block in _blocks(text):
        _read_block(block, ctx)
    return ctx.result


def normalise(q: ParsedQuestion) -> ParsedQuestion:
    """What ``parse(write([q]))`` gives back: :func:`common.normalise` minus what GIFT cannot
    carry (files, default mark, shuffle off, case sensitivity, units, essay options,
    feedback on a description)."""
    n = common.normalise(q)
    data = dict(n.data)
    if "shuffle" in data:
        data["shuffle"] = True
    if n.qtype == "short_answer":
        data["case_sensitive"] = False
    elif n.qtype == "numerical":
        data.update(units=[], unit_required=False)
        data.pop("unit_penalty", None)
        data.pop("unit_grading", None)
    elif n.qtype == "essay":
        data = {"response_format": "markdown", "min_words": 0, "max_words": None, "grader_info": ""}
    return replace(
        n,
        data=data,
        default_mark=0.0 if n.qtype == "description" else 1.0,
        general_feedback="" if n.qtype == "description" else n.general_feedback,
        files={},
        extras={},
    )


def write(questions: list[ParsedQuestion]) -> str:
    """Write questions as GIFT that Moodle imports.  Raises FormatError naming the question
    for what GIFT cannot express (select_missing_words: use Moodle XML)."""
    blocks: list[str] = []
    category: tuple[str, ...] = ()
    for number, q in enumerate(questions, start=1):
        try:
            n = common.normalise(q)
            if n.category != category:
                blocks.append(f"$CATEGORY: {common.format_category_path(n.category)}\n")
                category = n.category
            blocks.append(_write_question(n))
        except DataProblem as problem:
            raise FormatError(
                problem.message, element=f"question[{number}]", question=q.name or None
            ) from None
        if _NONCHAR_RE.search(blocks[-1]):
            raise FormatError(
                "the text contains a Unicode noncharacter (U+FDD0..U+FDEF), which GIFT reserves",
                element=f"question[{number}]",
                question=q.name or None,
            )
    return "\n".join(blocks)


def _meta_comment(q: ParsedQuestion) -> str:
    bits = []
    if q.idnumber:
        if re.search(r"[\x00-\x1f\x7f]", q.idnumber):
            raise DataProblem("the idnumber contains a control character")
        bits.append(f"[id:{q.idnumber.replace(']', chr(92) + ']')}]")
    for tag in q.tags:
        if re.search(r"[<>`\x00-\x1f\x7f]", tag):
            raise DataProblem(f"tag {tag!r} contains a character Moodle tags cannot have")
        bits.append(f"[tag:{tag.replace(']', chr(92) + ']')}]")
    return f"// {' '.join(bits)}\n" if bits else ""


def _write_question(q: ParsedQuestion) -> str:
    fmt = q.text_format
    head = f"::{_escape(q.name)}::{_write_text(q.stem, fmt, 'moodle')}"
    if q.qtype == "description":
        return _meta_comment(q) + head + "\n"
    writer = _WRITERS.get(q.qtype)
    if writer is None:
        raise DataProblem(
            f"GIFT cannot express a {q.qtype} question; export it as Moodle XML instead"
        )
    body = writer(q.data, fmt)
    gf = f"####{_write_text(q.general_feedback, fmt, fmt)}" if q.general_feedback else ""
    if q.qtype in ("essay", "true_false"):
        return f"{_meta_comment(q)}{head}{{{body}{gf}}}\n"
    opener = "{#" if q.qtype == "numerical" else "{"  # Moodle's layout: "{#" then answers
    lines = [f"\t{line}\n" for line in body] + ([f"\t{gf}\n"] if gf else [])
    return f"{_meta_comment(q)}{head}{opener}\n{''.join(lines)}}}\n"


def _feedback(text: str, fmt: str) -> str:
    return f"#{_write_text(text, fmt, fmt)}" if text else ""


def _w_choices(data: dict, fmt: str, single: bool) -> list[str]:
    lines, seen_right = [], False
    for choice in data["choices"]:
        fraction = choice["fraction"]
        if single and fraction == 1 and not seen_right:
            prefix, seen_right = "=", True  # the right answer; further 100 % ones get "~%100%"
        elif fraction == 0 and not _WEIGHT_RE.match(choice["text"]):
            prefix = "~"
        else:
            prefix = f"~%{common.percent_text(fraction)}%"
        lines.append(
            prefix + _write_text(choice["text"], fmt, fmt) + _feedback(choice["feedback"], fmt)
        )
    return lines


def _w_true_false(data: dict, fmt: str) -> str:
    right, wrong = (
        (data["feedback_true"], data["feedback_false"])
        if data["correct"]
        else (data["feedback_false"], data["feedback_true"])
    )
    out = "TRUE" if data["correct"] else "FALSE"
    if wrong:
        out += "#" + _write_text(wrong, fmt, fmt)
    elif right:
        out += "#"
    if right:
        out += "#" + _write_text(right, fmt, fmt)
    return out


def _w_short_answer(data: dict, fmt: str) -> list[str]:
    lines = [
        f"=%{common.percent_text(a['fraction'])}%{_write_text(a['text'], fmt, fmt)}"
        + _feedback(a["feedback"], fmt)
        for a in data["answers"]
    ]
    if any("->" in line for line in lines):
        # Moodle reads "=" plus "->" as a matching question, and "->" has no escape.
        raise DataProblem(
            "a short answer or its feedback contains '->', which GIFT would "
            "read as a matching question; export it as Moodle XML instead"
        )
    return lines


def _w_numerical(data: dict, fmt: str) -> list[str]:
    lines, answers = [], data["answers"]
    for i, a in enumerate(answers):
        if a["value"] == "*" and a["fraction"] == 0 and i == len(answers) - 1:
            lines.append("~#" + _write_text(a["feedback"], fmt, fmt))
            continue
        value = "*" if a["value"] == "*" else f"{repr(a['value'])}:{repr(a['tolerance'])}"
        lines.append(
            f"=%{common.percent_text(a['fraction'])}%{value}" + _feedback(a["feedback"], fmt)
        )
    return lines


def _w_matching(data: dict, fmt: str) -> list[str]:
    lines = []
    for pair in data["pairs"]:
        if "->" in pair["prompt"]:
            raise DataProblem(
                f"matching prompt '{pair['prompt']}' contains '->', which GIFT "
                "cannot escape; export it as Moodle XML instead"
            )
        lines.append(
            f"={_write_text(pair['prompt'], fmt, fmt) if pair['prompt'] else ''}"
            f" -> {_escape(pair['answer'])}"
        )
    return lines


_WRITERS = {
    "single_choice": lambda d, f: _w_choices(d, f, single=True),
    "multiple_response": lambda d, f: _w_choices(d, f, single=False),
    "true_false": _w_true_false,
    "short_answer": _w_short_answer,
    "numerical": _w_numerical,
    "matching": _w_matching,
    "essay": lambda d, f: "",
}
