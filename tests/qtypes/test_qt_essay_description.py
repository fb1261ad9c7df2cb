"""essay and description."""

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError

essay = qtypes.get("essay")
description = qtypes.get("description")
ESSAY = essay.validate(SAMPLES["essay"])


def test_essay_defaults_and_errors():
    assert essay.validate({}) == {
        "response_format": "plain",
        "min_words": 0,
        "max_words": None,
        "grader_info": "",
    }
    for raw, path in [
        ({"response_format": "html"}, "response_format"),
        ({"min_words": -1}, "min_words"),
        ({"max_words": 0}, "max_words"),
        ({"min_words": 10, "max_words": 5}, "max_words"),
        ({"max_words": "many"}, "max_words"),
    ]:
        with pytest.raises(QuestionDataError) as caught:
            essay.validate(raw)
        assert caught.value.path == path


def test_essay_is_graded_by_hand():
    assert essay.grade(ESSAY, {"text": "어텐션은 ..."}) == Grade(None, "needs_grading", [])
    assert essay.grade(ESSAY, {"text": "  \n "}) == Grade(0.0, "unanswered", [])
    assert essay.parse_form(ESSAY, FakeForm({"e-text": "줄1\r\n줄2"}), "e-", None) == {
        "text": "줄1\n줄2"
    }
    with pytest.raises(ResponseError):
        essay.validate_response(ESSAY, {"text": ["list"]})


def test_essay_views_keep_grader_info_private():
    view = essay.student_view(ESSAY, essay.make_layout(ESSAY, 1))
    assert view == {
        "response_format": "markdown",
        "min_words": 5,
        "max_words": 50,
        "max_length": 100000,
        "current": "",
    }
    assert essay.student_view(ESSAY, {}, {"text": "줄1\r\n줄2"})["current"] == "줄1\n줄2"
    assert essay.from_display(ESSAY, {}, {"text": "줄1\r\n줄2"}) == {"text": "줄1\n줄2"}
    assert essay.to_display(ESSAY, {}, None) is None
    review = essay.review_view(ESSAY, {}, {"text": "셀프 어텐션 설명"})
    assert "채점 기준" not in str(review) and "grader_info" not in review
    assert (review["word_count"], review["too_short"], review["too_long"]) == (3, True, False)
    assert review["state"] == "needs_grading" and review["fraction"] is None
    graded = essay.review_view(ESSAY, {}, {"text": "a b c d e f"}, Grade(0.8, "partial", []))
    assert graded["fraction"] == 0.8 and graded["too_short"] is False
    assert essay.right_answer(ESSAY) == ""


def test_description():
    assert description.validate({}) == {} and description.validate(None) == {}
    with pytest.raises(QuestionDataError):
        description.validate({"text": "x"})
    assert description.student_view({}, {}) == {} == description.student_view({}, {}, {})
    assert description.to_display({}, {}, None) is None
    assert description.from_display({}, {}, {}) is None
    with pytest.raises(ResponseError):
        description.from_display({}, {}, {"text": "x"})
    assert description.parse_form({}, FakeForm({"text": "x"}), "", None) is None
    assert description.grade({}, None) == Grade(0.0, "unanswered", [])
    with pytest.raises(ResponseError):
        description.validate_response({}, {"text": "x"})
    assert not description.gradable and not description.answerable
