"""Moodle parity through the import API, as a teacher uses it: what Moodle accepts imports
whole, what it refuses stores nothing, and nothing is dropped without a warning.

Each expectation names the Moodle code or test it comes from (moodle/moodle,
question/format/gift/format.php, question/format/xml/format.php, question/format.php,
question/type/numerical/question.php).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.formats import common
from quizzes.models import Category, Question, QuestionVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def post_file(client, name: str, content: bytes | str, **extra):
    if isinstance(content, str):
        content = content.encode("utf-8")
    url = reverse("api-questions-import", args=["mini"])
    return client.post(url, {"file": SimpleUploadedFile(name, content), **extra})


def counts() -> tuple[int, int, int]:
    return Question.objects.count(), QuestionVersion.objects.count(), Category.objects.count()


def latest(name: str) -> QuestionVersion:
    return Question.objects.get(course__slug="mini", name=name).latest_version()


# --- one rule for a file ------------------------------------------------------------------


def test_gift_files_moodle_accepts_import_whole(teacher_client):
    # gift/format.php: "=%-50%wrong" in a block without "~" is a short answer whose weight
    # Moodle reads as -50 %; "{=same ~same ~other}" is a multichoice with two choices of the
    # same text. Moodle imports both questions.
    response = post_file(teacher_client, "s.gift",
                         "::S2::Q{=right =%-50%wrong}\n\n::S3::Q{=same ~same ~other}\n")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["name"] for i in body["created"]] == ["S2", "S3"] and body["skipped"] == []
    assert [a["fraction"] for a in latest("S2").data["answers"]] == [1.0, -0.5]
    assert [c["text"] for c in latest("S3").data["choices"]] == ["same", "same", "other"]
    assert any("S3" in w and "same text" in w for w in body["warnings"])


def test_one_question_moodle_refuses_stores_nothing(teacher_client):
    before = counts()
    response = post_file(teacher_client, "x.gift", "::Good::Q{T}\n\n::Bad::Q{#1..x}\n")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_file" and "line 3" in error["message"]
    assert counts() == before


def test_an_unsupported_xml_type_refuses_the_file(teacher_client):
    before = counts()
    xml = ('<quiz><question type="truefalse"><name><text>T</text></name>'
           '<questiontext><text>Q</text></questiontext>'
           '<answer fraction="100"><text>true</text></answer>'
           '<answer fraction="0"><text>false</text></answer></question>'
           '<question type="calculated"><name><text>C</text></name></question></quiz>')
    response = post_file(teacher_client, "c.xml", xml)
    assert response.status_code == 400
    assert "question[2]" in response.json()["error"]["message"]
    assert counts() == before


@pytest.mark.parametrize("content", [" \n", "\n\n// only a comment\n", "$CATEGORY: $course$/A\n"])
def test_an_empty_file_is_refused(teacher_client, content):
    before = counts()
    response = post_file(teacher_client, "e.gift", content)
    assert response.status_code == 400
    assert "no questions" in response.json()["error"]["message"]
    assert counts() == before


def test_an_empty_xml_file_is_refused(teacher_client):
    response = post_file(teacher_client, "e.xml", '<?xml version="1.0"?><quiz></quiz>')
    assert response.status_code == 400
    assert "no questions" in response.json()["error"]["message"]


@pytest.mark.parametrize("where", ["::N\x00ame::Q{T}", "::N::Q\x00{T}", "::N::Q{=a#f\x00b ~c}"])
def test_a_nul_byte_anywhere_in_a_gift_question_is_refused(teacher_client, where):
    before = counts()
    response = post_file(teacher_client, "n.gift", "::Fine::Q{T}\n\n" + where + "\n")
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "line 3" in message and "U+0000" in message
    assert counts() == before


def test_too_many_choices_is_a_clear_error(teacher_client):
    choices = "".join(f"~c{i} " for i in range(common.MAX_ANSWERS + 1))
    response = post_file(teacher_client, "big.gift", "::Big::Q{=right " + choices + "}\n")
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "line 1" in message and f"limit is {common.MAX_ANSWERS:,}" in message


def test_too_many_choices_in_xml_is_a_clear_error(teacher_client):
    answers = '<answer fraction="0"><text>x</text></answer>' * (common.MAX_ANSWERS + 1)
    xml = (f'<quiz><question type="multichoice"><name><text>Big</text></name>'
           f'<questiontext><text>Q</text></questiontext>{answers}</question></quiz>')
    response = post_file(teacher_client, "big.xml", xml)
    assert response.status_code == 400
    assert f"limit is {common.MAX_ANSWERS:,}" in response.json()["error"]["message"]


def test_too_many_questions_is_a_clear_error(teacher_client, settings):
    text = "\n\n".join("Q{T}" for _ in range(common.MAX_QUESTIONS + 1))
    response = post_file(teacher_client, "many.gift", text)
    assert response.status_code == 400
    assert f"{common.MAX_QUESTIONS:,} questions" in response.json()["error"]["message"]
    assert not Question.objects.filter(course__slug="mini", name="Q").exists()


def test_html_in_a_question_name_is_stripped(teacher_client):
    # qformat_default::clean_question_name(): clean_param($name, PARAM_TEXT) strips tags.
    response = post_file(teacher_client, "b.gift", "::<b>Bold</b> name::Q{T}\n")
    assert response.status_code == 201
    assert response.json()["created"][0]["name"] == "Bold name"


# --- numerical units ------------------------------------------------------------------------

NUMERICAL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="numerical">
    <name><text>Length</text></name>
    <questiontext format="html"><text>How long is the rod?</text></questiontext>
    <defaultgrade>1.0000000</defaultgrade>
    <answer fraction="100" format="moodle_auto_format"><text>1.5</text>
      <feedback format="html"><text>Yes.</text></feedback><tolerance>0</tolerance></answer>
    <units>
      <unit><multiplier>1</multiplier><unit_name>m</unit_name></unit>
      <unit><multiplier>100</multiplier><unit_name>cm</unit_name></unit>
    </units>
    <unitgradingtype>{grading}</unitgradingtype>
    <unitpenalty>{penalty}</unitpenalty>
    <showunits>0</showunits>
    <unitsleft>0</unitsleft>
  </question>
</quiz>
"""


@pytest.fixture
def empty_quiz(mini_course):
    from quizzes.authoring import quiz_create

    quiz = quiz_create(course=mini_course, title="Units", slug="units")
    quiz.published = True
    quiz.save(update_fields=["published"])
    return quiz


def mark_for(student, quiz, text: str) -> float:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(student)
    body = api.post(reverse("api-attempt-start", args=["mini", quiz.slug]), format="json").json()
    (question,) = body["questions"]
    saved = api.put(reverse("api-response", args=[body["id"], question["slot_id"]]),
                    {"answer": {"text": text}, "sequence": question["sequence"]}, format="json")
    assert saved.status_code == 200, saved.content
    result = api.post(reverse("api-attempt-submit", args=[body["id"]])).json()
    return result["questions"][0]["mark"]


@pytest.mark.parametrize(
    ("grading", "penalty", "text", "mark"),
    [
        # question/type/numerical/question.php, apply_unit_penalty(): type 1
        # (UNITGRADEDOUTOFMARK) takes penalty * fraction off, type 2 (UNITGRADEDOUTOFMAX)
        # takes the penalty itself off; get_matching_answer(): no unit or an unknown unit
        # compares the number as typed, with the unit wrong.
        ("1", "0.1", "1.5", 0.9),
        ("1", "0.1", "1.5 m", 1.0),
        ("1", "0.1", "150 cm", 1.0),
        ("1", "0.1", "1.5 furlong", 0.9),
        ("1", "0.1", "1.5 cm", 0.9),
        ("2", "0.25", "1.5", 0.75),
        ("1", "1", "1.5", 0.0),
        ("1", "0.1", "2 m", 0.0),
    ],
)
def test_unit_penalty_grades_as_moodle(teacher_client, student, empty_quiz, grading, penalty,
                                       text, mark):
    xml = NUMERICAL_XML.replace("{grading}", grading).replace("{penalty}", penalty)
    response = post_file(teacher_client, "n.xml", xml, quiz="units")
    assert response.status_code == 201, response.content
    assert mark_for(student, empty_quiz, text) == pytest.approx(mark)


def test_unit_grading_and_penalty_are_exported_again(teacher_client):
    xml = NUMERICAL_XML.replace("{grading}", "2").replace("{penalty}", "0.25")
    assert post_file(teacher_client, "n.xml", xml).status_code == 201
    exported = teacher_client.get(reverse("api-questions-export", args=["mini"]),
                                  {"format": "moodle-xml", "category": ""}).content.decode()
    block = exported[exported.index("<name>\n      <text>Length"):]
    assert "<unitgradingtype>2</unitgradingtype>" in block
    assert "<unitpenalty>0.2500000</unitpenalty>" in block


# --- every Moodle XML field kept or warned -------------------------------------------------

PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

RICH_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Moodle/Week 1</text></category>
    <info format="html"><text><![CDATA[<p>First week</p>]]></text></info>
    <idnumber>W1</idnumber>
  </question>
  <question type="multichoice">
    <name><text>Pick</text></name>
    <questiontext format="html"><text><![CDATA[<p style="color: red">Which?</p>]]></text></questiontext>
    <image>old/pic.png</image>
    <image_base64>{PIXEL}</image_base64>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.5000000</penalty>
    <hidden>1</hidden>
    <single>true</single>
    <shuffleanswers>false</shuffleanswers>
    <answernumbering>123</answernumbering>
    <correctfeedback format="html"><text>Well done!</text></correctfeedback>
    <partiallycorrectfeedback format="html"><text>Parts only.</text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text>Not at all.</text></incorrectfeedback>
    <shownumcorrect/>
    <answer fraction="100" format="html"><text>Right</text><feedback><text>R</text></feedback></answer>
    <answer fraction="0" format="html"><text>Wrong</text><feedback><text>W</text></feedback></answer>
    <hint format="html"><text>Think.</text><shownumcorrect/><clearwrong/></hint>
    <frobnicate>1</frobnicate>
  </question>
  <question type="essay">
    <name><text>Write</text></name>
    <questiontext format="html"><text>Write.</text></questiontext>
    <defaultgrade>1</defaultgrade>
    <penalty>0</penalty>
    <responseformat>editor</responseformat>
    <responserequired>0</responserequired>
    <responsefieldlines>5</responsefieldlines>
    <attachments>2</attachments>
    <attachmentsrequired>1</attachmentsrequired>
    <maxbytes>1024</maxbytes>
    <filetypeslist>.pdf</filetypeslist>
    <graderinfo format="html"><text>Look for X.</text></graderinfo>
    <responsetemplate format="html"><text>Dear …</text></responsetemplate>
  </question>
</quiz>
"""


def export_xml(client) -> str:
    return client.get(reverse("api-questions-export", args=["mini"]),
                      {"format": "moodle-xml", "category": "Moodle"}).content.decode()


def block_of(xml: str, name: str) -> str:
    start = xml.index(f"<text>{name}</text>")
    return xml[start:xml.index("</question>", start)]


def test_moodle_xml_fields_are_kept_and_exported_again(teacher_client):
    response = post_file(teacher_client, "rich.xml", RICH_XML)
    assert response.status_code == 201, response.content
    body = response.json()
    warnings = "\n".join(body["warnings"])
    # Named, never dropped in silence.
    assert "<frobnicate>" in warnings
    assert "style attributes" in warnings
    assert "hint" in warnings and "attach" in warnings
    # qformat_xml::import_headers(): the legacy image is stored and appended to the text.
    assert body["created"][0]["files"] == 1
    assert '<img src="@@PLUGINFILE@@/old_pic.png"' in latest("Pick").stem
    category = Category.objects.get(course__slug="mini", name="Week 1")
    assert (category.info, category.idnumber) == ("<p>First week</p>", "W1")

    xml = export_xml(teacher_client)
    assert '<info format="html">' in xml and "<idnumber>W1</idnumber>" in xml
    pick = block_of(xml, "Pick")
    for kept in ("<penalty>0.5000000</penalty>", "<hidden>1</hidden>",
                 "<answernumbering>123</answernumbering>", "<text>Well done!</text>",
                 "<text>Parts only.</text>", "<text>Not at all.</text>", "<shownumcorrect/>",
                 "<text>Think.</text>", "<clearwrong/>", '<file name="old_pic.png"'):
        assert kept in pick, kept
    essay = block_of(xml, "Write")
    for kept in ("<responserequired>0</responserequired>",
                 "<responsefieldlines>5</responsefieldlines>", "<attachments>2</attachments>",
                 "<attachmentsrequired>1</attachmentsrequired>", "<maxbytes>1024</maxbytes>",
                 "<filetypeslist>.pdf</filetypeslist>", "<text>Dear …</text>"):
        assert kept in essay, kept


def test_combined_feedback_is_shown_in_the_review(teacher_client, student, empty_quiz, client):
    assert post_file(teacher_client, "rich.xml", RICH_XML, quiz="units").status_code == 201
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(student)
    body = api.post(reverse("api-attempt-start", args=["mini", "units"]), format="json").json()
    pick = next(q for q in body["questions"] if q["qtype"] == "single_choice")
    right = next(c["value"] for c in pick["view"]["choices"] if c["text"] == "Right")
    api.put(reverse("api-response", args=[body["id"], pick["slot_id"]]),
            {"answer": {"choice": right}, "sequence": pick["sequence"]}, format="json")
    api.post(reverse("api-attempt-submit", args=[body["id"]]))
    client.force_login(student)
    page = client.get(reverse("quizzes:review", args=[body["id"]])).content.decode()
    assert "Well done!" in page and "Not at all." not in page


# --- round trip in the file's order -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_the_course_export_reimported_is_unchanged_in_file_order(teacher_client, fmt):
    before = counts()
    exported = teacher_client.get(reverse("api-questions-export", args=["mini"]),
                                  {"format": fmt})
    assert exported.status_code == 200
    name = "again.xml" if fmt == "moodle-xml" else "again.gift"
    response = post_file(teacher_client, name, exported.content)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == [] and body["updated"] == [], (body["created"], body["updated"])
    assert len(body["unchanged"]) == int(exported["X-Exported-Questions"])
    assert counts() == before
    # The export follows the order the questions were created in (the file's order).
    keys = [i["key"] for i in body["unchanged"]]
    created = list(Question.objects.filter(course__slug="mini", key__in=keys)
                   .order_by("pk").values_list("key", flat=True))
    assert keys == created


def test_export_keeps_numbered_names_in_file_order(teacher_client):
    text = "\n\n".join(f"::MID-{n}::Q{n}{{T}}" for n in (1, 2, 10, 11))
    assert post_file(teacher_client, "mid.gift", text).status_code == 201
    exported = teacher_client.get(reverse("api-questions-export", args=["mini"]),
                                  {"format": "gift"}).content.decode()
    positions = [exported.index(f"::MID-{n}::") for n in (1, 2, 10, 11)]
    assert positions == sorted(positions)


# --- Cloze (multianswer) ------------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[1] / "conformance" / "moodle" / "xml"


def attempt_with(student, quiz, answers_by_text) -> tuple[dict, dict]:
    """Start an attempt, answer the one cloze question (choices by their text), submit."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(student)
    body = api.post(reverse("api-attempt-start", args=["mini", quiz.slug]), format="json").json()
    (question,) = body["questions"]
    answers = {}
    for segment in question["view"]["segments"]:
        if "sub" not in segment or str(segment["sub"]) not in answers_by_text:
            continue
        wanted = answers_by_text[str(segment["sub"])]
        if "choices" in segment:
            values = [c["value"] for c in segment["choices"]
                      if c["text"] in (wanted if isinstance(wanted, list) else [wanted])]
            answers[str(segment["sub"])] = values if isinstance(wanted, list) else values[0]
        else:
            answers[str(segment["sub"])] = wanted
    saved = api.put(reverse("api-response", args=[body["id"], question["slot_id"]]),
                    {"answer": {"answers": answers}, "sequence": question["sequence"]},
                    format="json")
    assert saved.status_code == 200, saved.content
    return body, api.post(reverse("api-attempt-submit", args=[body["id"]])).json()


def test_moodle_multianswer_fixture_imports_grades_and_reviews(teacher_client, student,
                                                               empty_quiz, client):
    # question/format/xml/tests/fixtures/multianswer.xml (xmlformat_test::test_import_...):
    # one Cloze question with five subquestions of weight 1 and three embedded files.
    response = post_file(teacher_client, "multianswer.xml",
                         (CORPUS / "multianswer.xml").read_bytes(), quiz="units")
    assert response.status_code == 201, response.content
    (item,) = response.json()["created"]
    assert (item["qtype"], item["files"]) == ("cloze", 3)
    version = latest("cloze with images")
    kinds = [s["kind"] for s in version.data["subquestions"]]
    assert kinds == ["multichoice"] * 4 + ["short_answer"]
    # qtype_multianswer_question::grade_response(): sum of fraction x weight over the weights:
    # three right choices, one wrong, Marseille at 50 % -> 3.5 / 5.
    body, result = attempt_with(student, empty_quiz, {
        "1": "California", "2": "Arizona", "3": "Arizona", "4": "Arizona", "5": "marseille"})
    assert result["questions"][0]["mark"] == pytest.approx(0.7)
    client.force_login(student)
    page = client.get(reverse("quizzes:review", args=[body["id"]])).content.decode()
    assert "No, that is the second largest city in France" in page
    assert "Paris" in page  # the right answer of the short answer


def test_cloze_export_writes_multianswer_and_reimports_unchanged(teacher_client):
    xml = (CORPUS / "multianswer.xml").read_bytes()
    assert post_file(teacher_client, "multianswer.xml", xml).status_code == 201
    exported = teacher_client.get(reverse("api-questions-export", args=["mini"]),
                                  {"format": "moodle-xml"})
    text = exported.content.decode()
    assert '<question type="multianswer">' in text
    assert "{1:MULTICHOICE:=California#OK~Arizona#Wrong}" in text
    # Feedback HTML is sanitised on import (<br /> becomes <br>), as in every question.
    assert "{1:SHORTANSWER:=Paris#Congratulations!<br>~%50%Marseille#" in text
    again = post_file(teacher_client, "again.xml", exported.content).json()
    assert again["created"] == again["updated"] == []
    gift = teacher_client.get(reverse("api-questions-export", args=["mini"]),
                              {"format": "gift"})
    # GIFT has no Cloze: left out, and said so at the top of the file.
    assert "// Not exported: cloze with images: GIFT cannot express a cloze question" in (
        gift.content.decode())


CLOZE_XML = """<quiz><question type="multianswer"><name><text>{name}</text></name>
<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext></question></quiz>"""


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        # Moodle's multianswer edit form: "questionsmissing" (no embedded answer),
        # "notvalidnumber" for a numerical answer, and the Cloze syntax itself.
        ("<p>No answers here.</p>", "line 1, column 1", "no embedded answers"),
        ("<p>A {1:SHORTANSWR:=x}</p>", "line 1, column 9", "unknown embedded answer type"),
        ("<p>A {1:SHORTANSWER:=x</p>", "line 1, column 6", "no closing '}'"),
        ("<p>A</p>\n<p>B {2:NUMERICAL:=abc}</p>", "line 2, column 19", "not a number"),
        ("<p>A {1:MULTICHOICE:}</p>", "line 1, column 21", "no answers"),
    ],
)
def test_broken_cloze_is_refused_with_its_position(teacher_client, text, where, words):
    before = counts()
    xml = CLOZE_XML.replace("{name}", "Broken").replace("{text}", text)
    response = post_file(teacher_client, "broken.xml", xml)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "question 'Broken'" in message and where in message and words in message, message
    assert counts() == before


def test_every_cloze_subquestion_kind_is_read_as_moodle_defines_it():
    # question/type/multianswer/questiontype.php: ANSWER_TYPE_DEF_REGEX and
    # qtype_multianswer_extract_question().
    from quizzes.qtypes.cloze import parse_cloze

    codes = {
        "SHORTANSWER": ("short_answer", False), "SA": ("short_answer", False),
        "MW": ("short_answer", False), "SHORTANSWER_C": ("short_answer", True),
        "SAC": ("short_answer", True), "MWC": ("short_answer", True),
        "NUMERICAL": ("numerical", None), "NM": ("numerical", None),
        "MULTICHOICE": ("dropdown", False), "MC": ("dropdown", False),
        "MULTICHOICE_V": ("vertical", False), "MCV": ("vertical", False),
        "MULTICHOICE_H": ("horizontal", False), "MCH": ("horizontal", False),
        "MULTICHOICE_S": ("dropdown", True), "MCS": ("dropdown", True),
        "MULTICHOICE_VS": ("vertical", True), "MCVS": ("vertical", True),
        "MULTICHOICE_HS": ("horizontal", True), "MCHS": ("horizontal", True),
        "MULTIRESPONSE": ("vertical", False), "MR": ("vertical", False),
        "MULTIRESPONSE_H": ("horizontal", False), "MRH": ("horizontal", False),
        "MULTIRESPONSE_S": ("vertical", True), "MRS": ("vertical", True),
        "MULTIRESPONSE_HS": ("horizontal", True), "MRHS": ("horizontal", True),
    }
    for code, expected in codes.items():
        body = "=1.5:0.1~%50%2" if expected[0] == "numerical" else "=a#yes~%-50%b~c"
        (sub,) = parse_cloze(f"x {{3:{code}:{body}}} y")["subquestions"]
        assert sub["weight"] == 3, code
        if sub["kind"] == "short_answer":
            assert expected == ("short_answer", sub["case_sensitive"]), code
            assert [a["fraction"] for a in sub["answers"]] == [1.0, -0.5, 0.0]
        elif sub["kind"] == "numerical":
            assert sub["answers"][0] == {"value": 1.5, "tolerance": 0.1, "fraction": 1.0,
                                         "feedback": ""}
            assert sub["answers"][1]["fraction"] == 0.5
        else:
            assert (sub["display"], sub["shuffle"]) == expected, code
            assert sub["kind"] == ("multiresponse" if code.startswith("M") and "R" in code[:6]
                                   and code not in ("MC", "MCS", "MCV", "MCVS", "MCH", "MCHS")
                                   and not code.startswith("MULTICHOICE") else "multichoice")
            assert sub["choices"][0] == {"text": "a", "fraction": 1.0, "feedback": "yes"}


def test_cloze_weights_multiresponse_and_numerical_grade_as_moodle(teacher_client, student,
                                                                   empty_quiz):
    text = ("<p>{2:SHORTANSWER_C:=Paris} {1:NUMERICAL:=12.5:0.5} "
            "{1:MULTIRESPONSE:%50%a~%50%b~%-100%c}</p>")
    xml = CLOZE_XML.replace("{name}", "Weights").replace("{text}", text)
    assert post_file(teacher_client, "w.xml", xml, quiz="units").status_code == 201
    # SHORTANSWER_C is case sensitive: "paris" scores 0 (weight 2); 12.9 is within 0.5 (1);
    # a and c: 0.5 - 1 -> clamped to 0 (multichoice_multi grade_response). 1 / 4.
    _, result = attempt_with(student, empty_quiz, {"1": "paris", "2": "12.9", "3": ["a", "c"]})
    assert result["questions"][0]["mark"] == pytest.approx(0.25)


def test_cloze_choices_with_the_same_text_are_one_answer_the_better_one(
        teacher_client, student, empty_quiz, client):
    from quizzes.models import Response

    # Moodle keeps two choices of one subquestion that read the same; a student cannot tell
    # them apart, so the text names the one with the higher fraction, wherever it was shown.
    text = "<p>{1:MC:same~=same~other} and {1:MR:%50%a~%50%b~%-100%a}</p>"
    xml = CLOZE_XML.replace("{name}", "Twins").replace("{text}", text)
    assert post_file(teacher_client, "t.xml", xml, quiz="units").status_code == 201
    # The first "same" shown (fraction 0) is picked; both "a" boxes are ticked.
    body, result = attempt_with(student, empty_quiz, {"1": "same", "2": ["a"]})
    assert Response.objects.get(attempt_id=body["id"]).answer == {
        "answers": {"1": "same", "2": ["a"]}}
    # (1 + 0.5) / 2: "same" is the right choice, "a" the +50 % one, counted once.
    assert result["questions"][0]["mark"] == pytest.approx(0.75)
    client.force_login(student)
    page = client.get(reverse("quizzes:review", args=[body["id"]])).content.decode()
    assert re.findall(r"<strong>([^<]*)</strong>", page)[:2] == ["same", "a"]


def test_cloze_is_written_in_the_editor_as_cloze_text(client, teacher, mini_course):
    from quizzes import services

    category = services.category_get_or_create_path(course=mini_course, path=("Cloze",))
    client.force_login(teacher)
    url = reverse("bank:question-new", args=["mini"])
    fields = {"qtype": "cloze", "name": "Editor cloze", "category": str(category.pk),
              "stem": "", "text_format": "html", "general_feedback": "", "default_mark": "1",
              "tags": "", "key": ""}
    bad = client.post(url, {**fields, "d-cloze": "Capital: {1:SA:=Paris"})
    assert bad.status_code == 400
    assert "no closing" in bad.content.decode()
    good = client.post(url, {**fields, "d-cloze": "Capital: {1:SA:=Paris#Yes~%50%paris}"})
    assert good.status_code == 302, good.content.decode()[:2000]
    version = latest("Editor cloze")
    assert version.data["text"] == "Capital: {#1}"
    edit = client.get(reverse("bank:question-edit", args=["mini", version.question_id]))
    assert "{1:SHORTANSWER:=Paris#Yes~%50%paris}" in edit.content.decode()


def test_cloze_statistics_count_each_subquestion(teacher_client, teacher, student, empty_quiz):
    import json

    from rest_framework.test import APIClient

    xml = (CORPUS / "multianswer.xml").read_bytes()
    assert post_file(teacher_client, "m.xml", xml, quiz="units").status_code == 201
    attempt_with(student, empty_quiz, {"1": "California", "2": "California", "5": "Paris"})
    api = APIClient()
    api.force_authenticate(teacher)
    stats = api.get(reverse("api-statistics", args=["mini", "units"]))
    assert stats.status_code == 200
    dumped = json.dumps(stats.json(), ensure_ascii=False)
    # One row per subquestion answer: gap 1 California, gap 2 California, gap 5 Paris.
    for label in ("Gap 1: California", "Gap 2: California", "Gap 5: Paris"):
        assert label in dumped, label


def test_cloze_html_is_sanitised_on_import(teacher_client):
    text = ('<p>{1:MULTICHOICE:=<b onclick="x()">A</b>#<script>bad()</script>ok~B}'
            " {1:SA:=a<b>#<img src=x onerror=y()>}</p>")
    xml = CLOZE_XML.replace("{name}", "Dirty").replace("{text}", text)
    assert post_file(teacher_client, "d.xml", xml).status_code == 201
    stored = json_dumps(latest("Dirty").data)
    assert "onclick" not in stored and "<script>" not in stored and "onerror" not in stored
    assert latest("Dirty").data["subquestions"][1]["answers"][0]["text"] == "a<b>"


def json_dumps(value) -> str:
    import json

    return json.dumps(value)


def test_cloze_is_answered_on_the_attempt_page_with_autosave(teacher_client, student,
                                                             empty_quiz, client):
    from quizzes.models import Attempt, Response

    text = "<p>Capital {1:SA:=Paris} has {1:NM:=2.1:0.1} M people; {1:MCV:=yes~no}</p>"
    xml = CLOZE_XML.replace("{name}", "Page").replace("{text}", text)
    assert post_file(teacher_client, "p.xml", xml, quiz="units").status_code == 201
    client.force_login(student)
    client.post(reverse("quizzes:start", args=["mini", "units"]))
    attempt = Attempt.objects.get(user=student)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    response = Response.objects.get(attempt=attempt)
    prefix = f"s{response.slot_id}-"
    assert f'name="{prefix}sub-1"' in page and 'type="radio"' in page
    yes = response.layout["orders"]["3"].index(0)
    saved = client.post(reverse("quizzes:autosave", args=[attempt.pk, response.slot_id]),
                        {f"{prefix}sub-1": "paris", f"{prefix}sub-2": "2,05",
                         f"{prefix}sub-3": str(yes), f"{prefix}sequence": "0"},
                        HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    response.refresh_from_db()
    assert response.answer == {"answers": {"1": "paris", "2": "2,05", "3": "yes"}}


def test_cloze_live_preview_in_the_editor(teacher_client):
    url = reverse("bank:question-preview", args=["mini"])
    fields = {"qtype": "cloze", "name": "P", "stem": "", "text_format": "html",
              "default_mark": "1", "d-cloze": "Capital {1:MC:=Paris~Lyon}"}
    page = teacher_client.post(url, fields).content.decode()
    assert "<select" in page and "Lyon" in page and "Paris" in page
    broken = teacher_client.post(url, {**fields, "d-cloze": "Capital {1:MC:=Paris"})
    assert "no closing" in broken.content.decode()


def test_a_gift_update_keeps_the_files_and_moodle_settings_gift_cannot_carry(teacher_client):
    xml = RICH_XML.replace("<name><text>Pick</text></name>",
                           "<name><text>Pick</text></name><idnumber>pick</idnumber>")
    assert post_file(teacher_client, "rich.xml", xml).status_code == 201
    before = latest("Pick")
    gift_text = ("$CATEGORY: $course$/top/Moodle/Week 1\n\n"
                 "// [id:pick]\n::Pick::[html]Which now?{=Right ~Wrong}\n")
    body = post_file(teacher_client, "u.gift", gift_text).json()
    assert [i["name"] for i in body["updated"]] == ["Pick"]
    after = latest("Pick")
    assert after.number == before.number + 1
    assert after.extras == before.extras and after.extras["combined_feedback"]
    assert [f.name for f in after.files.all()] == ["old_pic.png"]
