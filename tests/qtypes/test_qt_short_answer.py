"""short_answer: wildcards, normalisation, case, best match."""

import time

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError
from quizzes.qtypes.short_answer import wildcard_match, wildcard_pieces

qt = qtypes.get("short_answer")
DATA = qt.validate(SAMPLES["short_answer"])


def grade_text(data, text):
    return qt.grade(data, {"text": text})


def one(answer, case_sensitive=False):
    return qt.validate(
        {"answers": [{"text": answer, "fraction": 1}], "case_sensitive": case_sensitive}
    )


@pytest.mark.parametrize(
    ("answer", "typed", "matches"),
    [
        ("gra*ent", "gradient", True),
        ("gra*ent", "graent", True),
        ("gra*ent", "gradients", False),
        ("*former", "Transformer", True),
        ("trans*", "transformer model", True),
        ("*", "anything at all", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),  # the pieces may not overlap
        (r"2\*3", "2*3", True),
        (r"2\*3", "2x3", False),
        ("셀프 어텐션", "셀프  어텐션 ", True),
        ("셀프 어텐션", "셀프어텐션", False),
        ("*어텐션*", "멀티헤드 어텐션 메커니즘", True),
    ],
)
def test_wildcards(answer, typed, matches):
    assert (grade_text(one(answer), typed).fraction == 1.0) is matches


def test_wildcard_pieces_and_escape():
    assert wildcard_pieces(r"a*b\*c*") == ["a", "b*c", ""]
    assert wildcard_match(["", ""], "")


def test_pathological_wildcards_stay_fast():
    data = one("*a*a*a*a*a*a*a*a*a*a*b")
    start = time.perf_counter()
    assert grade_text(data, "a" * 999).fraction == 0.0
    assert time.perf_counter() - start < 0.5


def test_case_folding_and_unicode_normalisation():
    assert grade_text(one("BERT"), "bert").state == "correct"
    assert grade_text(one("BERT", case_sensitive=True), "bert").state == "incorrect"
    assert grade_text(one("BERT", case_sensitive=True), " BERT ").state == "correct"
    assert grade_text(one("Straße"), "STRASSE").state == "correct"  # full case folding
    assert grade_text(one("GPT4"), "ＧＰＴ４").state == "correct"  # full-width (NFKC)
    decomposed = "\u1112\u1161\u11ab\u1100\u1173\u11af"  # 한글 typed as conjoining jamo
    assert grade_text(one("한글"), decomposed).state == "correct"


def test_best_matching_answer_wins():
    data = qt.validate(
        {
            "answers": [
                {"text": "*", "fraction": 0, "feedback": "아무 답"},
                {"text": "*net*", "fraction": 0.5, "feedback": "반"},
                {"text": "ResNet", "fraction": 1, "feedback": "정답"},
            ]
        }
    )
    assert grade_text(data, "resnet") == Grade(1.0, "correct", ["정답"])
    assert grade_text(data, "DenseNet") == Grade(0.5, "partial", ["반"])
    assert grade_text(data, "VGG") == Grade(0.0, "incorrect", ["아무 답"])
    assert grade_text(DATA, "셀프 어텐션 메커니즘") == Grade(
        0.5, "partial", ["핵심 단어는 들어 있습니다."]
    )
    assert grade_text(DATA, "Attention") == Grade(1.0, "correct", ["영어로도 맞습니다."])
    assert grade_text(DATA, "합성곱") == Grade(0.0, "incorrect", [])


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ({"answers": []}, "answers", "at least 1"),
        ({"answers": [{"text": "a", "fraction": 0.5}]}, "answers", "fraction 1"),
        (
            {"answers": [{"text": "a", "fraction": 1}, {"text": "b", "fraction": -1.5}]},
            "answers[1].fraction",
            "between -1 and 1",
        ),
        ({"answers": [{"text": "", "fraction": 1}]}, "answers[0].text", "empty"),
        ({"answers": [{"text": 3, "fraction": 1}]}, "answers[0].text", "quotes"),
        (
            {"answers": [{"text": "a", "fraction": 1}], "case_sensitive": "no"},
            "case_sensitive",
            "true or false",
        ),
    ],
)
def test_validation_errors(raw, path, words):
    with pytest.raises(QuestionDataError) as caught:
        qt.validate(raw)
    assert caught.value.path == path
    assert words in caught.value.message


def test_parse_form_and_responses():
    assert qt.parse_form(DATA, FakeForm({"a-text": "  어텐션 "}), "a-", None) == {"text": "어텐션"}
    assert qt.parse_form(DATA, FakeForm({"a-text": "   "}), "a-", None) is None
    with pytest.raises(ResponseError):
        qt.parse_form(DATA, FakeForm({"a-text": ["a", "b"]}), "a-", None)
    with pytest.raises(ResponseError):
        qt.parse_form(DATA, FakeForm({"a-text": "x" * 1001}), "a-", None)
    with pytest.raises(ResponseError):
        qt.validate_response(DATA, {"text": 5})
    assert qt.student_view(DATA, {}) == {"max_length": 1000, "current": ""}
    assert qt.student_view(DATA, {}, {"text": " 어텐션 "}) == {
        "max_length": 1000,
        "current": "어텐션",
    }
    # No stored indices here: the display response is the response.
    assert qt.to_display(DATA, {}, {"text": " 어텐션 "}) == {"text": "어텐션"}
    assert qt.from_display(DATA, {}, {"text": "어텐션"}) == {"text": "어텐션"}
    assert qt.from_display(DATA, {}, {"text": "  "}) is None
    with pytest.raises(ResponseError):
        qt.from_display(DATA, {}, {"text": 5})


def test_review_and_right_answer():
    review = qt.review_view(DATA, {}, {"text": "ATTENTION"})
    assert review["response"] == "ATTENTION" and review["matched"] == 1
    assert [a["matched"] for a in review["answers"]] == [False, True, False]
    assert [a["correct"] for a in review["answers"]] == [True, True, False]
    assert review["right_answer"] == "어텐션"
    assert qt.right_answer(one(r"2\*3")) == "2*3"
