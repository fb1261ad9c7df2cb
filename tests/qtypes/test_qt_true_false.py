"""true_false."""

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError

qt = qtypes.get("true_false")
DATA = qt.validate(SAMPLES["true_false"])


def test_validate():
    assert qt.validate({"correct": False}) == {
        "correct": False,
        "feedback_true": "",
        "feedback_false": "",
    }
    for raw, path in [
        ({}, "correct"),
        ({"correct": "yes"}, "correct"),
        ({"correct": 1}, "correct"),
    ]:
        with pytest.raises(QuestionDataError) as caught:
            qt.validate(raw)
        assert caught.value.path == path


def test_grade_gives_the_feedback_for_the_chosen_value():
    assert qt.grade(DATA, {"value": True}) == Grade(1.0, "correct", ["맞아요, 참입니다."])
    assert qt.grade(DATA, {"value": False}) == Grade(0.0, "incorrect", ["아니에요, 참입니다."])
    false_data = qt.validate({"correct": False, "feedback_true": "틀림"})
    assert qt.grade(false_data, {"value": True}) == Grade(0.0, "incorrect", ["틀림"])
    assert qt.grade(false_data, {"value": False}) == Grade(1.0, "correct", [])


def test_parse_form():
    assert qt.parse_form(DATA, FakeForm({"value": "1"}), "", {}) == {"value": True}
    assert qt.parse_form(DATA, FakeForm({"value": "0"}), "", None) == {"value": False}
    assert qt.parse_form(DATA, FakeForm({}), "", {}) is None
    for garbage in ("true", "2", "yes", ["1", "0"]):
        with pytest.raises(ResponseError):
            qt.parse_form(DATA, FakeForm({"value": garbage}), "", {})
    with pytest.raises(ResponseError):
        qt.validate_response(DATA, {"value": 1})


def test_display_responses_are_the_stored_ones():
    # "1"/"0" and true/false reveal nothing: they are fixed, whatever the key.
    assert qt.to_display(DATA, {}, {"value": False}) == {"value": False}
    assert qt.from_display(DATA, {}, {"value": True}) == {"value": True}
    assert qt.from_display(DATA, {}, {"value": None}) is None
    for bad in ({"value": "1"}, {"value": 1}, {"choice": True}, [True]):
        with pytest.raises(ResponseError):
            qt.from_display(DATA, {}, bad)


def test_views():
    assert qt.make_layout(DATA, 3) == {}
    assert qt.student_view(DATA, {}) == {
        "options": [{"value": "1", "selected": False}, {"value": "0", "selected": False}]
    }
    assert qt.student_view(DATA, {}, {"value": False}) == {
        "options": [{"value": "1", "selected": False}, {"value": "0", "selected": True}]
    }
    false_data = qt.validate({"correct": False})
    assert qt.student_view(false_data, {}, {"value": False}) == qt.student_view(
        DATA, {}, {"value": False}
    )
    review = qt.review_view(DATA, {}, {"value": False})
    assert review["correct_value"] is True and review["right_answer"] == "참"
    assert [(o["value"], o["selected"], o["correct"]) for o in review["options"]] == [
        (True, False, True),
        (False, True, False),
    ]
