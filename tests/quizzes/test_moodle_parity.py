"""Moodle parity through the import API, as a teacher uses it: what Moodle accepts imports
whole, what it refuses stores nothing, and nothing is dropped without a warning.

Each expectation names the Moodle code or test it comes from (moodle/moodle,
question/format/gift/format.php, question/format/xml/format.php, question/format.php,
question/type/numerical/question.php).
"""

from __future__ import annotations

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
