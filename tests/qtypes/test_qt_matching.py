"""matching."""

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError

qt = qtypes.get("matching")
DATA = qt.validate(SAMPLES["matching"])
# Prompts shown T5, BERT, GPT; answers shown 합성곱, 디코더, 인코더, 인코더-디코더.
LAYOUT = {"prompts": [2, 0, 1], "answers": [3, 1, 0, 2]}


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ({"pairs": [{"prompt": "a", "answer": "1"}]}, "pairs", "at least 2"),
        (
            {"pairs": [{"prompt": "a", "answer": "1"}, {"prompt": "", "answer": "2"}]},
            "pairs",
            "at least 2 pairs with a prompt, got 1",
        ),
        (
            {"pairs": [{"prompt": "a", "answer": "1"}, {"prompt": "b", "answer": " "}]},
            "pairs[1].answer",
            "must not be empty",
        ),
        (
            {"pairs": [{"prompt": "a", "answer": "1"}, {"prompt": "b"}]},
            "pairs[1].answer",
            "required",
        ),
        (
            {"pairs": [{"prompt": "a", "answer": "1"}, {"prompt": "b", "answer": 2}]},
            "pairs[1].answer",
            "string",
        ),
        (
            {
                "pairs": [
                    {"prompt": "a", "answer": "1"},
                    {"prompt": "b", "answer": "2"},
                    {"prompt": "", "answer": ""},
                ]
            },
            "pairs[2].answer",
            "distractor",
        ),
        (
            {"pairs": [{"prompt": "a", "answer": "1"}, {"prompt": " a", "answer": "2"}]},
            "pairs[1].prompt",
            "same prompt as pairs[0]",
        ),
        (
            {"pairs": [{"question": "a", "answer": "1"}, {"prompt": "b", "answer": "2"}]},
            "pairs[0].question",
            "unknown key",
        ),
    ],
)
def test_validation_errors(raw, path, words):
    with pytest.raises(QuestionDataError) as caught:
        qt.validate(raw)
    assert caught.value.path == path
    assert words in caught.value.message


def test_layout_always_shuffles_answers_and_prompts_only_when_asked():
    fixed = qt.validate({**SAMPLES["matching"], "shuffle": False})
    layouts = [qt.make_layout(fixed, seed) for seed in range(40)]
    assert {tuple(layout["prompts"]) for layout in layouts} == {(0, 1, 2)}
    assert len({tuple(layout["answers"]) for layout in layouts}) > 1
    assert all(sorted(layout["answers"]) == [0, 1, 2, 3] for layout in layouts)
    assert len({tuple(qt.make_layout(DATA, seed)["prompts"]) for seed in range(40)}) > 1


def test_duplicate_answers_are_offered_once():
    data = qt.validate(
        {
            "pairs": [
                {"prompt": "BERT", "answer": "인코더"},
                {"prompt": "RoBERTa", "answer": "인코더"},
                {"prompt": "GPT", "answer": "디코더"},
            ]
        }
    )
    view = qt.student_view(data, qt.make_layout(data, 1))
    assert sorted(a["text"] for a in view["answers"]) == ["디코더", "인코더"]
    assert (
        qt.grade(data, {"matches": {"BERT": "인코더", "RoBERTa": "인코더", "GPT": "디코더"}}).state
        == "correct"
    )


def test_student_view_has_no_pairing():
    view = qt.student_view(DATA, LAYOUT, {"matches": {"BERT": "인코더", "T5": "합성곱"}})
    assert view == {
        "prompts": [
            {"value": "0", "text": "T5", "selected": "0"},
            {"value": "1", "text": "BERT", "selected": "2"},
            {"value": "2", "text": "GPT", "selected": None},
        ],
        "answers": [
            {"value": "0", "text": "합성곱"},
            {"value": "1", "text": "디코더"},
            {"value": "2", "text": "인코더"},
            {"value": "3", "text": "인코더-디코더"},
        ],
    }
    assert all(p["selected"] is None for p in qt.student_view(DATA, LAYOUT)["prompts"])


def test_grade():
    right = {"BERT": "인코더", "GPT": "디코더", "T5": "인코더-디코더"}
    assert qt.grade(DATA, {"matches": right}) == Grade(1.0, "correct", [])
    two = qt.grade(DATA, {"matches": {**right, "T5": "합성곱"}})
    assert two.state == "partial" and two.fraction == pytest.approx(2 / 3)
    one_answered = qt.grade(DATA, {"matches": {"GPT": "디코더"}})
    assert one_answered.fraction == pytest.approx(1 / 3)
    assert qt.grade(DATA, {"matches": {"BERT": "디코더", "GPT": "인코더"}}) == Grade(
        0.0, "incorrect", []
    )


def test_parse_form_and_validate_response():
    # match-<prompt display value> = <answer display value>
    form = FakeForm({"m-match-1": "2", "m-match-0": "0", "m-match-2": ""})
    assert qt.parse_form(DATA, form, "m-", LAYOUT) == {"matches": {"BERT": "인코더", "T5": "합성곱"}}
    assert qt.parse_form(DATA, FakeForm({"m-match-0": ""}), "m-", LAYOUT) is None
    unshuffled = qt.parse_form(DATA, FakeForm({"m-match-0": "3"}), "m-", None)
    assert unshuffled == {"matches": {"BERT": "합성곱"}}
    for garbage in ("4", "인코더", "-1", "1.0", ["0", "1"]):
        with pytest.raises(ResponseError):
            qt.parse_form(DATA, FakeForm({"m-match-0": garbage}), "m-", LAYOUT)
    assert qt.validate_response(DATA, {"matches": {"BERT": "인코더", "GPT": None}}) == {
        "matches": {"BERT": "인코더"}
    }
    assert qt.validate_response(DATA, {"matches": {}}) is None
    for bad in (
        {"matches": {"0": "합성곱"}},  # prompts are named by text, not position
        {"matches": {0: "인코더"}},
        {"matches": {"x": "인코더"}},
        {"matches": ["인코더"]},
        {"matches": {"BERT": 1}},
        {"matches": {"BERT": "없음"}},
    ):
        with pytest.raises(ResponseError):
            qt.validate_response(DATA, bad)


def test_to_and_from_display():
    stored = {"matches": {"BERT": "인코더", "T5": "합성곱"}}
    assert qt.to_display(DATA, LAYOUT, stored) == {"matches": {"0": "0", "1": "2"}}
    assert qt.to_display(DATA, LAYOUT, {"matches": {}}) is None
    assert qt.from_display(DATA, LAYOUT, {"matches": {"0": "0", "1": "2"}}) == stored
    assert qt.from_display(DATA, LAYOUT, {"matches": {0: 0, 1: 2, 2: None}}) == stored
    assert qt.from_display(DATA, LAYOUT, {"matches": {"2": ""}}) is None
    for bad in (
        {"matches": {"3": "0"}},  # only 3 prompts
        {"matches": {"0": "4"}},  # only 4 answers
        {"matches": {"x": "0"}},
        {"matches": {"0": "인코더"}},  # texts are not display values
        {"matches": {"0": True}},
        {"matches": {"0": "0", 0: "1"}},  # the same prompt twice
        {"matches": ["0"]},
        {"match": {}},
    ):
        with pytest.raises(ResponseError):
            qt.from_display(DATA, LAYOUT, bad)


def test_review_and_right_answer():
    layout = {"prompts": [1, 0, 2], "answers": [0, 1, 2, 3]}
    review = qt.review_view(DATA, layout, {"matches": {"BERT": "인코더", "GPT": "합성곱"}})
    assert [(p["index"], p["selected"], p["answer"], p["correct"]) for p in review["prompts"]] == [
        (1, "합성곱", "디코더", False),
        (0, "인코더", "인코더", True),
        (2, None, "인코더-디코더", False),
    ]
    assert review["answers"] == ["인코더", "디코더", "인코더-디코더", "합성곱"]
    assert review["right_answer"] == "BERT → 인코더; GPT → 디코더; T5 → 인코더-디코더"


def test_multi_line_answers_survive_the_browsers_crlf():
    data = qt.validate(
        {"pairs": [{"prompt": "a", "answer": "줄 하나\r\n줄 둘"}, {"prompt": "b", "answer": "x"}]}
    )
    assert data["pairs"][0]["answer"] == "줄 하나\n줄 둘"
    response = qt.validate_response(data, {"matches": {"a": "줄 하나\r\n줄 둘"}})
    assert response == {"matches": {"a": "줄 하나\n줄 둘"}}
    assert qt.grade(data, response).fraction == 0.5
    layout = {"prompts": [0, 1], "answers": [1, 0]}
    form = FakeForm({"match-0": "1"})  # forms send display values, not the text
    assert qt.parse_form(data, form, "", layout) == response
