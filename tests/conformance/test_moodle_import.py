"""Every file of Moodle's conformance corpus goes through `interchange.questions_import` into the
database, and what is stored is what Moodle itself imports: questions per type, names, nested
categories, fractions, feedback and embedded files; the invalid-grades file stores nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from config.errors import ApplicationError
from quizzes import interchange
from quizzes.models import Category, Question, QuestionFile, QuestionVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), whatever Korean translations exist."""
    settings.LANGUAGE_CODE = "en"

JPEG, MP3 = b"\xff\xd8\xff", b"ID3"

# Every file the corpus holds, with what the import must store (None: it must fail).
EXPECTED = {
    "gift/examples.txt": {"single_choice": 16, "multiple_response": 2, "true_false": 5,
                          "short_answer": 9, "numerical": 8, "matching": 3},
    "gift/questions.gift.txt": {"essay": 1, "matching": 1, "single_choice": 1,
                                "multiple_response": 1, "numerical": 1, "short_answer": 1,
                                "true_false": 3},
    "xml/error_invalid_grades.xml": None,
    "xml/gapselect_testquestion.moodle.xml": {"select_missing_words": 1},
    "xml/match_testquestion.moodle.xml": {"matching": 1},
    "xml/multianswer.xml": {"cloze": 1},
    "xml/multichoice.xml": {"single_choice": 1},
    "xml/nested_categories_with_questions.xml": {"true_false": 4, "essay": 1},
    "xml/shortanswer_testquestion.moodle.xml": {"short_answer": 1},
    "xml/truefalse.xml": {"true_false": 2},
}


def corpus_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.name != "README.md")


def run_import(course, folder: Path, name: str) -> interchange.ImportReport:
    path = folder / name
    return interchange.questions_import(course=course, content=path.read_bytes(),
                                       filename=path.name)


def latest(course, name: str) -> QuestionVersion:
    """The first question of that name (in file order)."""
    question = Question.objects.filter(course=course, name=name).order_by("pk").first()
    assert question is not None, f"no question named {name!r}"
    return question.latest_version()


def fractions(items: list[dict]) -> list[float]:
    return [round(item["fraction"], 7) for item in items]


def test_every_corpus_file_has_expectations(moodle_corpus: Path) -> None:
    assert corpus_files(moodle_corpus) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_imports_as_moodle_does(moodle_corpus: Path, bank_course, name: str) -> None:
    expected = EXPECTED[name]
    if expected is None:
        with pytest.raises(ApplicationError):
            run_import(bank_course, moodle_corpus, name)
        assert not Question.objects.exists() and not Category.objects.exists()
        return
    report = run_import(bank_course, moodle_corpus, name)
    stored = Counter(QuestionVersion.objects.filter(question__course=bank_course)
                     .values_list("qtype", flat=True))
    assert dict(stored) == expected
    assert len(report.created) == sum(expected.values())
    assert report.skipped == [] and report.updated == [] and report.unchanged == []
    # Importing the same file again changes nothing: no idnumbers means "create", so only
    # files with idnumbers could be matched; none of Moodle's fixtures has one.
    assert all(item.version == 1 for item in report.created)


def test_gift_examples(moodle_corpus: Path, bank_course) -> None:
    report = run_import(bank_course, moodle_corpus, "gift/examples.txt")
    assert report.format == "gift" and len(report.created) == 43
    # No $CATEGORY: everything lands in the course's default category.
    assert set(Question.objects.values_list("category__name", flat=True)) == {"Default"}
    first = latest(bank_course, "Who's buried in Grant's tomb?")
    assert first.qtype == "single_choice" and first.text_format == "moodle"
    assert [c["text"] for c in first.data["choices"]] == ["Grant", "Jefferson", "no one"]
    assert fractions(first.data["choices"]) == [0, 0, 1]
    mc, sa = (q.latest_version() for q in Question.objects.filter(name="Jesus' hometown")
              .order_by("pk"))
    assert mc.stem == "Jesus Christ was from _____."
    assert fractions(mc.data["choices"]) == [0, 0.25, 0.5, 1]
    assert mc.data["choices"][1]["feedback"] == "He was born here, but not raised here."
    assert mc.data["choices"][3] == {"text": "Nazareth", "fraction": 1.0,
                                     "feedback": "Yes! That's right!"}
    assert sa.qtype == "short_answer"
    assert fractions(sa.data["answers"]) == [1, 0.75, 0.25]
    two = [q.latest_version() for q in Question.objects.filter(
        name="What two people are entombed in Grant's tomb?").order_by("pk")]
    assert [fractions(v.data["choices"]) for v in two] == [[0, 0.5, 0.5, 0],
                                                          [-0.5, 0.5, 0.5, -0.5]]
    markdown = latest(bank_course, "Who's buried in **Grant's tomb**?")
    assert markdown.text_format == "markdown"
    example = latest(bank_course, "Numerical example")
    assert [a["feedback"] for a in example.data["answers"]] == [
        "Correct! 100% credit", "He was born in 1822.\nYou get 50% credit for being close."]
    control = latest(bank_course, "GIFT Control Characters")
    assert [c["text"] for c in control.data["choices"]] == ["~", "=", "#", "{", "}", "\\"]


def test_gift_fixture(moodle_corpus: Path, bank_course) -> None:
    report = run_import(bank_course, moodle_corpus, "gift/questions.gift.txt")
    assert [i.name for i in report.created] == [
        "Q8", "Moodle activities", "Q2", "colours", "Q5", "Shortanswer", "Q1", "2-08 TSL",
        "2-08 TSL"]
    assert len(report.warnings) == 7
    activities = latest(bank_course, "Moodle activities")
    assert activities.text_format == "html"
    assert activities.stem == "Match the <b>activity</b> to the description."
    assert activities.data["pairs"][-1] == {"prompt": "", "answer": "Chat"}
    colours = latest(bank_course, "colours")
    assert colours.qtype == "multiple_response"
    assert fractions(colours.data["choices"]) == [0.5, -1, 0.5, -1]
    assert [c["feedback"] for c in colours.data["choices"]] == [
        "right; good!", "wrong", "right; good!", "wrong"]
    q1 = latest(bank_course, "Q1")
    assert q1.data == {"correct": False, "feedback_true": "42 is the Ultimate Answer.",
                       "feedback_false": "You gave the right answer."}
    assert q1.general_feedback == ("This is, of course, a Hitchiker's Guide to the Galaxy "
                                   "reference.")
    short = latest(bank_course, "Shortanswer")
    assert short.data["answers"][1] == {"text": "Cat", "fraction": 0.5,
                                        "feedback": "What is it with Moodlers and cats?"}


def test_xml_multichoice_with_files(moodle_corpus: Path, bank_course) -> None:
    report = run_import(bank_course, moodle_corpus, "xml/multichoice.xml")
    assert report.files_stored == 5
    question = Question.objects.get(course=bank_course)
    assert question.name == "Greeting"
    assert question.category.path == "Default for testhead/Multichoice"
    version = question.latest_version()
    assert version.text_format == "html"
    assert fractions(version.data["choices"]) == [0, 1, 0, 0]
    assert [c["feedback"] for c in version.data["choices"]] == [
        "<p>Sorry, listen again.</p>", "<p>Yes, well done!</p>",
        "<p>Sorry, listen again.</p>", "<p>Sorry, listen again.</p>"]
    files = {f.name: bytes(f.content) for f in version.files.all()}
    assert sorted(files) == ["bonjour.mp3", "flag-denmark.jpg", "flag-france.jpg",
                             "flag-german.jpg", "flag-uk.jpg"]
    assert files["bonjour.mp3"].startswith(MP3) and len(files["bonjour.mp3"]) == 12982
    assert sum(1 for c in files.values() if c.startswith(JPEG) and c.endswith(b"\xff\xd9")) == 4
    assert QuestionFile.objects.get(version=version, name="flag-uk.jpg").content_type == \
        "image/jpeg"
    # The stored HTML went through the sanitiser and still references its files.
    assert '<a href="@@PLUGINFILE@@/bonjour.mp3"' in version.stem
    assert "@@PLUGINFILE@@/flag-france.jpg" in version.data["choices"][1]["text"]


def test_xml_truefalse_with_files(moodle_corpus: Path, bank_course) -> None:
    report = run_import(bank_course, moodle_corpus, "xml/truefalse.xml")
    assert [i.name for i in report.created] == ["Moodle acronym (False)",
                                                "Moodle acronym (True)"]
    assert report.files_stored == 8
    for question in Question.objects.filter(course=bank_course):
        assert question.category.path == "Default for testhead/TrueFalse"
        version = question.latest_version()
        assert version.data["correct"] is question.name.endswith("(True)")
        files = version.files.all()
        assert sorted(f.name for f in files) == ["infos.jpg", "logo.jpg", "thumbdown.jpg",
                                                 "thumbup.jpg"]
        assert all(bytes(f.content).startswith(JPEG) for f in files)
    false_q = latest(bank_course, "Moodle acronym (False)")
    assert false_q.data["feedback_false"].endswith("/> Your answer is correct.</p>") or \
        false_q.data["feedback_false"].endswith("> Your answer is correct.</p>")
    assert "@@PLUGINFILE@@/infos.jpg" in false_q.general_feedback


def test_xml_nested_categories(moodle_corpus: Path, bank_course) -> None:
    run_import(bank_course, moodle_corpus, "xml/nested_categories_with_questions.xml")
    paths = sorted(c.path for c in Category.objects.filter(course=bank_course))
    assert paths == ["Iota", "Iota/Kappa", "Iota/Kappa/Lambda", "Iota/Mu"]
    lambda_ = Category.objects.get(name="Lambda")
    assert lambda_.parent.name == "Kappa" and lambda_.parent.parent.name == "Iota"
    assert lambda_.parent.parent.parent is None
    placed = {q.name: q.category.path for q in Question.objects.filter(course=bank_course)}
    assert placed == {"Iota Question": "Iota", "Kappa Essay Question": "Iota/Kappa",
                      "Kappa Question": "Iota/Kappa", "Lambda Question": "Iota/Kappa/Lambda",
                      "Mu Question": "Iota/Mu"}
    essay = latest(bank_course, "Kappa Essay Question")
    assert essay.text_format == "moodle"
    assert essay.data == {"response_format": "markdown", "min_words": 0, "max_words": None,
                          "grader_info": ""}


def test_xml_nested_categories_under_a_parent(moodle_corpus: Path, bank_course) -> None:
    from quizzes.services import category_get_or_create_path

    parent = category_get_or_create_path(course=bank_course, path=("Moodle", "가져옴"))
    run_import_under = interchange.questions_import(
        course=bank_course, filename="nested.xml", parent=parent,
        content=(moodle_corpus / "xml/nested_categories_with_questions.xml").read_bytes())
    assert "Moodle/가져옴/Iota/Kappa/Lambda" in run_import_under.categories
    assert Question.objects.get(name="Mu Question").category.path == "Moodle/가져옴/Iota/Mu"


def test_xml_invalid_grades_stores_nothing(moodle_corpus: Path, bank_course) -> None:
    with pytest.raises(ApplicationError) as caught:
        run_import(bank_course, moodle_corpus, "xml/error_invalid_grades.xml")
    error = caught.value
    assert error.code == "invalid_file"
    assert "invalid grade 33" in error.message
    assert "question[1]/answer[2]/@fraction" in error.message
    assert not Question.objects.exists()
    assert not Category.objects.exists()
    assert not QuestionFile.objects.exists()


def test_xml_short_answer_matching_gapselect(moodle_corpus: Path, bank_course) -> None:
    for name in ("xml/shortanswer_testquestion.moodle.xml", "xml/match_testquestion.moodle.xml",
                 "xml/gapselect_testquestion.moodle.xml"):
        run_import(bank_course, moodle_corpus, name)
    short = Question.objects.get(name="shortanswer-001")
    assert short.category.path == "Test questions"
    data = short.latest_version().data
    assert [(a["text"], a["fraction"]) for a in data["answers"]] == [
        ("frog", 1.0), ("toad", 0.8), ("*", 0.0)]
    assert data["answers"][0]["feedback"] == "Frog is a very good answer."
    assert short.latest_version().general_feedback == \
        "Generalfeedback: frog or toad would have been OK."
    match = Question.objects.get(name="matching-001")
    assert match.category == short.category  # the same "Test questions" category, once
    assert match.latest_version().data["pairs"] == [
        {"prompt": "frog", "answer": "amphibian"}, {"prompt": "cat", "answer": "mammal"},
        {"prompt": "newt", "answer": "amphibian"}, {"prompt": "", "answer": "insect"}]
    gaps = Question.objects.get(name="Imported Select missing words 001")
    assert gaps.category.path == "Default for C1"
    version = gaps.latest_version()
    assert version.qtype == "select_missing_words"
    assert version.data["text"] == "The [[1]] [[2]] on the [[3]]."
    assert [o["text"] for o in version.data["options"]] == ["cat", "sat", "mat", "dog", "table"]
    assert version.data["shuffle"] is False
    assert version.general_feedback == "The cat sat on the mat."
