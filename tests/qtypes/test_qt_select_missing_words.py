"""select_missing_words."""

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError
from quizzes.qtypes.select_missing_words import split_text

qt = qtypes.get("select_missing_words")
DATA = qt.validate(SAMPLES["select_missing_words"])
OPT = [o["text"] for o in DATA["options"]]  # a response names the option by its text


def test_split_text():
    assert split_text("[[2]] sat on [[1]].") == [1, " sat on ", 0, "."]
    assert split_text("x = [[1, 2]] and [[0x]]") == ["x = [[1, 2]] and [[0x]]"]


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ({"text": "no gaps here", "options": [{"text": "a"}]}, "text", "has no gaps"),
        (
            {"text": "a [[3]]", "options": [{"text": "a"}, {"text": "b"}]},
            "text",
            "gap [[3]] refers to option 3",
        ),
        ({"text": "a [[0]]", "options": [{"text": "a"}]}, "text", "numbered 1 to 1"),
        ({"text": "a [[1]]", "options": []}, "options", "at least 1"),
        (
            {"text": "a [[1]]", "options": [{"text": "a", "group": 0}]},
            "options[0].group",
            "at least 1",
        ),
        (
            {"text": "a [[1]]", "options": [{"text": "a", "group": "1"}]},
            "options[0].group",
            "whole number",
        ),
        (
            {"text": "a [[1]]", "options": [{"text": "a"}, {"text": " a"}]},
            "options[1].text",
            "options[0] in group 1",
        ),
        ({"text": "a [[1]]", "options": [{"text": ""}]}, "options[0].text", "empty"),
        ({"text": 5, "options": [{"text": "a"}]}, "text", "string"),
    ],
)
def test_validation_errors(raw, path, words):
    with pytest.raises(QuestionDataError) as caught:
        qt.validate(raw)
    assert caught.value.path == path
    assert words in caught.value.message


def test_same_text_in_different_groups_is_fine_and_defaults_fill():
    data = qt.validate(
        {"text": "[[1]] [[2]]", "options": [{"text": "a"}, {"text": "a", "group": 2.0}]}
    )
    assert data["options"] == [{"text": "a", "group": 1}, {"text": "a", "group": 2}]
    assert data["shuffle"] is True


# Gap 1 shows 인코더-디코더, 디코더, 인코더; gap 2 인코더, 인코더-디코더, 디코더;
# gap 3 합성곱, 어텐션.
LAYOUT = {"gaps": [[4, 0, 1], [1, 4, 0], [3, 2]]}


def test_student_view_segments_offer_the_right_answers_group():
    view = qt.student_view(DATA, None)
    group_1 = [
        {"value": "0", "text": "디코더", "selected": False},
        {"value": "1", "text": "인코더", "selected": False},
        {"value": "2", "text": "인코더-디코더", "selected": False},
    ]
    assert view == {
        "segments": [
            {"text": "GPT는 "},
            {"gap": 1, "options": group_1},
            {"text": " 모델이고 BERT는 "},
            {"gap": 2, "options": group_1},
            {"text": " 모델입니다. 둘 다 "},
            {
                "gap": 3,
                "options": [
                    {"value": "0", "text": "어텐션", "selected": False},
                    {"value": "1", "text": "합성곱", "selected": False},
                ],
            },
            {"text": "를 씁니다."},
        ]
    }


def test_student_view_values_follow_the_layout():
    view = qt.student_view(DATA, LAYOUT, {"gaps": {"1": OPT[0], "3": OPT[3]}})
    gaps = [s for s in view["segments"] if "gap" in s]
    assert [[(o["value"], o["text"], o["selected"]) for o in g["options"]] for g in gaps] == [
        [("0", "인코더-디코더", False), ("1", "디코더", True), ("2", "인코더", False)],
        [("0", "인코더", False), ("1", "인코더-디코더", False), ("2", "디코더", False)],
        [("0", "합성곱", True), ("1", "어텐션", False)],
    ]


def test_layout_shuffles_each_gap_only_when_asked():
    layouts = [qt.make_layout(DATA, seed)["gaps"] for seed in range(30)]
    assert all(sorted(layout[0]) == [0, 1, 4] and sorted(layout[2]) == [2, 3] for layout in layouts)
    assert len({tuple(layout[0]) for layout in layouts}) > 1
    fixed = qt.validate({**SAMPLES["select_missing_words"], "shuffle": False})
    assert qt.make_layout(fixed, 9) == {"gaps": [[0, 1, 4], [0, 1, 4], [2, 3]]}
    with pytest.raises(QuestionDataError) as caught:
        qt.student_view(DATA, {"gaps": [[0, 1, 4]]})
    assert caught.value.path == "layout.gaps"


def test_grade():
    assert qt.grade(DATA, {"gaps": {"1": OPT[0], "2": OPT[1], "3": OPT[2]}}) == Grade(1.0, "correct", [])
    assert qt.grade(DATA, {"gaps": {"1": OPT[1], "2": OPT[0], "3": OPT[2]}}).fraction == pytest.approx(1 / 3)
    assert qt.grade(DATA, {"gaps": {"3": OPT[3]}}) == Grade(0.0, "incorrect", [])


def test_a_repeated_gap_number_is_two_gaps():
    data = qt.validate(
        {"text": "[[1]] 그리고 [[1]]", "options": [{"text": "예"}, {"text": "아니오"}]}
    )
    assert qt.grade(data, {"gaps": {"1": "예", "2": "아니오"}}).fraction == 0.5


def test_parse_form_and_validate_response():
    form = FakeForm({"g-gap-1": "0", "g-gap-3": "0", "g-gap-2": ""})
    assert qt.parse_form(DATA, form, "g-", LAYOUT) == {"gaps": {"1": OPT[4], "3": OPT[3]}}
    assert qt.parse_form(DATA, form, "g-", None) == {"gaps": {"1": OPT[0], "3": OPT[2]}}
    assert qt.parse_form(DATA, FakeForm({}), "g-", LAYOUT) is None
    # Gap 3 offers two options, gap 1 three: display values are per gap.
    for bad in ({"g-gap-3": "2"}, {"g-gap-1": "3"}, {"g-gap-3": "x"}, {"g-gap-1": "-1"}):
        with pytest.raises(ResponseError):
            qt.parse_form(DATA, FakeForm(bad), "g-", LAYOUT)
    assert qt.validate_response(DATA, {"gaps": {1: OPT[0], "2": None}}) == {"gaps": {"1": OPT[0]}}
    for bad in (
        {"gaps": {"4": OPT[0]}},
        {"gaps": {"0": OPT[0]}},
        {"gaps": {"1": OPT[2]}},  # not offered in gap 1
        {"gaps": {"1": 0}},  # options are named by text, not position
        {"gaps": {"1": "없음"}},
        {"gaps": {"1": True}},
        {"gaps": {"٣": OPT[2]}},
        {"gaps": [0]},
    ):
        with pytest.raises(ResponseError):
            qt.validate_response(DATA, bad)


def test_to_and_from_display():
    stored = {"gaps": {"1": OPT[4], "3": OPT[3]}}
    assert qt.to_display(DATA, LAYOUT, stored) == {"gaps": {"1": "0", "3": "0"}}
    assert qt.to_display(DATA, None, stored) == {"gaps": {"1": "2", "3": "1"}}
    assert qt.from_display(DATA, LAYOUT, {"gaps": {"1": "0", "3": "0"}}) == stored
    assert qt.from_display(DATA, LAYOUT, {"gaps": {1: 0, 3: 0, 2: None}}) == stored
    assert qt.from_display(DATA, LAYOUT, {"gaps": {"2": ""}}) is None
    for bad in (
        {"gaps": {"3": "2"}},  # gap 3 offers two options
        {"gaps": {"4": "0"}},
        {"gaps": {"0": "0"}},
        {"gaps": {"x": "0"}},
        {"gaps": {"²": "0"}},
        {"gaps": {"1": True}},
        {"gaps": {"1": "0", 1: "1"}},  # the same gap twice
        {"gaps": ["0"]},
        {"gap": {}},
    ):
        with pytest.raises(ResponseError):
            qt.from_display(DATA, LAYOUT, bad)


def test_review_and_right_answer():
    review = qt.review_view(DATA, None, {"gaps": {"1": OPT[0], "2": OPT[4]}})
    gaps = [s for s in review["segments"] if "gap" in s]
    assert [(g["selected"], g["right"], g["correct"]) for g in gaps] == [
        (0, 0, True),
        (4, 1, False),
        (None, 2, False),
    ]
    assert gaps[1]["selected_text"] == "인코더-디코더" and gaps[1]["right_text"] == "인코더"
    assert [(o["index"], o["selected"], o["correct"]) for o in gaps[1]["options"]] == [
        (0, False, False),
        (1, False, True),
        (4, True, False),
    ]
    assert (
        review["right_answer"]
        == "GPT는 [디코더] 모델이고 BERT는 [인코더] 모델입니다. 둘 다 [어텐션]를 씁니다."
    )
