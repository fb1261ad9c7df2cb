"""The import errors of quizzes/formats, translated where they are shown.

The formats are a pure core (no Django, so no gettext): they describe a problem in English with
its location in fields of FormatError (line, element, question). This module matches each known
English message and gives it back in the user's language, with the same values; a message it
does not know is shown as the core wrote it."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formats import FormatError

N = r"(?P<n>[0-9][0-9,]*)"
Q = r"'(?P<text>.*)'"

# (English message as the core writes it, as a regex) -> translated template with its groups.
MESSAGES: list[tuple[re.Pattern, object]] = [(re.compile(f"^{pattern}$", re.S), template) for
                                             pattern, template in (
    (r"unknown text format tag '\[(?P<text>.*)\]'; GIFT knows \[html\], \[moodle\], \[plain\] "
     r"and \[markdown\]",
     gettext_lazy("unknown text format tag [%(text)s]; GIFT knows [html], [moodle], [plain] "
                  "and [markdown]")),
    (r"invalid weight " + Q, gettext_lazy("invalid weight '%(text)s'")),
    (r"the question has " + N + r" answers; the limit is (?P<limit>[0-9,]+) per question "
     r"\(split it into several questions\)",
     gettext_lazy("the question has %(n)s answers; the limit is %(limit)s per question (split "
                  "it into several questions)")),
    (r"a multiple-choice question needs at least two answers",
     gettext_lazy("a multiple-choice question needs at least two answers")),
    (r"a matching question needs at least two pairs",
     gettext_lazy("a matching question needs at least two pairs")),
    (r"matching pair " + N + " " + Q + r" has no '->'; write =prompt -> answer",
     gettext_lazy("matching pair %(n)s '%(text)s' has no '->'; write =prompt -> answer")),
    (r"a short-answer question needs at least one answer",
     gettext_lazy("a short-answer question needs at least one answer")),
    (r"(?P<what>.*?) " + Q + r" is not a number \(write 3\.14, 3\.14:0\.01 for a tolerance, or "
     r"3\.1\.\.3\.2 for a range\)",
     gettext_lazy("'%(text)s' (%(what)s) is not a number (write 3.14, 3.14:0.01 for a "
                  "tolerance, or 3.1..3.2 for a range)")),
    (r"range (?P<text>.*) starts above its end",
     gettext_lazy("the range %(text)s starts above its end")),
    (r"answer " + Q + r" is not a usable number",
     gettext_lazy("the answer '%(text)s' is not a usable number")),
    (r"a numerical question needs at least one answer after '#'",
     gettext_lazy("a numerical question needs at least one answer after '#'")),
    (r"the text contains the Unicode noncharacter (?P<text>U\+[0-9A-F]+)",
     gettext_lazy("the text contains the Unicode noncharacter %(text)s")),
    (r"the text contains the control character (?P<text>U\+[0-9A-F]+) \(column " + N
     + r"\), which a question cannot store; remove it",
     gettext_lazy("the text contains the control character %(text)s (column %(n)s), which a "
                  "question cannot store; remove it")),
    (r"the file has more than " + N + r" questions, the limit per file; split it into several "
     r"files",
     gettext_lazy("the file has more than %(n)s questions, the limit per file; split it into "
                  "several files")),
    (r"the file has more than " + N + r" categories \(each level of a category path counts\), "
     r"the limit per file; split it into several files",
     gettext_lazy("the file has more than %(n)s categories (each level of a category path "
                  "counts), the limit per file; split it into several files")),
    (r"the question name starts with '::' but has no closing '::'",
     gettext_lazy("the question name starts with '::' but has no closing '::'")),
    (r"'}' without an opening '{'; write a literal brace as \\}",
     gettext_lazy("'}' without an opening '{'; write a literal brace as \\}")),
    (r"unterminated answer block '{' opened here; close it with '}' \(a blank line ends a "
     r"question\)",
     gettext_lazy("unterminated answer block '{' opened here; close it with '}' (a blank line "
                  "ends a question)")),
    (r"'}' comes before the answer block's '{'; write a literal brace as \\}",
     gettext_lazy("'}' comes before the answer block's '{'; write a literal brace as \\}")),
    (r"'{' inside the answer block opened on line " + N + r"; write a literal brace as \\{",
     gettext_lazy("'{' inside the answer block opened on line %(n)s; write a literal brace as "
                  "\\{")),
    (r"a second '(?P<text>.)' after the answer block; a question has one answer block "
     r"\(separate questions with a blank line, or write \\.\)",
     gettext_lazy("a second '%(text)s' after the answer block; a question has one answer "
                  "block (separate questions with a blank line, or write \\%(text)s)")),
    (r"the file's text encoding cannot be read \((?P<text>.*)\); save it as UTF-8 and import "
     r"it again",
     gettext_lazy("the file's text encoding cannot be read (%(text)s); save it as UTF-8 and "
                  "import it again")),
    (r"the file is not UTF-8 text \(byte " + N + r"\); save it as UTF-8 and import it again",
     gettext_lazy("the file is not UTF-8 text (byte %(n)s); save it as UTF-8 and import it "
                  "again")),
)]


def message_text(message: str) -> str:
    """`message` (one of the core's English messages) in the user's language."""
    for pattern, template in MESSAGES:
        match = pattern.match(message)
        if match:
            return str(template) % match.groupdict()
    return message


def position_text(position: str) -> str:
    """A parsed question's position ("line 12", or an XML element path) for the user."""
    match = re.fullmatch(r"line ([0-9]+)", position)
    return _("line %(n)s") % {"n": match.group(1)} if match else position


def where_text(position: str, name: str) -> str:
    """Where a question of an imported file is: its position and its name."""
    return _("%(position)s: question '%(name)s'") % {"position": position_text(position),
                                                    "name": name}


def format_error_text(exc: FormatError) -> str:
    """A FormatError with its location, in the user's language."""
    where = _("line %(n)s") % {"n": exc.line} if exc.line is not None else ""
    if exc.question is not None:
        label = _("question '%(name)s'") % {"name": exc.question}
        if exc.element:
            label += f" ({exc.element})"
        where = f"{where}: {label}" if where else label
    elif exc.element:
        where = f"{where}, {exc.element}" if where else exc.element
    message = message_text(exc.message)
    return f"{where}: {message}" if where else message
