"""Data shared by the GIFT and Moodle XML formats.

Pure Python on purpose: the importers run in management commands, Celery tasks and tests
without Django, and the views turn a :class:`ParseResult` into question versions.

A :class:`ParsedQuestion` carries exactly the ``data`` shape that ``docs/question-types.md``
defines for its ``qtype``; both parsers produce it and both writers consume it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

QTYPES: tuple[str, ...] = (
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "select_missing_words",
    "essay",
    "description",
    "cloze",
)

TEXT_FORMATS: tuple[str, ...] = ("html", "markdown", "plain", "moodle")


@dataclass
class ParsedQuestion:
    """One imported (or to-be-exported) question.

    ``text_format`` applies to the stem, the choice texts and every feedback, as in the data
    contract; ``"moodle"`` is Moodle's own auto-format (plain text with line breaks and links),
    which GIFT uses when a question names no format.  ``files`` maps a file name (``"a.jpg"``
    or ``"sub/a.jpg"``) to its bytes; texts reference it as ``@@PLUGINFILE@@/a.jpg``.
    ``position`` says where the question was found (``"line 12"``, ``"question[3]"``) and only
    serves messages, so it is ignored by the round-trip comparisons.
    """

    qtype: str
    name: str
    stem: str
    text_format: str
    data: dict
    general_feedback: str = ""
    default_mark: float = 1.0
    category: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    idnumber: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    position: str = ""
    # Moodle XML settings this platform keeps only to export them again (penalty, hidden,
    # combined feedback, hints, display and essay options), each only when not Moodle's
    # default; see moodle_xml.EXTRAS.
    extras: dict = field(default_factory=dict)


@dataclass
class Skipped:
    """A question that was read but not imported, and why (never dropped silently)."""

    name: str
    qtype: str
    reason: str
    position: str


@dataclass
class ParseResult:
    """Everything one file yielded.

    ``categories`` lists every category path the file declares, in file order, without
    duplicates (a question's own path is in ``ParsedQuestion.category``).  ``warnings`` are
    things a teacher should know that do not stop the import (e.g. a choice marked ``[plain]``
    inside an HTML question: its text is kept, the question's format applies).
    """

    questions: list[ParsedQuestion] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    categories: list[tuple[str, ...]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Moodle XML: a category's description and idnumber, by path:
    # {"info": text, "info_format": "html"|…, "idnumber": text}.
    category_info: dict[tuple[str, ...], dict] = field(default_factory=dict)
    # ``categories`` as a set, and the sum of their depths (see ``common.add_category``).
    category_set: set[tuple[str, ...]] = field(default_factory=set, repr=False, compare=False)
    category_levels: int = field(default=0, repr=False, compare=False)


class FormatError(Exception):
    """A file (or a question to export) that the format cannot carry.

    ``line`` (GIFT: where the faulty question starts, or the exact line of a brace) and
    ``element`` (XML: a path like ``question[3]/answer[2]/@fraction``) locate the problem;
    ``question`` names the question when one is known.  ``str()`` puts them in front of the
    message, e.g. ``line 12: unterminated answer block '{' opened here; close it with '}'``.
    """

    def __init__(
        self,
        message: str,
        line: int | None = None,
        element: str | None = None,
        question: str | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.element = element
        self.question = question
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else ""
        if self.question is not None:
            label = f"question '{self.question}'"
            if self.element:
                label += f" ({self.element})"
            where = f"{where}: {label}" if where else label
        elif self.element:
            where = f"{where}, {self.element}" if where else self.element
        return f"{where}: {self.message}" if where else self.message
