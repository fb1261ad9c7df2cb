"""multiple_response."""

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError

qt = qtypes.get("multiple_response")
DATA = qt.validate(SAMPLES["multiple_response"])
T = [c["text"] for c in DATA["choices"]]


def picked(*indices, texts=T):
    """The stored response ticking the choices at ``indices`` (it names them by text)."""
    return {"choices": [texts[i] for i in sorted(set(indices))]}


def choices(*fractions):
    return {"choices": [{"text": f"c{i}", "fraction": f} for i, f in enumerate(fractions)]}


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        (choices(0.5, 0.4, 0), "choices", "add up to 1, got 0.9"),
        (choices(1, 1), "choices", "add up to 1, got 2"),
        (choices(0, 0), "choices", "add up to 1, got 0"),
        (choices(1, -1.5), "choices[1].fraction", "between -1 and 1"),
        (choices(1), "choices", "at least 2"),
    ],
)
def test_validation_errors(raw, path, words):
    with pytest.raises(QuestionDataError) as caught:
        qt.validate(raw)
    assert caught.value.path == path
    assert words in caught.value.message


def test_rounded_thirds_are_accepted_and_score_exactly_one():
    data = qt.validate(choices(0.33, 0.33, 0.33, -1))
    assert qt.grade(data, {"choices": ["c0", "c1", "c2"]}) == Grade(1.0, "correct", [])
    partial = qt.grade(data, {"choices": ["c0", "c1"]})
    assert partial.state == "partial" and partial.fraction == pytest.approx(2 / 3)


def test_grade_is_the_clamped_sum():
    feedback = {0: "인코더 모델", 1: "역시 인코더", 2: "디코더 모델", 3: "인코더-디코더"}
    assert qt.grade(DATA, picked(0, 1)) == Grade(1.0, "correct", [feedback[0], feedback[1]])
    assert qt.grade(DATA, picked(0, 1, 3)).fraction == 1.0  # a 0-fraction pick costs nothing
    assert qt.grade(DATA, picked(1)) == Grade(0.5, "partial", [feedback[1]])
    # 0.5 + 0.5 - 1 = 0, and 0.5 - 1 is clamped to 0.
    assert qt.grade(DATA, picked(0, 1, 2)).fraction == 0.0
    assert qt.grade(DATA, picked(0, 2)) == Grade(
        0.0, "incorrect", [feedback[0], feedback[2]]
    )
    assert qt.grade(DATA, picked(3)).state == "incorrect"


LAYOUT = {"order": [2, 3, 0, 1]}  # shows GPT-2, T5, BERT, RoBERTa


def test_student_view():
    assert qt.student_view(DATA, LAYOUT, picked(0, 2)) == {
        "choices": [
            {"value": "0", "text": "GPT-2", "selected": True},
            {"value": "1", "text": "T5", "selected": False},
            {"value": "2", "text": "BERT", "selected": True},
            {"value": "3", "text": "RoBERTa", "selected": False},
        ]
    }


def test_parse_form_and_validate_response():
    form = FakeForm({"q-choices": ["2", "0", "2", ""]})
    assert qt.parse_form(DATA, form, "q-", LAYOUT) == picked(0, 2)
    assert qt.parse_form(DATA, FakeForm({"q-choices": ["3"]}), "q-", LAYOUT) == picked(1)
    assert qt.parse_form(DATA, FakeForm({"q-choices": ["3"]}), "q-", None) == picked(3)
    assert qt.parse_form(DATA, FakeForm({"q-choices": []}), "q-", LAYOUT) is None
    for garbage in (["0", "x"], ["4"], ["-1"]):
        with pytest.raises(ResponseError):
            qt.parse_form(DATA, FakeForm({"q-choices": garbage}), "q-", LAYOUT)
    assert qt.validate_response(DATA, {"choices": [T[3], T[1], T[1]]}) == picked(1, 3)
    assert qt.validate_response(DATA, {"choices": []}) is None
    for bad in ({"choices": 1}, {"choices": [True]}, {"choices": [1]}, {"choices": ["없음"]},
                {"choice": [T[1]]}):
        with pytest.raises(ResponseError):
            qt.validate_response(DATA, bad)


def test_to_and_from_display():
    assert qt.to_display(DATA, LAYOUT, picked(1, 0, 2)) == {"choices": ["0", "2", "3"]}
    assert qt.to_display(DATA, LAYOUT, {"choices": []}) is None
    assert qt.from_display(DATA, LAYOUT, {"choices": ["3", 2, "0", 2]}) == picked(0, 1, 2)
    assert qt.from_display(DATA, LAYOUT, {"choices": []}) is None
    for bad in (
        {"choices": "0"},
        {"choices": [4]},
        {"choices": ["x"]},
        {"choices": [True]},
        {"choices": [None]},
        {"choice": ["0"]},
    ):
        with pytest.raises(ResponseError):
            qt.from_display(DATA, LAYOUT, bad)


def test_review_marks_what_should_be_ticked():
    review = qt.review_view(DATA, {"order": [2, 3, 0, 1]}, picked(0, 2))
    rows = review["choices"]
    assert [(r["index"], r["selected"], r["correct"]) for r in rows] == [
        (2, True, False),
        (3, False, False),
        (0, True, True),
        (1, False, True),
    ]
    assert review["right_answer"] == "BERT, RoBERTa"
    assert review["state"] == "incorrect"
