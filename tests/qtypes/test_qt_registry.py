"""The registry, Grade, the errors and shared behaviour."""

import doctest
import subprocess
import sys
from pathlib import Path

import pytest
from qt_helpers import SAMPLES

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError
from quizzes.qtypes.base import check_order, format_number, normalise_text

PACKAGE = Path(qtypes.__file__).parent
ALL = [
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "select_missing_words",
    "cloze",
    "spot_the_fake",
    "essay",
    "description",
]


def test_registry_has_the_ten_types_in_order():
    assert list(qtypes.TYPES) == ALL
    for name in ALL:
        assert qtypes.get(name).name == name


@pytest.mark.parametrize("name", ["multichoice", "", None, ["single_choice"]])
def test_unknown_type_is_a_question_data_error_listing_the_types(name):
    with pytest.raises(QuestionDataError) as caught:
        qtypes.get(name)
    assert caught.value.path == "qtype"
    assert "unknown question type" in caught.value.message
    assert "single_choice" in caught.value.message and "description" in caught.value.message


def test_package_docstring_example_runs():
    assert doctest.testmod(qtypes).failed == 0


def test_gradable_and_answerable_flags():
    assert [n for n in ALL if not qtypes.get(n).gradable] == ["essay", "description"]
    assert [n for n in ALL if not qtypes.get(n).answerable] == ["description"]


def test_no_django_anywhere_in_the_package():
    for path in PACKAGE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import django" not in source and "from django" not in source, path
    code = (
        "import sys, quizzes.qtypes; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = PACKAGE.parent.parent
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


def test_question_data_error_carries_path_and_message():
    error = QuestionDataError("choices[2].fraction", "fraction must be between -1 and 1, got 33")
    assert error.path == "choices[2].fraction"
    assert str(error) == "choices[2].fraction: fraction must be between -1 and 1, got 33"
    assert isinstance(error, ValueError) and issubclass(ResponseError, ValueError)
    assert str(QuestionDataError("", "expected an object")) == "expected an object"


def test_grade_from_fraction_clamps_snaps_and_derives_state():
    assert Grade.from_fraction(1.2) == Grade(1.0, "correct", [])
    assert Grade.from_fraction(-0.5) == Grade(0.0, "incorrect", [])
    assert Grade.from_fraction(0.99999999) == Grade(1.0, "correct", [])
    assert Grade.from_fraction(0.5, ["a", "", "b"]) == Grade(0.5, "partial", ["a", "b"])
    assert Grade.unanswered() == Grade(0.0, "unanswered", [])
    assert Grade(None, "needs_grading").as_dict() == {
        "fraction": None,
        "state": "needs_grading",
        "feedback": [],
    }
    with pytest.raises(ValueError):
        Grade(0.5, "half")
    with pytest.raises(ValueError):
        Grade(1.5, "correct")


def test_normalise_text():
    assert normalise_text("  Ａｔｔｅｎｔｉｏｎ \t is\u00a0 all  ") == "Attention is all"
    decomposed = "\u1112\u1161\u11ab\u1100\u1173\u11af"  # 한글 as conjoining jamo
    assert normalise_text(decomposed) == "한글"


def test_format_number():
    assert [format_number(v) for v in (12.0, 0.1, -3.0, 1e20)] == ["12", "0.1", "-3", "1e+20"]


@pytest.mark.parametrize("name", ALL)
def test_every_type_rejects_non_objects_and_unknown_keys(name):
    qt = qtypes.get(name)
    with pytest.raises(QuestionDataError) as caught:
        qt.validate(["not", "a", "mapping"])
    assert caught.value.path == ""
    with pytest.raises(QuestionDataError) as caught:
        qt.validate({**SAMPLES[name], "shufle": False})
    assert caught.value.path == "shufle"
    assert "unknown key" in caught.value.message


@pytest.mark.parametrize("name", ALL)
def test_validate_returns_a_copy_and_is_idempotent(name):
    qt = qtypes.get(name)
    raw = SAMPLES[name]
    data = qt.validate(raw)
    assert data is not raw
    assert qt.validate(data) == data


@pytest.mark.parametrize("name", ALL)
def test_layout_rejects_bad_seeds(name):
    qt = qtypes.get(name)
    data = qt.validate(SAMPLES[name])
    if name in ("single_choice", "multiple_response", "matching", "select_missing_words"):
        with pytest.raises(TypeError):
            qt.make_layout(data, 1.5)
    assert qt.make_layout(data, "attempt-7") == qt.make_layout(data, "attempt-7")


def test_check_order_rejects_a_stale_layout():
    assert check_order(None, "order", [0, 1, 2]) == [0, 1, 2]
    assert check_order({"order": [2, 0, 1]}, "order", [0, 1, 2]) == [2, 0, 1]
    with pytest.raises(QuestionDataError) as caught:
        check_order({"order": [1, 0]}, "order", [0, 1, 2])
    assert caught.value.path == "layout.order"
    qt = qtypes.get("single_choice")
    data = qt.validate(SAMPLES["single_choice"])
    with pytest.raises(QuestionDataError):
        qt.student_view(data, {"order": [0, 1, 2, 3, 4]})


@pytest.mark.parametrize("name", ALL)
def test_unanswered_everywhere(name):
    qt = qtypes.get(name)
    data = qt.validate(SAMPLES[name])

    class Empty:
        def getlist(self, key):
            return [""]

    layout = qt.make_layout(data, 1)
    assert qt.parse_form(data, Empty(), "q1-", layout) is None
    assert qt.validate_response(data, None) is None
    assert qt.to_display(data, layout, None) is None
    assert qt.from_display(data, layout, None) is None
    assert qt.grade(data, None) == Grade(0.0, "unanswered", [])
    review = qt.review_view(data, qt.make_layout(data, 1), None)
    assert review["state"] == "unanswered" and review["fraction"] == 0.0
