"""Moodle's own fixtures import as Moodle imports them.

The expected values below were written by reading each fixture and following Moodle's
question/format/gift/format.php and question/format/xml/format.php by hand: counts per type,
names, categories, fractions, feedback, decoded files.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from quizzes.formats import FormatError, gift, moodle_xml
from quizzes.formats.model import ParsedQuestion, ParseResult

EXPECTED_FILES = {
    "gift/examples.txt",
    "gift/questions.gift.txt",
    "xml/error_invalid_grades.xml",
    "xml/gapselect_testquestion.moodle.xml",
    "xml/match_testquestion.moodle.xml",
    "xml/multianswer.xml",
    "xml/multichoice.xml",
    "xml/nested_categories_with_questions.xml",
    "xml/shortanswer_testquestion.moodle.xml",
    "xml/truefalse.xml",
}


def _gift(folder: Path, name: str) -> ParseResult:
    return gift.parse((folder / "gift" / name).read_text(encoding="utf-8"))


def _xml(folder: Path, name: str) -> ParseResult:
    return moodle_xml.parse((folder / "xml" / name).read_bytes())


def _types(result: ParseResult) -> dict[str, int]:
    return dict(Counter(q.qtype for q in result.questions))


def _by_name(result: ParseResult, name: str) -> list[ParsedQuestion]:
    found = [q for q in result.questions if q.name == name]
    assert found, f"no question named {name!r}"
    return found


def _fractions(q: ParsedQuestion, key: str = "choices") -> list[float]:
    return [round(item["fraction"], 7) for item in q.data[key]]


def test_every_fixture_has_expectations(moodle_dir: Path) -> None:
    """A new fixture in the corpus must get its own expectations here."""
    present = {
        p.relative_to(moodle_dir).as_posix()
        for p in moodle_dir.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert present == EXPECTED_FILES


# --- GIFT: examples.txt ---------------------------------------------------------------------


def test_gift_examples_counts(moodle_dir: Path) -> None:
    result = _gift(moodle_dir, "examples.txt")
    assert len(result.questions) == 43
    assert _types(result) == {
        "single_choice": 16,
        "multiple_response": 2,
        "true_false": 5,
        "short_answer": 9,
        "numerical": 8,
        "matching": 3,
    }
    assert result.skipped == []
    assert result.categories == []
    assert all(q.category == () for q in result.questions)
    assert all(
        q.text_format == "moodle"
        for q in result.questions
        if q.name != "Who's buried in **Grant's tomb**?"
    )
    assert result.warnings == []
    assert result.questions[0].position == "line 8"


def test_gift_examples_missing_word_and_names(moodle_dir: Path) -> None:
    result = _gift(moodle_dir, "examples.txt")
    first, second = result.questions[0], result.questions[1]
    assert (first.name, first.stem) == (
        "Who's buried in Grant's tomb?",
        "Who's buried in Grant's tomb?",
    )
    assert [c["text"] for c in first.data["choices"]] == ["Grant", "Jefferson", "no one"]
    assert _fractions(first) == [0, 0, 1]
    # Text after the closing brace: Moodle's missing-word format puts a blank in the stem.
    assert second.stem == "Grant is _____ in Grant's tomb."
    assert second.qtype == "single_choice"
    two_plus_two = _by_name(result, "Two plus two equals _____.")[0]
    assert two_plus_two.qtype == "short_answer"
    assert [a["text"] for a in two_plus_two.data["answers"]] == ["four", "4"]
    kanji = _by_name(result, "Kanji Origins")[0]
    assert kanji.stem == "Japanese characters originally\ncame from what country?"
    assert kanji.qtype == "short_answer"
    thanksgiving = _by_name(result, "Thanksgiving Date")[0]
    assert thanksgiving.stem == (
        "The American holiday of Thanksgiving is\ncelebrated on the _____ Thursday of November."
    )


def test_gift_examples_weights_and_feedback(moodle_dir: Path) -> None:
    result = _gift(moodle_dir, "examples.txt")
    hometown_mc, hometown_sa = _by_name(result, "Jesus' hometown")
    assert hometown_mc.qtype == "single_choice"
    assert hometown_mc.stem == "Jesus Christ was from _____."
    assert _fractions(hometown_mc) == [0, 0.25, 0.5, 1]
    assert hometown_mc.data["choices"][1]["feedback"] == "He was born here, but not raised here."
    assert hometown_mc.data["choices"][3] == {
        "text": "Nazareth",
        "fraction": 1.0,
        "feedback": "Yes! That's right!",
    }
    assert hometown_sa.qtype == "short_answer"
    assert hometown_sa.stem == "Jesus Christ was from"
    assert _fractions(hometown_sa, "answers") == [1, 0.75, 0.25]
    assert hometown_sa.data["answers"][1]["feedback"] == "Right, but misspelled."

    two_people = _by_name(result, "What two people are entombed in Grant's tomb?")
    assert [q.qtype for q in two_people] == ["multiple_response", "multiple_response"]
    assert _fractions(two_people[0]) == [0, 0.5, 0.5, 0]
    assert _fractions(two_people[1]) == [-0.5, 0.5, 0.5, -0.5]

    difficult = _by_name(result, "Difficult multiple choice question.")[0]
    assert [c["feedback"] for c in difficult.data["choices"]] == [
        "comment on wrong answer",
        "comment on answer",
        "well done!",
    ]
    assert _fractions(difficult) == [0, 0.5, 1]

    markdown = _by_name(result, "Who's buried in **Grant's tomb**?")[0]
    assert markdown.text_format == "markdown"
    assert markdown.data["answers"][0] == {
        "text": "no one",
        "fraction": 1.0,
        "feedback": "excellent answer!",
    }


def test_gift_examples_true_false(moodle_dir: Path) -> None:
    result = _gift(moodle_dir, "examples.txt")
    tfs = [q for q in result.questions if q.qtype == "true_false"]
    assert [q.data["correct"] for q in tfs] == [False, False, True, False, False]
    with_feedback = tfs[3]
    # {FALSE#…}: the first feedback is for the wrong answer, i.e. for "true".
    assert with_feedback.data == {
        "correct": False,
        "feedback_true": "No one is buried in Grant's tomb.",
        "feedback_false": "",
    }


def test_gift_examples_numerical(moodle_dir: Path) -> None:
    result = _gift(moodle_dir, "examples.txt")
    nums = [q for q in result.questions if q.qtype == "numerical"]

    def answers(q: ParsedQuestion) -> list[tuple]:
        return [(a["value"], round(a["tolerance"], 9), a["fraction"]) for a in q.data["answers"]]

    assert answers(nums[0]) == [(1822.0, 1.0, 1.0)]
    assert answers(nums[1]) == [(1822.0, 0.0, 1.0)]
    assert answers(nums[2]) == [(3.1415, 0.0005, 1.0)]  # {#3.1415:0.0005}
    assert answers(nums[3]) == [(3.1415, 0.0005, 1.0)]  # {#3.141..3.142}
    assert nums[3].stem == "What is the value of pi (to 3 decimal places)? _____."
    assert answers(nums[4]) == [(1822.0, 0.0, 1.0), (1822.0, 2.0, 0.5)]
    assert answers(nums[5]) == [(4.0, 0.0, 1.0)]
    assert answers(nums[6]) == [(1822.0, 5.0, 1.0)]
    example = _by_name(result, "Numerical example")[0]
    assert [a["feedback"] for a in example.data["answers"]] == [
        "Correct! 100% credit",
        "He was born in 1822.\nYou get 50% credit for being close.",
    ]
    assert all(q.data["units"] == [] for q in nums)


def test_gift_examples_matching_and_escapes(moodle_dir: Path) -> None:
    result = _gift(moodle_dir, "examples.txt")
    matching = [q for q in result.questions if q.qtype == "matching"]
    assert matching[1].data["pairs"] == [
        {"prompt": "Canada", "answer": "Ottawa"},
        {"prompt": "Italy", "answer": "Rome"},
        {"prompt": "Japan", "answer": "Tokyo"},
        {"prompt": "India", "answer": "New Delhi"},
    ]
    assert matching[2].data["pairs"][2] == {"prompt": "Japan", "answer": "Tokyo"}
    equals = _by_name(result, "Which answer equals 5?")[0]
    assert [c["text"] for c in equals.data["choices"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    assert _fractions(equals) == [0, 1, 0]
    control = _by_name(result, "GIFT Control Characters")[0]
    assert [c["text"] for c in control.data["choices"]] == ["~", "=", "#", "{", "}", "\\"]
    assert control.data["choices"][2]["feedback"] == "# is a control character."
    assert control.data["choices"][5]["feedback"].startswith(
        "Correct! \\ (backslash) is not a control character. BUT,\nit is used to escape"
    )
    assert _fractions(control) == [0, 0, 0, 0, 0, 1]


# --- GIFT: questions.gift.txt ---------------------------------------------------------------


def test_gift_fixture_counts(moodle_dir: Path) -> None:
    result = _gift(moodle_dir, "questions.gift.txt")
    # Moodle's behat test: "Importing 9 questions from file".
    assert len(result.questions) == 9
    assert _types(result) == {
        "essay": 1,
        "matching": 1,
        "single_choice": 1,
        "multiple_response": 1,
        "numerical": 1,
        "short_answer": 1,
        "true_false": 3,
    }
    assert [q.name for q in result.questions] == [
        "Q8",
        "Moodle activities",
        "Q2",
        "colours",
        "Q5",
        "Shortanswer",
        "Q1",
        "2-08 TSL",
        "2-08 TSL",
    ]
    assert result.skipped == [] and result.categories == []
    # Per-item [html]/[plain]/… tags differ from their question's format: reported.
    assert len(result.warnings) == 7
    assert any("prompt 3 is marked [plain]" in w for w in result.warnings)


def test_gift_fixture_details(moodle_dir: Path) -> None:
    q8, activities, q2, colours, q5, short, q1, tsl1, tsl2 = _gift(
        moodle_dir, "questions.gift.txt"
    ).questions
    assert (q8.qtype, q8.stem) == ("essay", "How are you?")
    assert activities.text_format == "html"
    assert activities.stem == "Match the <b>activity</b> to the description."
    assert activities.data["pairs"] == [
        {"prompt": "An activity supporting asynchronous discussions.", "answer": "Forum"},
        {
            "prompt": "A teacher asks a question and specifies a choice of multiple responses.",
            "answer": "Choice",
        },
        {"prompt": "A bank of record entries which participants can add to.", "answer": "Database"},
        {"prompt": "A collection of web pages that anyone can add to or edit.", "answer": "Wiki"},
        {"prompt": "", "answer": "Chat"},  # a distractor
    ]
    assert q2.data["choices"] == [
        {"text": "yellow", "fraction": 1.0, "feedback": "right; good!"},
        {"text": "red", "fraction": 0.0, "feedback": "wrong, it's yellow"},
        {"text": "blue", "fraction": 0.0, "feedback": "wrong, it's yellow"},
    ]
    assert colours.qtype == "multiple_response"
    assert _fractions(colours) == [0.5, -1, 0.5, -1]
    assert [c["feedback"] for c in colours.data["choices"]] == [
        "right; good!",
        "wrong",
        "right; good!",
        "wrong",
    ]
    # The deliberate stray '";' after the brace makes it a missing-word question.
    assert q5.stem == 'What is a number from 1 to 5? _____";'
    assert q5.data["answers"] == [
        {"value": 3.0, "tolerance": 2.0, "fraction": 1.0, "feedback": ""},
        {"value": "*", "tolerance": 0.0, "fraction": 0.0, "feedback": "Completely wrong"},
    ]
    assert short.data["answers"] == [
        {"text": "Frog", "fraction": 1.0, "feedback": "Good!"},
        {"text": "Cat", "fraction": 0.5, "feedback": "What is it with Moodlers and cats?"},
        {"text": "*", "fraction": 0.0, "feedback": "Completely wrong"},
    ]
    assert q1.stem == '42 is the Absolute Answer to everything._____";'
    assert q1.data == {
        "correct": False,
        "feedback_true": "42 is the Ultimate Answer.",
        "feedback_false": "You gave the right answer.",
    }
    assert q1.general_feedback == (
        "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    )
    assert tsl1.data["correct"] is True and tsl2.data["correct"] is True
    assert tsl1.stem == "TSL is blablabla."


# --- Moodle XML -----------------------------------------------------------------------------

JPEG, MP3 = b"\xff\xd8\xff", b"ID3"


def test_xml_multichoice(moodle_dir: Path) -> None:
    result = _xml(moodle_dir, "multichoice.xml")
    assert _types(result) == {"single_choice": 1}
    assert result.categories == [("Default for testhead", "Multichoice")]
    (q,) = result.questions
    assert q.name == "Greeting"
    assert q.category == ("Default for testhead", "Multichoice")
    assert q.text_format == "html"
    assert q.stem.startswith('<p><a href="@@PLUGINFILE@@/bonjour.mp3">Listen to this greeting')
    assert _fractions(q) == [0, 1, 0, 0]
    assert q.data["shuffle"] is True
    assert [c["feedback"] for c in q.data["choices"]] == [
        "<p>Sorry, listen again.</p>",
        "<p>Yes, well done!</p>",
        "<p>Sorry, listen again.</p>",
        "<p>Sorry, listen again.</p>",
    ]
    assert "@@PLUGINFILE@@/flag-france.jpg" in q.data["choices"][1]["text"]
    assert sorted(q.files) == [
        "bonjour.mp3",
        "flag-denmark.jpg",
        "flag-france.jpg",
        "flag-german.jpg",
        "flag-uk.jpg",
    ]
    assert q.files["bonjour.mp3"].startswith(MP3)
    assert len(q.files["bonjour.mp3"]) == 12982
    for name in ("flag-denmark.jpg", "flag-france.jpg", "flag-german.jpg", "flag-uk.jpg"):
        assert q.files[name].startswith(JPEG) and q.files[name].endswith(b"\xff\xd9")
    assert q.default_mark == 1.0
    assert result.skipped == [] and result.warnings == []


def test_xml_truefalse(moodle_dir: Path) -> None:
    result = _xml(moodle_dir, "truefalse.xml")
    assert _types(result) == {"true_false": 2}
    assert result.categories == [("Default for testhead", "TrueFalse")]
    false_q, true_q = result.questions
    assert (false_q.name, false_q.data["correct"]) == ("Moodle acronym (False)", False)
    assert (true_q.name, true_q.data["correct"]) == ("Moodle acronym (True)", True)
    # U+00A0 in the CDATA survives (PHP's trim() and ours leave it alone).
    assert "Moodle\u00a0<img" in false_q.stem and "Moodle\u00a0<img" in true_q.stem
    assert false_q.data["feedback_false"].endswith("/> Your answer is correct.</p>")
    assert true_q.data["feedback_true"].endswith("/> Your\u00a0answer\u00a0is\u00a0correct.</p>")
    assert "\u00a0" in true_q.data["feedback_false"]
    assert "@@PLUGINFILE@@/infos.jpg" in false_q.general_feedback
    for q in result.questions:
        assert sorted(q.files) == ["infos.jpg", "logo.jpg", "thumbdown.jpg", "thumbup.jpg"]
        assert all(content.startswith(JPEG) for content in q.files.values())


def test_xml_nested_categories(moodle_dir: Path) -> None:
    result = _xml(moodle_dir, "nested_categories_with_questions.xml")
    assert _types(result) == {"true_false": 4, "essay": 1}
    assert result.categories == [
        ("Iota",),
        ("Iota", "Kappa"),
        ("Iota", "Kappa", "Lambda"),
        ("Iota", "Mu"),
    ]
    assert [(q.name, q.category) for q in result.questions] == [
        ("Iota Question", ("Iota",)),
        ("Kappa Essay Question", ("Iota", "Kappa")),
        ("Kappa Question", ("Iota", "Kappa")),
        ("Lambda Question", ("Iota", "Kappa", "Lambda")),
        ("Mu Question", ("Iota", "Mu")),
    ]
    essay = result.questions[1]
    assert essay.text_format == "moodle"  # moodle_auto_format
    assert essay.data == {
        "response_format": "markdown",
        "min_words": 0,
        "max_words": None,
        "grader_info": "",
    }
    assert all(q.data["correct"] is True for q in result.questions if q.qtype == "true_false")


def test_xml_invalid_grades_rejects_the_file(moodle_dir: Path) -> None:
    with pytest.raises(FormatError) as caught:
        _xml(moodle_dir, "error_invalid_grades.xml")
    error = caught.value
    assert "33" in str(error)
    assert "invalid grade 33;" in error.message
    assert error.element == "question[1]/answer[2]/@fraction"
    assert error.question.startswith("Question with <strong>invalid grades</strong>")


def test_xml_shortanswer(moodle_dir: Path) -> None:
    result = _xml(moodle_dir, "shortanswer_testquestion.moodle.xml")
    assert _types(result) == {"short_answer": 1}
    (q,) = result.questions
    assert q.name == "shortanswer-001" and q.category == ("Test questions",)
    assert q.stem == "Name an amphibian: __________"
    assert q.data == {
        "answers": [
            {"text": "frog", "fraction": 1.0, "feedback": "Frog is a very good answer."},
            {"text": "toad", "fraction": 0.8, "feedback": "Toad is an OK good answer."},
            {"text": "*", "fraction": 0.0, "feedback": "That is a bad answer."},
        ],
        "case_sensitive": False,
    }
    assert q.general_feedback == "Generalfeedback: frog or toad would have been OK."


def test_xml_matching(moodle_dir: Path) -> None:
    result = _xml(moodle_dir, "match_testquestion.moodle.xml")
    assert _types(result) == {"matching": 1}
    (q,) = result.questions
    assert q.name == "matching-001" and q.category == ("Test questions",)
    assert q.data == {
        "pairs": [
            {"prompt": "frog", "answer": "amphibian"},
            {"prompt": "cat", "answer": "mammal"},
            {"prompt": "newt", "answer": "amphibian"},
            {"prompt": "", "answer": "insect"},
        ],
        "shuffle": True,
    }
    assert q.general_feedback == "General feedback."


def test_xml_gapselect(moodle_dir: Path) -> None:
    result = _xml(moodle_dir, "gapselect_testquestion.moodle.xml")
    assert _types(result) == {"select_missing_words": 1}
    assert result.categories == [("Default for C1",)]
    (q,) = result.questions
    assert q.name == "Imported Select missing words 001"
    assert q.stem == ""
    assert q.data == {
        "text": "The [[1]] [[2]] on the [[3]].",
        "options": [
            {"text": "cat", "group": 1},
            {"text": "sat", "group": 1},
            {"text": "mat", "group": 1},
            {"text": "dog", "group": 1},
            {"text": "table", "group": 1},
        ],
        "shuffle": False,
    }
    assert q.general_feedback == "The cat sat on the mat."
    assert result.warnings == [
        "question[2]: question 'Imported Select missing words 001': 2 hint(s) kept for "
        "export; this platform does not show hints"
    ]
    # Kept, and written again by the exporter (qformat_xml::write_combined_feedback, hints).
    assert q.extras == {
        "combined_feedback": {
            "correct": "Your answer is correct.",
            "partial": "Your answer is partially correct.",
            "incorrect": "Your answer is incorrect.",
        },
        "shownumcorrect": True,
        "hints": [{"text": "First hint"}, {"text": "Second hint"}],
    }


def test_xml_multianswer(moodle_dir: Path) -> None:
    """multianswer.xml (type "cloze", Moodle's old name): one Cloze question whose
    subquestions are read from its text as qtype_multianswer_extract_question() does."""
    result = _xml(moodle_dir, "multianswer.xml")
    (q,) = result.questions
    assert (q.qtype, q.name, q.stem, q.category) == (
        "cloze", "cloze with images", "", ("Default for Test images in backup",))
    subs = q.data["subquestions"]
    assert [s["kind"] for s in subs] == ["multichoice"] * 4 + ["short_answer"]
    assert all(s["weight"] == 1 for s in subs)
    assert [c["fraction"] for c in subs[1]["choices"]] == [0.0, 1.0]
    assert subs[4]["answers"][1] == {
        "text": "Marseille", "fraction": 0.5,
        "feedback": "No, that is the second largest city in France (after<br />Paris)."}
    assert subs[4]["answers"][2]["text"] == "*"
    assert q.data["text"].endswith("The capital of France is {#5}.</p>")
    assert sorted(q.files) == ["arizona_2.png", "california-state-flag.png", "moodle.png"]
