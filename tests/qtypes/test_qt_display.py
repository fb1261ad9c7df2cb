"""Display values: nothing a student receives while answering reveals the authored order.

Authors usually write the right answer first. If the page (or the JSON API) carried stored
indices, ``value="0"`` would give the key away whatever the shuffle. These tests build exactly
that data and check, over many seeds, that the right answer's display value follows the layout
and that no stored index (no ``index`` or ``key``) is left in the student view.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from qt_helpers import SAMPLES, FakeForm, walk_keys

from quizzes import qtypes

SEEDS = range(200)

#: The right answer is authored first in each (shuffle is on by default).
RIGHT_FIRST = {
    "single_choice": {
        "choices": [
            {"text": "right", "fraction": 1},
            {"text": "wrong b"},
            {"text": "wrong c"},
            {"text": "wrong d"},
        ]
    },
    "multiple_response": {
        "choices": [
            {"text": "right", "fraction": 1},
            {"text": "wrong b"},
            {"text": "wrong c"},
            {"text": "wrong d"},
        ]
    },
    "matching": {
        "pairs": [
            {"prompt": "first prompt", "answer": "right"},
            {"prompt": "second prompt", "answer": "answer b"},
            {"prompt": "third prompt", "answer": "answer c"},
            {"prompt": "", "answer": "distractor"},
        ]
    },
    "select_missing_words": {
        "text": "The [[1]] sat on the mat.",
        "options": [{"text": "right"}, {"text": "wrong b"}, {"text": "wrong c"}, {"text": "d"}],
    },
}


def right_value(name: str, view: dict) -> tuple[str, ...]:
    """The display value(s) a student would need to know to send the right answer."""
    if name in ("single_choice", "multiple_response"):
        return tuple(c["value"] for c in view["choices"] if c["text"] == "right")
    if name == "matching":
        (prompt,) = [p["value"] for p in view["prompts"] if p["text"] == "first prompt"]
        (answer,) = [a["value"] for a in view["answers"] if a["text"] == "right"]
        return (prompt, answer)
    (gap,) = [s for s in view["segments"] if "gap" in s]
    return tuple(o["value"] for o in gap["options"] if o["text"] == "right")


@pytest.mark.parametrize("name", sorted(RIGHT_FIRST))
def test_the_right_answers_value_follows_the_layout_not_the_authored_order(name):
    qt = qtypes.get(name)
    data = qt.validate(RIGHT_FIRST[name])
    assert data["shuffle"] is True
    seen: Counter[tuple[str, ...]] = Counter()
    for seed in SEEDS:
        layout = qt.make_layout(data, seed)
        view = qt.student_view(data, layout)
        dump = json.dumps(view)
        keys = set(walk_keys(view))
        assert "index" not in keys and "key" not in keys, dump
        assert '"index"' not in dump and '"key"' not in dump
        value = right_value(name, view)
        seen[value] += 1
        # The value is the display position, and the stored response maps to it.
        stored = qt.parse_form(data, form_choosing(name, value), "", layout)
        assert qt.grade(data, stored).fraction > 0
    assert len(seen) > 1, f"{name}: the right answer always has value {next(iter(seen))}"
    if name != "matching":
        # Every position (4 options) turns up: the value carries no more than the shuffle.
        assert {v for (v,) in seen} == {"0", "1", "2", "3"}
    else:
        assert {answer for _, answer in seen} == {"0", "1", "2", "3"}
        assert {prompt for prompt, _ in seen} == {"0", "1", "2"}


def form_choosing(name: str, value: tuple[str, ...]) -> FakeForm:
    """A form choosing the right answer by its display value."""
    if name == "single_choice":
        return FakeForm({"choice": value[0]})
    if name == "multiple_response":
        return FakeForm({"choices": list(value)})
    if name == "matching":
        return FakeForm({f"match-{value[0]}": value[1]})
    return FakeForm({"gap-1": value[0]})


@pytest.mark.parametrize("name", sorted(RIGHT_FIRST))
def test_display_responses_hide_the_authored_order_too(name):
    """The JSON API's to_display of the right answer varies with the layout as well."""
    qt = qtypes.get(name)
    data = qt.validate(RIGHT_FIRST[name])
    right = {
        "single_choice": {"choice": "right"},
        "multiple_response": {"choices": ["right"]},
        "matching": {"matches": {"first prompt": "right"}},
        "select_missing_words": {"gaps": {"1": "right"}},
    }[name]
    shown = {json.dumps(qt.to_display(data, qt.make_layout(data, seed), right)) for seed in SEEDS}
    assert len(shown) > 1
    for seed in SEEDS:
        layout = qt.make_layout(data, seed)
        assert qt.from_display(data, layout, qt.to_display(data, layout, right)) == right


@pytest.mark.parametrize("name", sorted(qtypes.TYPES))
def test_garbage_display_responses_are_response_errors(name):
    qt = qtypes.get(name)
    data = qt.validate(SAMPLES[name])
    layout = qt.make_layout(data, 7)
    for bad in ("0", 0, [0], {"nonsense": 1}):
        with pytest.raises(qtypes.ResponseError):
            qt.from_display(data, layout, bad)
