"""write -> parse gives back the question, for every type, in both formats.

"The same question" is the format's ``normalise``: texts trimmed, grades snapped to Moodle's
list, defaults filled in, and (GIFT only) the fields GIFT cannot carry reset.
"""

from __future__ import annotations

from dataclasses import replace

from formats_strategies import questions
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quizzes.formats import gift, moodle_xml
from quizzes.formats.model import ParsedQuestion

SETTINGS = settings(
    max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

GIFT_TYPES = [
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "essay",
    "description",
]


def _same(a: ParsedQuestion, b: ParsedQuestion) -> None:
    # ``position`` only locates a question in a file.
    assert replace(a, position="") == replace(b, position="")


def _gift_expressible(q: ParsedQuestion) -> bool:
    """Moodle reads '=' with '->' as matching, and '->' has no GIFT escape."""
    if q.qtype != "short_answer":
        return True
    return not any("->" in a["text"] or "->" in a["feedback"] for a in q.data["answers"])


@SETTINGS
@given(st.lists(questions(GIFT_TYPES), min_size=1, max_size=3))
def test_gift_round_trip(qs: list[ParsedQuestion]) -> None:
    assume(all(_gift_expressible(q) for q in qs))
    text = gift.write(qs)
    result = gift.parse(text)
    assert len(result.questions) == len(qs), text
    for original, parsed in zip(qs, result.questions, strict=True):
        _same(parsed, gift.normalise(original))


@SETTINGS
@given(st.lists(questions(with_files=True), min_size=1, max_size=3))
def test_xml_round_trip(qs: list[ParsedQuestion]) -> None:
    data = moodle_xml.write(qs)
    result = moodle_xml.parse(data)
    assert len(result.questions) == len(qs)
    assert result.skipped == []
    for original, parsed in zip(qs, result.questions, strict=True):
        _same(parsed, moodle_xml.normalise(original))


@settings(max_examples=60, deadline=None, database=None)
@given(questions())
def test_normalise_is_idempotent(q: ParsedQuestion) -> None:
    once = moodle_xml.normalise(q)
    assert moodle_xml.normalise(once) == once
    if q.qtype != "select_missing_words":
        assert gift.normalise(gift.normalise(q)) == gift.normalise(q)


@settings(max_examples=60, deadline=None, database=None)
@given(questions(GIFT_TYPES))
def test_gift_output_survives_xml_and_back(q: ParsedQuestion) -> None:
    """GIFT -> our model -> Moodle XML -> our model changes nothing more."""
    assume(_gift_expressible(q))
    via_gift = gift.parse(gift.write([q])).questions[0]
    via_xml = moodle_xml.parse(moodle_xml.write([via_gift])).questions[0]
    _same(via_xml, via_gift)
