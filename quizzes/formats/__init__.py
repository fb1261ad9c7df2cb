"""Question import/export: GIFT and Moodle XML.

Pure Python (no Django): ``gift.parse(text)`` / ``moodle_xml.parse(data)`` return a
:class:`ParseResult` of :class:`ParsedQuestion` objects whose ``data`` follows
``docs/question-types.md``; ``gift.write(questions)`` / ``moodle_xml.write(questions)`` turn
them back into files Moodle imports.  Every problem is a :class:`FormatError`.
"""

from . import gift, moodle_xml
from .model import FormatError, ParsedQuestion, ParseResult, Skipped

__all__ = ["FormatError", "ParseResult", "ParsedQuestion", "Skipped", "gift", "moodle_xml"]
