"""Property tests across the question types (hypothesis).

For valid generated data: grading is deterministic and in range; the same meant answer, entered
through the form of any layout, parses and grades the same (shuffling never changes a grade);
student_view never carries a fraction, feedback, key or stored index, and its values are plain
display positions; to_display / from_display / parse_form round-trip every stored response;
layouts are deterministic and JSON-serialisable; review_view agrees with grade.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qt_helpers import (
    DATA,
    SAMPLES,
    answers_for,
    form_for,
    form_from_display,
    responses_for,
    walk_keys,
)

from quizzes import qtypes

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = sorted(DATA)
FORBIDDEN_KEYS = {
    "fraction",
    "feedback",
    "correct",
    "feedback_true",
    "feedback_false",
    "grader_info",
    "answer",
    "right",
    "right_text",
    "pairs",
    "tolerance",
    "index",
    "key",
}
seeds = st.integers(0, 2**32) | st.text(max_size=5)


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(st.data())
def test_validate_is_idempotent_and_grading_is_deterministic_and_in_range(name, draw):
    qt = qtypes.get(name)
    data = qt.validate(draw.draw(DATA[name]))
    assert qt.validate(copy.deepcopy(data)) == data
    layout = qt.make_layout(data, draw.draw(seeds))
    view = qt.student_view(data, layout)
    answer = draw.draw(answers_for(name, data))
    response = qt.parse_form(data, form_for(name, view, answer, "p-"), "p-", layout)
    assert qt.validate_response(data, copy.deepcopy(response)) == response
    json.dumps(response)

    grade = qt.grade(data, response)
    assert grade == qt.grade(copy.deepcopy(data), copy.deepcopy(response))
    assert grade.state in qtypes.STATES
    if response is None:
        assert grade == qtypes.Grade(0.0, "unanswered", [])
    elif not qt.gradable:
        assert grade == qtypes.Grade(None, "needs_grading", [])
    else:
        assert 0.0 <= grade.fraction <= 1.0
        expected = {1.0: "correct", 0.0: "incorrect"}.get(grade.fraction, "partial")
        assert grade.state == expected


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(st.data())
def test_the_same_answer_grades_the_same_under_every_layout(name, draw):
    qt = qtypes.get(name)
    data = qt.validate(draw.draw(DATA[name]))
    answer = draw.draw(answers_for(name, data))
    grades, responses = [], []
    for seed in draw.draw(st.lists(seeds, min_size=2, max_size=4)):
        layout = qt.make_layout(data, seed)
        view = qt.student_view(data, layout)
        response = qt.parse_form(data, form_for(name, view, answer, "s1-"), "s1-", layout)
        responses.append(response)
        grades.append(qt.grade(data, response))
    # Also the stored order (no layout), as a preview would show it.
    response = qt.parse_form(
        data, form_for(name, qt.student_view(data, None), answer, ""), "", None
    )
    responses.append(response)
    grades.append(qt.grade(data, response))
    assert all(r == responses[0] for r in responses)
    assert all(g == grades[0] for g in grades)


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(st.data())
def test_student_view_hides_keys_and_feedback(name, draw):
    qt = qtypes.get(name)
    raw = draw.draw(DATA[name])
    data = qt.validate(raw)
    view = qt.student_view(data, qt.make_layout(data, draw.draw(seeds)))
    assert not FORBIDDEN_KEYS & set(walk_keys(view))
    dump = json.dumps(view, ensure_ascii=False)
    assert "FB" not in dump  # every feedback (and grader_info) string is an "FB<n>X" token
    if name == "true_false":  # the view cannot depend on which value is correct
        flipped = {**data, "correct": not data["correct"]}
        assert qt.student_view(flipped, qt.make_layout(flipped, 0)) == view


def display_lists(view: dict) -> list[list[str]]:
    """The ``value``s of every list of selectable things in a student view."""
    lists = [
        [c["value"] for c in view.get("choices", [])],
        [o["value"] for o in view.get("options", [])],
    ]
    lists.append([p["value"] for p in view.get("prompts", [])])
    lists.append([a["value"] for a in view.get("answers", [])])
    lists += [[o["value"] for o in s["options"]] for s in view.get("segments", []) if "gap" in s]
    return [values for values in lists if values]


def selected_display(name: str, view: dict):
    """What the view marks as chosen, in the shape of a display response (or None)."""
    if name in ("short_answer", "numerical", "essay"):
        return {"text": view["current"]} if view["current"] else None
    if name == "true_false":
        chosen = [o["value"] == "1" for o in view["options"] if o["selected"]]
        return {"value": chosen[0]} if chosen else None
    if name == "single_choice":
        chosen = [c["value"] for c in view["choices"] if c["selected"]]
        return {"choice": chosen[0]} if chosen else None
    if name == "multiple_response":
        chosen = [c["value"] for c in view["choices"] if c["selected"]]
        return {"choices": chosen} if chosen else None
    if name == "matching":
        chosen = {p["value"]: p["selected"] for p in view["prompts"] if p["selected"] is not None}
        return {"matches": chosen} if chosen else None
    if name == "select_missing_words":
        chosen = {
            str(s["gap"]): o["value"]
            for s in view["segments"]
            if "gap" in s
            for o in s["options"]
            if o["selected"]
        }
        return {"gaps": chosen} if chosen else None
    if name == "spot_the_fake":
        chosen = [i["value"] for i in view["images"] if i["selected"]]
        return {"marked": chosen} if chosen else None
    assert name == "description"
    return None


@pytest.mark.parametrize("name", [*NAMES, "description"])
@FAST
@given(st.data())
def test_display_responses_round_trip_and_match_the_view(name, draw):
    qt = qtypes.get(name)
    data = qt.validate(draw.draw(DATA[name]) if name in DATA else SAMPLES[name])
    layout = qt.make_layout(data, draw.draw(seeds))
    response = qt.validate_response(data, draw.draw(responses_for(name, data)))
    shown = qt.to_display(data, layout, response)
    assert json.loads(json.dumps(shown)) == shown
    assert qt.from_display(data, layout, copy.deepcopy(shown)) == response
    form = form_from_display(name, shown, "r-")
    assert qt.parse_form(data, form, "r-", layout) == response
    view = qt.student_view(data, layout, response)
    assert selected_display(name, view) == shown
    # Ints are as good as strings in a display response.
    assert qt.from_display(data, layout, with_ints(shown)) == response


def with_ints(shown):
    """A display response with every display value (and key) written as an int."""
    if not shown or "text" in shown or "value" in shown:
        return shown
    ((key, value),) = shown.items()
    if isinstance(value, dict):
        return {key: {int(k): int(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {key: [int(v) for v in value]}
    return {key: int(value)}


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(st.data())
def test_student_view_values_are_bare_display_positions(name, draw):
    """Every list's values are "0", "1", ... in the order shown: nothing but the display
    position, so they cannot carry the authored order."""
    qt = qtypes.get(name)
    data = qt.validate(draw.draw(DATA[name]))
    view = qt.student_view(data, qt.make_layout(data, draw.draw(seeds)))
    for values in display_lists(view):
        if name == "true_false":
            assert values == ["1", "0"]
        else:
            assert values == [str(i) for i in range(len(values))]


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(st.data())
def test_layouts_are_deterministic_json_and_respect_shuffle(name, draw):
    qt = qtypes.get(name)
    data = qt.validate(draw.draw(DATA[name]))
    seed = draw.draw(seeds)
    layout = qt.make_layout(data, seed)
    assert layout == qt.make_layout(copy.deepcopy(data), seed)
    assert json.loads(json.dumps(layout)) == layout
    if data.get("shuffle") is False:
        # Unshuffled: display order is stored order (matching still shuffles its answers).
        stored = qt.student_view(data, None)
        shown = qt.student_view(data, layout)
        if name == "matching":
            assert shown["prompts"] == stored["prompts"]
        else:
            assert shown == stored


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(st.data())
def test_review_view_agrees_with_grade_and_is_json(name, draw):
    qt = qtypes.get(name)
    data = qt.validate(draw.draw(DATA[name]))
    layout = qt.make_layout(data, draw.draw(seeds))
    view = qt.student_view(data, layout)
    answer = draw.draw(answers_for(name, data))
    response = qt.parse_form(data, form_for(name, view, answer, ""), "", layout)
    grade = qt.grade(data, response)
    review = qt.review_view(data, layout, response, grade)
    assert review == qt.review_view(data, layout, response)  # grade defaults to grade()
    assert (review["fraction"], review["state"], review["feedback"]) == (
        grade.fraction,
        grade.state,
        grade.feedback,
    )
    assert review["right_answer"] == qt.right_answer(data)
    json.dumps(review)
    if name in ("single_choice", "multiple_response"):
        assert [c["text"] for c in review["choices"]] == [c["text"] for c in view["choices"]]
        chosen = {c["text"] for c in review["choices"] if c["selected"]}
        expected = {response["choice"]} if name == "single_choice" and response else set()
        if name == "multiple_response" and response:
            expected = set(response["choices"])
        assert chosen == expected


@FAST
@given(single_choice_raw=DATA["single_choice"], seed=seeds)
def test_right_answer_alone_scores_full_marks(single_choice_raw, seed):
    """The answers marked fraction 1 (or, for multiple_response, all positive ones) score 1."""
    qt = qtypes.get("single_choice")
    data = qt.validate(single_choice_raw)
    best = [c["text"] for c in data["choices"] if c["fraction"] == 1.0]
    assert qt.grade(data, {"choice": best[0]}).state == "correct"


@FAST
@given(raw=DATA["multiple_response"])
def test_multiple_response_all_positive_choices_score_exactly_one(raw):
    qt = qtypes.get("multiple_response")
    data = qt.validate(raw)
    positive = [c["text"] for c in data["choices"] if c["fraction"] > 0]
    zero = [c["text"] for c in data["choices"] if c["fraction"] == 0]
    assert qt.grade(data, {"choices": positive}).fraction == 1.0
    assert qt.grade(data, {"choices": positive + zero}).fraction == 1.0
    everything = [c["text"] for c in data["choices"]]
    assert 0.0 <= qt.grade(data, {"choices": everything}).fraction <= 1.0
