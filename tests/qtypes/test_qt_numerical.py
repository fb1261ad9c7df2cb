"""numerical: number reading, units, tolerance, "*"."""

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes
from quizzes.qtypes import Grade, QuestionDataError, ResponseError
from quizzes.qtypes.numerical import parse_number

qt = qtypes.get("numerical")
DATA = qt.validate(SAMPLES["numerical"])


def grade_text(data, text):
    return qt.grade(data, {"text": text})


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("12.5", (12.5, "")),
        ("12,5", (12.5, "")),
        ("-12.5", (-12.5, "")),
        ("\u221212.5", (-12.5, "")),  # a typographic minus
        ("+3", (3.0, "")),
        (".5", (0.5, "")),
        ("12.", (12.0, "")),
        ("1,234.5", (1234.5, "")),
        ("1.234,5", (1234.5, "")),
        ("1,234,567", (1234567.0, "")),
        ("1.5e3", (1500.0, "")),
        ("2E-2 m", (0.02, "m")),
        ("12.5 cm", (12.5, "cm")),
        ("12.5cm", (12.5, "cm")),
        ("１２.５ ｃｍ", (12.5, "cm")),  # full width (NFKC)
        ("  12.5   km / h ", (12.5, "km / h")),
        ("12.5 em", (12.5, "em")),
    ],
)
def test_parse_number(text, parsed):
    assert parse_number(text) == parsed


@pytest.mark.parametrize("text", ["abc", "cm 12", "1.2.3", "1,2,3", "1e999", "-", ".", "1,23.4.5"])
def test_parse_number_rejects(text):
    assert parse_number(text) is None


def test_tolerance_best_answer_and_any_other():
    assert grade_text(DATA, "12.5") == Grade(1.0, "correct", ["정확합니다."])
    assert grade_text(DATA, "12.58").state == "correct"  # within ±0.1
    assert grade_text(DATA, "12,45 cm").state == "correct"
    assert grade_text(DATA, "12.7") == Grade(0.5, "partial", ["거의 맞습니다."])
    assert grade_text(DATA, "99") == Grade(0.0, "incorrect", ["다시 계산해 보세요."])
    assert grade_text(DATA, "모름") == Grade(0.0, "incorrect", ["다시 계산해 보세요."])


def test_units_convert_with_multipliers():
    assert grade_text(DATA, "0.125 m").state == "correct"  # 0.125 / 0.01 = 12.5 cm
    assert grade_text(DATA, "0.125m").state == "correct"
    assert grade_text(DATA, "12.5 mm").fraction == 0.0  # unknown unit: never a numeric match
    assert grade_text(DATA, "12.5 M").fraction == 0.0  # units are case-sensitive


def test_unit_required():
    data = qt.validate({**SAMPLES["numerical"], "unit_required": True})
    assert grade_text(data, "12.5 cm").state == "correct"
    # Moodle's get_matching_answer(): the number without its unit matches the answer, whose
    # fraction then loses the unit penalty (1 by default here: nothing left).
    assert grade_text(data, "12.5") == Grade(0.0, "incorrect", ["정확합니다."])
    review = qt.review_view(data, {}, {"text": "12.5"})
    assert review["problem"] == "missing_unit" and review["value"] is None
    assert qt.student_view(data, {}) == {
        "unit_required": True,
        "has_units": True,
        "max_length": 200,
        "current": "",
    }
    assert qt.student_view(data, {}, {"text": "12.5 cm"})["current"] == "12.5 cm"
    assert qt.to_display(data, {}, {"text": "12.5 cm"}) == {"text": "12.5 cm"}
    assert qt.from_display(data, {}, {"text": " 12.5 cm "}) == {"text": "12.5 cm"}


def test_no_units_and_no_any_answer():
    data = qt.validate({"answers": [{"value": 3, "fraction": 1, "feedback": "three"}]})
    assert grade_text(data, "3") == Grade(1.0, "correct", ["three"])
    assert grade_text(data, "3.0000000001").state == "incorrect"
    assert grade_text(data, "3 apples") == Grade(0.0, "incorrect", [])
    assert qt.review_view(data, {}, {"text": "3 apples"})["problem"] == "unknown_unit"
    assert qt.review_view(data, {}, {"text": "three"})["problem"] == "not_a_number"


def test_review_view():
    review = qt.review_view(DATA, {}, {"text": "0.127 m"})
    assert review["value"] == pytest.approx(12.7) and review["unit"] == "m"
    assert review["problem"] is None and review["matched"] == 1
    assert [a["matched"] for a in review["answers"]] == [False, True, False]
    assert review["right_answer"] == "12.5 ± 0.1 cm"
    assert review["units"][1] == {"unit": "m", "multiplier": 0.01}


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ({"answers": [{"value": "12.5", "fraction": 1}]}, "answers[0].value", "without quotes"),
        ({"answers": [{"value": None, "fraction": 1}]}, "answers[0].value", "number"),
        (
            {"answers": [{"value": 1, "tolerance": -1, "fraction": 1}]},
            "answers[0].tolerance",
            "0 or more",
        ),
        ({"answers": [{"value": 1, "fraction": 0.5}]}, "answers", "fraction 1"),
        (
            {"answers": [{"value": 1, "fraction": 1}], "unit_required": True},
            "unit_required",
            "no units",
        ),
        (
            {"answers": [{"value": 1, "fraction": 1}], "units": [{"unit": "m", "multiplier": 100}]},
            "units[0].multiplier",
            "must be 1",
        ),
        (
            {
                "answers": [{"value": 1, "fraction": 1}],
                "units": [{"unit": "m"}, {"unit": "cm", "multiplier": 0}],
            },
            "units[1].multiplier",
            "above 0",
        ),
        (
            {"answers": [{"value": 1, "fraction": 1}], "units": [{"unit": "m"}, {"unit": " m"}]},
            "units[1].unit",
            "same unit",
        ),
        (
            {"answers": [{"value": 1, "fraction": 1}], "units": [{"unit": "2m"}]},
            "units[0].unit",
            "start with a number",
        ),
        ({"answers": [{"value": float("nan"), "fraction": 1}]}, "answers[0].value", "finite"),
    ],
)
def test_validation_errors(raw, path, words):
    with pytest.raises(QuestionDataError) as caught:
        qt.validate(raw)
    assert caught.value.path == path
    assert words in caught.value.message


def test_validate_normalises():
    data = qt.validate({"answers": [{"value": 2, "fraction": 1}, {"value": "*", "tolerance": 5}]})
    assert data == {
        "answers": [
            {"value": 2.0, "tolerance": 0.0, "fraction": 1.0, "feedback": ""},
            {"value": "*", "tolerance": 0.0, "fraction": 0.0, "feedback": ""},
        ],
        "units": [],
        "unit_required": False,
    }


def test_parse_form_keeps_the_text():
    assert qt.parse_form(DATA, FakeForm({"n-text": " 12,5 cm "}), "n-", None) == {"text": "12,5 cm"}
    assert qt.parse_form(DATA, FakeForm({"n-text": ""}), "n-", None) is None
    with pytest.raises(ResponseError):
        qt.parse_form(DATA, FakeForm({"n-text": "9" * 201}), "n-", None)


def test_right_answer_formats():
    data = qt.validate({"answers": [{"value": 3, "fraction": 1}]})
    assert qt.right_answer(data) == "3"
    data = qt.validate({"answers": [{"value": "*", "fraction": 1}]})
    assert qt.right_answer(data) == "*"
