"""single_choice."""

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError

qt = qtypes.get("single_choice")
DATA = qt.validate(SAMPLES["single_choice"])
LAYOUT = {"order": [3, 1, 0, 2]}  # shows GRU, LSTM, 트랜스포머, CNN
T = [c["text"] for c in DATA["choices"]]  # a response names its choice by text


def test_validate_fills_defaults_and_trims():
    data = qt.validate({"choices": [{"text": " 예 ", "fraction": 1}, {"text": "아니오"}]})
    assert data == {
        "choices": [
            {"text": "예", "fraction": 1.0, "feedback": ""},
            {"text": "아니오", "fraction": 0.0, "feedback": ""},
        ],
        "shuffle": True,
    }


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ({}, "choices", "required"),
        ({"choices": "A, B"}, "choices", "list"),
        ({"choices": [{"text": "A", "fraction": 1}]}, "choices", "at least 2"),
        (
            {
                "choices": [
                    {"text": "A", "fraction": 1},
                    {"text": "B"},
                    {"text": "C", "fraction": 33},
                ]
            },
            "choices[2].fraction",
            "between -1 and 1, got 33",
        ),
        ({"choices": [{"text": "A", "fraction": 0.5}, {"text": "B"}]}, "choices", "fraction 1"),
        ({"choices": [{"text": "A", "fraction": 1}, {"text": 42}]}, "choices[1].text", "string"),
        ({"choices": [{"text": "A", "fraction": 1}, {"text": "  "}]}, "choices[1].text", "empty"),
        (
            {"choices": [{"text": "A", "fraction": 1}, {"fraction": 0}]},
            "choices[1].text",
            "required",
        ),
        (
            {"choices": [{"text": "A", "fraction": "1"}, {"text": "B"}]},
            "choices[0].fraction",
            "number",
        ),
        (
            {"choices": [{"text": "A", "fraction": True}, {"text": "B"}]},
            "choices[0].fraction",
            "number",
        ),
        (
            {"choices": [{"text": "A", "correct": True}, {"text": "B"}]},
            "choices[0].correct",
            "unknown key",
        ),
        (
            {"choices": [{"text": "A", "fraction": 1}, {"text": "B", "feedback": 3}]},
            "choices[1].feedback",
            "string",
        ),
        (
            {"choices": [{"text": "A", "fraction": 1}, {"text": "B"}], "shuffle": "yes"},
            "shuffle",
            "true or false",
        ),
    ],
)
def test_validation_errors_say_where_and_what(raw, path, words):
    with pytest.raises(QuestionDataError) as caught:
        qt.validate(raw)
    assert caught.value.path == path
    assert words in caught.value.message


def test_percentages_get_a_hint():
    with pytest.raises(QuestionDataError) as caught:
        qt.validate({"choices": [{"text": "A", "fraction": 100}, {"text": "B"}]})
    assert "write 1 for 100%" in caught.value.message


def test_grade_right_wrong_partial_negative():
    assert qt.grade(DATA, {"choice": T[0]}) == Grade(1.0, "correct", ["맞습니다: 어텐션만 씁니다."])
    assert qt.grade(DATA, {"choice": T[1]}) == Grade(0.0, "incorrect", ["순환 신경망입니다."])
    assert qt.grade(DATA, {"choice": T[3]}) == Grade(0.5, "partial", ["반쯤 맞습니다."])
    # A negative choice scores 0: question fractions stay in [0, 1].
    assert qt.grade(DATA, {"choice": T[2]}) == Grade(0.0, "incorrect", ["합성곱 신경망입니다."])


def test_parse_form_maps_display_values_through_the_layout():
    assert qt.parse_form(DATA, FakeForm({"s3-choice": "2"}), "s3-", LAYOUT) == {"choice": T[0]}
    assert qt.parse_form(DATA, FakeForm({"s3-choice": " 0 "}), "s3-", LAYOUT) == {"choice": T[3]}
    assert qt.parse_form(DATA, FakeForm({"s3-choice": "2"}), "s3-", None) == {"choice": T[2]}
    assert qt.parse_form(DATA, FakeForm({"s4-choice": "2"}), "s3-", LAYOUT) is None
    assert qt.parse_form(DATA, FakeForm({"s3-choice": ""}), "s3-", LAYOUT) is None
    for garbage in ("abc", "-1", "4", "1.0", "٣", ["0", "1"]):
        with pytest.raises(ResponseError):
            qt.parse_form(DATA, FakeForm({"s3-choice": garbage}), "s3-", LAYOUT)


def test_to_and_from_display():
    assert qt.to_display(DATA, LAYOUT, {"choice": T[0]}) == {"choice": "2"}
    assert qt.to_display(DATA, None, {"choice": T[0]}) == {"choice": "0"}
    assert qt.to_display(DATA, LAYOUT, None) is None
    with pytest.raises(ResponseError):
        qt.to_display(DATA, LAYOUT, {"choice": "없음"})
    assert qt.from_display(DATA, LAYOUT, {"choice": "2"}) == {"choice": T[0]}
    assert qt.from_display(DATA, LAYOUT, {"choice": 3}) == {"choice": T[2]}
    for unanswered in (None, {"choice": None}, {"choice": ""}):
        assert qt.from_display(DATA, LAYOUT, unanswered) is None
    for bad in (
        {"choice": "4"},
        {"choice": 4},
        {"choice": -1},
        {"choice": True},
        {"choice": "x"},
        {"choice": 1.0},
        {"choice": [0]},
        {"choices": 0},
        {},
        [0],
        "0",
    ):
        with pytest.raises(ResponseError):
            qt.from_display(DATA, LAYOUT, bad)


def test_validate_response():
    assert qt.validate_response(DATA, {"choice": T[1]}) == {"choice": T[1]}
    assert qt.validate_response(DATA, {"choice": None}) is None
    for bad in ({"choice": True}, {"choice": "1"}, {"choice": 1}, {"choice": "없음"},
                {"choice": T[1], "x": 2}, [1], {}):
        with pytest.raises(ResponseError):
            qt.validate_response(DATA, bad)
    with pytest.raises(ResponseError):
        qt.grade(DATA, {"choice": -1})


def test_layout_shuffles_only_when_asked():
    layouts = {tuple(qt.make_layout(DATA, seed)["order"]) for seed in range(30)}
    assert len(layouts) > 1 and all(sorted(order) == [0, 1, 2, 3] for order in layouts)
    assert qt.make_layout(DATA, 5) == qt.make_layout(DATA, 5)
    fixed = qt.validate({**SAMPLES["single_choice"], "shuffle": False})
    assert {tuple(qt.make_layout(fixed, seed)["order"]) for seed in range(30)} == {(0, 1, 2, 3)}


def test_student_view_follows_layout_and_hides_keys():
    view = qt.student_view(DATA, LAYOUT, {"choice": T[0]})
    assert view == {
        "choices": [
            {"value": "0", "text": "GRU", "selected": False},
            {"value": "1", "text": "LSTM", "selected": False},
            {"value": "2", "text": "트랜스포머", "selected": True},
            {"value": "3", "text": "CNN", "selected": False},
        ]
    }
    assert not any(c["selected"] for c in qt.student_view(DATA, LAYOUT)["choices"])
    with pytest.raises(ResponseError):
        qt.student_view(DATA, LAYOUT, {"choice": 0})


def test_review_view():
    review = qt.review_view(DATA, {"order": [3, 1, 0, 2]}, {"choice": T[1]})
    assert review["fraction"] == 0.0 and review["state"] == "incorrect"
    assert review["right_answer"] == "트랜스포머"
    assert review["feedback"] == ["순환 신경망입니다."]
    rows = review["choices"]
    assert [r["index"] for r in rows] == [3, 1, 0, 2]
    assert [r["selected"] for r in rows] == [False, True, False, False]
    assert [r["correct"] for r in rows] == [False, False, True, False]
    assert [r["state"] for r in rows] == ["partial", "incorrect", "correct", "incorrect"]
    assert rows[0]["fraction"] == 0.5 and rows[0]["feedback"] == "반쯤 맞습니다."


def test_right_answer_lists_every_full_mark_choice():
    data = qt.validate(
        {"choices": [{"text": "A", "fraction": 1}, {"text": "B", "fraction": 1}, {"text": "C"}]}
    )
    assert qt.right_answer(data) == "A / B"


def test_duplicate_texts_are_valid_data_but_named_for_the_editor():
    """Moodle imports two choices with the same text (giftformat: {=same ~same ~other}); the
    data is valid, and the editor (authoring.question_validate) refuses it by this check."""
    from quizzes.qtypes._choices import duplicate_choice

    raw = {"choices": [{"text": "A", "fraction": 1}, {"text": "a "}, {"text": "A"}]}
    data = qt.validate(raw)
    problem = duplicate_choice(data)
    assert problem is not None and problem.path == "choices[2].text"
    assert "choices[0]" in problem.message


def test_two_choices_with_the_same_text_grade_as_the_better_one():
    # Moodle imports "{=same ~same ~other}"; a student cannot tell the two "same" apart, so
    # picking either (both read {"choice": "same"}) earns the better fraction, whatever order.
    for choices in ([("same", 1), ("same", 0), ("other", 0)],
                    [("same", 0), ("same", 1), ("other", 0)]):
        data = {"choices": [{"text": t, "fraction": f, "feedback": ""} for t, f in choices],
                "shuffle": False}
        for position in ("0", "1"):
            answer = qt.from_display(data, {"order": [0, 1, 2]}, {"choice": position})
            assert answer == {"choice": "same"}
            assert qt.grade(data, answer).fraction == 1.0
        assert qt.grade(data, {"choice": "other"}).fraction == 0.0
