"""Specific GIFT and Moodle XML behaviour, one feature per test."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from quizzes.formats import FormatError, gift, moodle_xml
from quizzes.formats.common import parse_category_path, percent_text, snap_fraction
from quizzes.formats.model import ParsedQuestion

# --- GIFT reading ---------------------------------------------------------------------------


def test_gift_korean_question() -> None:
    text = (
        "// 1주차 퀴즈\n$CATEGORY: $course$/생성형 AI/1주차\n\n"
        "::트랜스포머::다음 중 **디코더만** 쓰는 모델은?{\n"
        "  =GPT#맞습니다. 자기회귀 모델입니다.\n"
        "  ~BERT#BERT는 인코더 모델입니다.\n"
        "  ####GPT는 decoder-only 구조입니다.\n}\n"
    )
    result = gift.parse(text)
    (q,) = result.questions
    assert result.categories == [("생성형 AI", "1주차")]
    assert (q.name, q.qtype, q.category) == ("트랜스포머", "single_choice", ("생성형 AI", "1주차"))
    assert q.stem == "다음 중 **디코더만** 쓰는 모델은?"
    assert q.data["choices"][1] == {
        "text": "BERT",
        "fraction": 0.0,
        "feedback": "BERT는 인코더 모델입니다.",
    }
    assert q.general_feedback == "GPT는 decoder-only 구조입니다."
    assert q.position == "line 4"


def test_gift_escapes_and_newline() -> None:
    (q,) = gift.parse(r"::a\:b:: 1 \= 1\{\}\~\#\n다음 \\ 줄 {T}").questions
    assert q.name == "a:b"
    assert q.stem == "1 = 1{}~#\n다음 \\ 줄"


def test_gift_crlf_and_bom() -> None:
    result = gift.parse("\ufeff::A::x{T}\r\n\r\n::B::y{F}\r\n")
    assert [q.name for q in result.questions] == ["A", "B"]


def test_gift_description_and_essay_with_general_feedback() -> None:
    description, essay = gift.parse(
        "::D:: Read this first.\n\n::E:: Explain.{####Model answer: …}"
    ).questions
    assert (description.qtype, description.default_mark, description.data) == (
        "description",
        0.0,
        {},
    )
    assert essay.qtype == "essay" and essay.general_feedback == "Model answer: …"


def test_gift_true_false_feedback_order() -> None:
    (q,) = gift.parse("::T:: Sky is blue.{TRUE#No, look up.#Right.}").questions
    assert q.data == {"correct": True, "feedback_true": "Right.", "feedback_false": "No, look up."}


def test_gift_idnumber_and_tags_from_comments() -> None:
    (q,) = gift.parse("// [id:W1-Q\\]3] [tag:week1] [tag: llm ]\n::Q:: Text {T}").questions
    assert q.idnumber == "W1-Q]3"
    assert q.tags == ("week1", "llm")


@pytest.mark.parametrize(
    "path, expected",
    [
        ("$course$/top/A/B", ("A", "B")),
        ("$system$/A", ("A",)),
        ("$module$/Quiz bank", ("Quiz bank",)),
        ("A//B/C", ("A/B", "C")),
        ("$course$/top", ()),
        ("Plain/Path", ("Plain", "Path")),
    ],
)
def test_category_paths(path: str, expected: tuple[str, ...]) -> None:
    assert parse_category_path(path) == expected


def test_gift_categories_apply_until_changed() -> None:
    result = gift.parse("$CATEGORY: A\n\nQ1{T}\n\n$CATEGORY: A/B\n\nQ2{T}\n\nQ3{F}")
    assert [q.category for q in result.questions] == [("A",), ("A", "B"), ("A", "B")]
    assert result.categories == [("A",), ("A", "B")]


def test_gift_numerical_with_several_answers_and_negative_range() -> None:
    (q,) = gift.parse("::N:: Temperature? {#=%100%-5..5#close =%50%-20:5 ~#no}").questions
    assert q.data["answers"] == [
        {"value": 0.0, "tolerance": 5.0, "fraction": 1.0, "feedback": "close"},
        {"value": -20.0, "tolerance": 5.0, "fraction": 0.5, "feedback": ""},
        {"value": "*", "tolerance": 0.0, "fraction": 0.0, "feedback": "no"},
    ]


def test_gift_multiple_response_from_weights() -> None:
    (q,) = gift.parse("Primes? {~%50%2 ~%50%3 ~%-100%4}").questions
    assert q.qtype == "multiple_response"
    assert [c["fraction"] for c in q.data["choices"]] == [0.5, 0.5, -1.0]


def test_gift_thirds_snap_to_exact_fractions() -> None:
    (q,) = gift.parse("Q {~%33.33333%a ~%33.33333%b ~%33.33333%c ~d}").questions
    assert sum(c["fraction"] for c in q.data["choices"]) == 1.0


# --- GIFT writing ---------------------------------------------------------------------------


def test_gift_written_layout_matches_moodle() -> None:
    q = ParsedQuestion(
        qtype="single_choice",
        name="Q: 1",
        stem="2 + 2 = ?",
        text_format="moodle",
        data={
            "choices": [
                {"text": "4", "fraction": 1, "feedback": "Yes {right}"},
                {"text": "5", "fraction": 0, "feedback": ""},
                {"text": "%3", "fraction": 1 / 3, "feedback": ""},
            ]
        },
        general_feedback="# basics",
        tags=("math",),
        idnumber="m1",
    )
    assert gift.write([q]) == (
        "// [id:m1] [tag:math]\n"
        "::Q\\: 1::2 + 2 \\= ?{\n"
        "\t=4#Yes \\{right\\}\n"
        "\t~5\n"
        "\t~%33.33333%%3\n"
        "\t####\\# basics\n"
        "}\n"
    )


def test_gift_writer_protects_texts_starting_with_a_bracket() -> None:
    q = ParsedQuestion(
        qtype="true_false",
        name="B",
        stem="[html] is a tag",
        text_format="moodle",
        data={"correct": True, "feedback_true": "[md] too", "feedback_false": ""},
    )
    text = gift.write([q])
    assert text.startswith("::B::[moodle][html] is a tag{TRUE##[moodle][md] too}")
    assert gift.parse(text).questions[0].stem == "[html] is a tag"


def test_gift_writer_switches_categories() -> None:
    def tf(name: str, category: tuple[str, ...]) -> ParsedQuestion:
        return ParsedQuestion(
            "true_false", name, "S", "moodle", {"correct": True}, category=category
        )

    text = gift.write([tf("a", ()), tf("b", ("X", "a/b")), tf("c", ())])
    assert "$CATEGORY: $course$/top/X/a//b\n" in text
    assert [q.category for q in gift.parse(text).questions] == [(), ("X", "a/b"), ()]


def test_gift_normalise_drops_what_gift_cannot_carry() -> None:
    q = ParsedQuestion(
        "short_answer",
        "S",
        "s",
        "html",
        {"answers": [{"text": "A", "fraction": 1}], "case_sensitive": True},
        default_mark=3,
        files={"a.png": b"x"},
    )
    n = gift.normalise(q)
    assert (n.data["case_sensitive"], n.default_mark, n.files) == (False, 1.0, {})


# --- Moodle XML -----------------------------------------------------------------------------


def test_xml_writer_embeds_files_where_they_are_used() -> None:
    q = ParsedQuestion(
        qtype="true_false",
        name="Logo",
        stem="<p>Is this Moodle?</p>",
        text_format="html",
        data={
            "correct": True,
            "feedback_true": '<img src="@@PLUGINFILE@@/up.jpg">',
            "feedback_false": "",
        },
        files={"up.jpg": b"\xff\xd8\xff\xe0jpeg", "sub/x.mp3": b"ID3"},
    )
    root = ET.fromstring(moodle_xml.write([q]))
    # Unreferenced files go with the question text so that nothing is lost.
    assert sorted(f.get("name") for f in root.findall("question/questiontext/file")) == [
        "up.jpg",
        "x.mp3",
    ]
    assert root.find("question/questiontext/file[@name='x.mp3']").get("path") == "/sub/"
    assert [f.get("name") for f in root.findall("question/answer/feedback/file")] == ["up.jpg"]
    assert moodle_xml.parse(moodle_xml.write([q])).questions[0].files == q.files


def test_xml_cdata_end_marker_survives() -> None:
    q = ParsedQuestion("description", "D", "<p>a ]]> b & c</p>", "html", {})
    assert moodle_xml.parse(moodle_xml.write([q])).questions[0].stem == "<p>a ]]> b & c</p>"


def test_xml_select_missing_words_stem_joins_the_text() -> None:
    q = ParsedQuestion(
        "select_missing_words",
        "G",
        "Fill in:",
        "markdown",
        {"text": "The [[1]] sat.", "options": [{"text": "cat", "group": 1}]},
    )
    (back,) = moodle_xml.parse(moodle_xml.write([q])).questions
    assert back.stem == "" and back.data["text"] == "Fill in:\n\nThe [[1]] sat."
    assert back == replace(moodle_xml.normalise(q), position="question[1]")


def test_xml_numerical_units_and_essay_limits() -> None:
    numerical = ParsedQuestion(
        "numerical",
        "N",
        "Length?",
        "plain",
        {
            "answers": [{"value": 12.5, "tolerance": 0.1, "fraction": 1, "feedback": ""}],
            "units": [{"unit": "cm", "multiplier": 1}, {"unit": "mm", "multiplier": 10}],
            "unit_required": True,
        },
    )
    essay = ParsedQuestion(
        "essay",
        "E",
        "Discuss.",
        "markdown",
        {
            "response_format": "plain",
            "min_words": 50,
            "max_words": 300,
            "grader_info": "Look for X.",
        },
    )
    n_back, e_back = moodle_xml.parse(moodle_xml.write([numerical, essay])).questions
    assert n_back.data["units"] == [
        {"unit": "cm", "multiplier": 1.0},
        {"unit": "mm", "multiplier": 10.0},
    ]
    assert n_back.data["unit_required"] is True
    assert e_back.data == {
        "response_format": "plain",
        "min_words": 50,
        "max_words": 300,
        "grader_info": "Look for X.",
    }


def test_xml_legacy_numerical_answer_and_fraction_element() -> None:
    data = (
        b'<quiz><question type="numerical"><name><text>Old</text></name>'
        b"<answer>42<fraction>100</fraction><tolerance>1</tolerance></answer>"
        b"</question></quiz>"
    )
    (q,) = moodle_xml.parse(data).questions
    assert q.data["answers"] == [{"value": 42.0, "tolerance": 1.0, "fraction": 1.0, "feedback": ""}]


def test_xml_grades_compare_with_moodles_tolerance() -> None:
    assert snap_fraction(0.33333) == 1 / 3
    assert snap_fraction(0.3333) is None
    assert snap_fraction(-0.1428571) == -1 / 7
    assert percent_text(5 / 6) == "83.33333" and percent_text(-0.5) == "-50"


def test_formaterror_text() -> None:
    assert str(FormatError("bad", line=3)) == "line 3: bad"
    assert str(FormatError("bad", element="question[2]/answer[1]", question="Q")) == (
        "question 'Q' (question[2]/answer[1]): bad"
    )
    assert str(FormatError("bad", line=3, question="Q")) == "line 3: question 'Q': bad"
    assert str(FormatError("bad")) == "bad"
