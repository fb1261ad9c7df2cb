"""Cloze's pure core: subanswers name choices by their text, and display values (positions in
the attempt's layout) go to the student and come back to the same texts under every layout."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qt_helpers import FakeForm

from quizzes import qtypes
from quizzes.qtypes.base import ResponseError

CLOZE = qtypes.get("cloze")
# A multichoice with two choices that read the same ("b": 0 and 1) and a multiresponse.
DATA = CLOZE.validate({
    "text": "{#1} {#2} {#3}",
    "subquestions": [
        {"kind": "multichoice", "shuffle": True,
         "choices": [{"text": "a", "fraction": 0}, {"text": "b", "fraction": 0},
                     {"text": "b", "fraction": 1}, {"text": "c", "fraction": 0.5}]},
        {"kind": "multiresponse", "shuffle": True,
         "choices": [{"text": "x", "fraction": 0.5}, {"text": "y", "fraction": 0.5},
                     {"text": "z", "fraction": -1}]},
        {"kind": "short_answer", "answers": [{"text": "word", "fraction": 1}]},
    ],
})
responses = st.fixed_dictionaries({}, optional={
    "1": st.sampled_from(["a", "b", "c"]),
    "2": st.lists(st.sampled_from(["x", "y", "z"]), min_size=1),
    "3": st.sampled_from(["word", "other"]),
}).map(lambda answers: {"answers": answers} if answers else None)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses, st.integers(0, 2**32))
def test_display_values_round_trip_to_the_same_texts_under_every_layout(response, seed):
    layout = CLOZE.make_layout(DATA, seed)
    stored = CLOZE.validate_response(DATA, response)
    shown = CLOZE.to_display(DATA, layout, stored)
    assert CLOZE.from_display(DATA, layout, copy.deepcopy(shown)) == stored
    fields = {f"r-sub-{n}": v for n, v in (shown or {"answers": {}})["answers"].items()}
    assert CLOZE.parse_form(DATA, FakeForm(fields), "r-", layout) == stored
    view = CLOZE.student_view(DATA, layout, stored)
    for segment in view["segments"]:
        if "choices" in segment:
            picked = [c["value"] for c in segment["choices"] if c["selected"]]
            wanted = (shown or {"answers": {}})["answers"].get(str(segment["sub"]))
            assert picked == (wanted if isinstance(wanted, list) else [wanted] if wanted else [])
    # The grade reads texts, so it is the same under every layout.
    assert CLOZE.grade(DATA, stored) == CLOZE.grade(DATA, response)


def test_subanswers_are_choice_texts_in_stored_order():
    stored = CLOZE.validate_response(DATA, {"answers": {"1": "c", "2": ["z", "x", "x"]}})
    assert stored == {"answers": {"1": "c", "2": ["x", "z"]}}
    # Either "b" shown names the better one (fraction 1); x + z = -0.5 counts as 0.
    assert CLOZE.grade(DATA, {"answers": {"1": "b"}}).fraction == pytest.approx(1 / 3)
    assert CLOZE.grade(DATA, {"answers": {"2": ["x", "z"]}}).fraction == 0


@pytest.mark.parametrize("answers", [
    {"1": 0}, {"1": "d"}, {"1": ["a"]}, {"2": "x"}, {"2": [0]}, {"2": ["x", "w"]}])
def test_positions_and_unknown_texts_are_refused(answers):
    with pytest.raises(ResponseError, match="answers.[12]"):
        CLOZE.validate_response(DATA, {"answers": answers})
