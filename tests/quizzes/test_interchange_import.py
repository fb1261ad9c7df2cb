"""Import through the service, the page, the API and the command: atomicity, re-import
(created / updated / unchanged), the size limit, refused entities, Korean files."""

from __future__ import annotations

from io import StringIO
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from config.errors import ApplicationError
from quizzes import interchange, services
from quizzes.models import Category, Question, QuestionVersion, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), whatever Korean translations exist."""
    settings.LANGUAGE_CODE = "en"

GOOD_GIFT = """\
$CATEGORY: $course$/top/가져오기/1주차

// [id:k-gan] [tag:GAN]
::GAN 생성자::GAN에서 가짜 이미지를 만드는 것은? {
\t=생성자#맞습니다.
\t~판별자#판별자는 구별합니다.
}

// [id:k-tf]
::참거짓::BERT는 양방향 인코더이다. {TRUE}

// [id:k-num]
::출력 크기::입력 32, 커널 5, 패딩 2의 출력 크기는? {#32:0}
"""

BAD_LATE = GOOD_GIFT + """
::망가진 문제::닫는 괄호가 없습니다 {
=하나
~둘
"""


def importing(course, text: str, **kwargs) -> interchange.ImportReport:
    return interchange.questions_import(course=course, content=text.encode("utf-8"),
                                       filename=kwargs.pop("filename", "quiz.gift"), **kwargs)


def counts() -> tuple[int, int, int]:
    return Question.objects.count(), QuestionVersion.objects.count(), Category.objects.count()


def test_gift_import_creates_nested_categories_tags_and_keys(mini_course):
    report = importing(mini_course, GOOD_GIFT)
    assert [i.name for i in report.created] == ["GAN 생성자", "참거짓", "출력 크기"]
    assert report.updated == report.unchanged == report.skipped == []
    question = Question.objects.get(course=mini_course, key="k-gan")
    assert question.category.path == "가져오기/1주차"
    assert question.category.parent.name == "가져오기"
    assert question.tags == ["GAN"]
    assert question.latest_version().data["choices"][0] == {
        "text": "생성자", "fraction": 1.0, "feedback": "맞습니다."}
    assert "3 created, 0 updated, 0 unchanged, 0 skipped" in report.lines()[0]


def test_a_bad_question_late_in_the_file_stores_nothing(mini_course):
    before = counts()
    with pytest.raises(ApplicationError) as caught:
        importing(mini_course, BAD_LATE)
    assert caught.value.code == "invalid_file"
    assert "line 15: question '망가진 문제'" in caught.value.message
    assert "Nothing was imported" in caught.value.message
    assert counts() == before


def test_a_database_failure_midway_rolls_everything_back(mini_course):
    before = counts()
    real = services.question_create
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    with mock.patch.object(services, "question_create", failing), \
            pytest.raises(RuntimeError):
        importing(mini_course, GOOD_GIFT)
    assert len(calls) == 3
    assert counts() == before


def test_reimport_reports_unchanged_and_updated(mini_course):
    importing(mini_course, GOOD_GIFT)
    again = importing(mini_course, GOOD_GIFT)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 3)
    assert Question.objects.filter(course=mini_course, key__startswith="k-").count() == 3
    changed = GOOD_GIFT.replace("=생성자#맞습니다.", "=생성자#정답입니다.")
    third = importing(mini_course, changed)
    assert [i.key for i in third.updated] == ["k-gan"]
    assert [i.key for i in third.unchanged] == ["k-tf", "k-num"]
    question = Question.objects.get(key="k-gan")
    assert question.versions.count() == 2
    assert question.latest_version().data["choices"][0]["feedback"] == "정답입니다."
    assert third.updated[0].version == 2
    # A new name alone updates the question in place, without a version.
    renamed = importing(mini_course, changed.replace("::참거짓::", "::참 거짓::"))
    assert [i.key for i in renamed.updated] == ["k-tf"]
    assert Question.objects.get(key="k-tf").versions.count() == 1
    assert Question.objects.get(key="k-tf").name == "참 거짓"


def test_reimport_matches_an_existing_pack_question_by_key(mini_course):
    original = Question.objects.get(course=mini_course, key="m-q3")
    text = "// [id:m-q3]\n::바뀐 문제::BERT는 위치 임베딩을 학습한다. {FALSE}\n"
    report = importing(mini_course, text)
    assert [i.question_id for i in report.updated] == [original.pk]
    assert original.latest_version().data["correct"] is False


def test_duplicate_idnumber_in_one_file_imports_both_with_a_warning(mini_course):
    # Moodle's qformat_default::importprocess() clears an idnumber already used in the
    # category and imports the question anyway.
    text = "// [id:dup]\n::하나::첫째 {TRUE}\n\n// [id:dup]\n::둘::둘째 {FALSE}\n"
    report = importing(mini_course, text)
    assert [(i.name, i.key) for i in report.created] == [("하나", "dup"), ("둘", "")]
    assert any("already used" in w for w in report.warnings)


def test_data_our_types_refuse_stores_nothing(mini_course):
    before = counts()
    text = "::좋은 문제::참인가? {T}\n\n::나쁜 문제::답이 비었다 {#1..x}\n"
    with pytest.raises(ApplicationError) as caught:
        importing(mini_course, text)
    assert caught.value.code == "invalid_file" and "나쁜 문제" in caught.value.message
    assert counts() == before


def test_size_limit(mini_course, settings):
    settings.QUESTION_IMPORT_MAX_BYTES = 100
    with pytest.raises(ApplicationError) as caught:
        importing(mini_course, GOOD_GIFT)
    assert caught.value.code == "file_too_large" and caught.value.status_code == 413
    assert not Question.objects.filter(key__startswith="k-").exists()


def test_size_limit_default_is_ten_megabytes(settings):
    from django.conf import settings as live

    assert live.QUESTION_IMPORT_MAX_BYTES == 10 * 1024 * 1024


def test_entities_are_refused(mini_course):
    xml = ('<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x "boom">]>'
           '<quiz><question type="truefalse"><name><text>&x;</text></name>'
           '<questiontext><text>t</text></questiontext>'
           '<answer fraction="100"><text>true</text></answer>'
           '<answer fraction="0"><text>false</text></answer></question></quiz>')
    before = counts()
    with pytest.raises(ApplicationError) as caught:
        interchange.questions_import(course=mini_course, content=xml.encode(), filename="x.xml")
    assert "entities are not allowed" in caught.value.message
    assert counts() == before


def test_html_is_sanitised_on_import(mini_course):
    xml = ('<?xml version="1.0"?><quiz><question type="truefalse"><name><text>XSS</text></name>'
           '<questiontext format="html"><text><![CDATA[<p onclick="x()">Hi'
           '<script>alert(1)</script><img src="@@PLUGINFILE@@/a.png" onerror="x()"></p>]]>'
           '</text></questiontext>'
           '<answer fraction="100"><text>true</text><feedback><text><![CDATA['
           '<a href="javascript:x()">yes</a>]]></text></feedback></answer>'
           '<answer fraction="0"><text>false</text></answer></question></quiz>')
    interchange.questions_import(course=mini_course, content=xml.encode(), filename="x.xml")
    version = Question.objects.get(name="XSS").latest_version()
    assert "script" not in version.stem and "onclick" not in version.stem
    assert "onerror" not in version.stem and 'src="@@PLUGINFILE@@/a.png"' in version.stem
    assert "javascript" not in version.data["feedback_true"]


def test_import_into_a_quiz_adds_slots(mini_course):
    from quizzes import authoring

    quiz = authoring.quiz_create(course=mini_course, title="가져온 퀴즈")
    report = importing(mini_course, GOOD_GIFT, quiz=quiz)
    assert report.quiz == quiz.slug
    assert [s.question.key for s in Slot.objects.filter(quiz=quiz).order_by("position")] == [
        "k-gan", "k-tf", "k-num"]
    importing(mini_course, GOOD_GIFT, quiz=quiz)  # again: no duplicate slots
    assert quiz.slots.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_imports_creating_one_new_idnumber_at_once_both_succeed(mini_course):
    """Two teachers import files that bring the same new idnumber into one course at the same
    time: both looked it up, found nothing and created it; the second insert waited for the
    first import's transaction and then failed on the unique key (a 500), after the rest of
    its file had been written and rolled back. It is matched instead, as if the imports had run
    one after the other: the first creates the question, the second gives it a new version."""
    import threading

    from django.db import connection

    from .races import paused_in_transaction, run_then_release

    services.category_get_or_create_path(course=mini_course, path=("동시",))
    first = "$CATEGORY: $course$/top/동시\n\n// [id:k-race]\n::경주::첫 파일 {TRUE}\n"
    second = ("$CATEGORY: $course$/top/동시\n\n// [id:k-other]\n::다른 문제::둘째 {FALSE}\n\n"
              "// [id:k-race]\n::경주::둘째 파일 {FALSE}\n")
    errors: list = []
    reports: list = []

    def import_second():
        try:
            reports.append(importing(mini_course, second))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    paused, _reached, go = paused_in_transaction(
        lambda: reports.append(importing(mini_course, first)), errors)
    run_then_release(threading.Thread(target=import_second), go, paused)
    assert not errors, errors
    assert len(reports) == 2 and [i.key for i in reports[0].created] == ["k-race"]
    question = Question.objects.get(course=mini_course, key="k-race")
    assert [(i.key, i.version) for i in reports[1].updated] == [("k-race", 2)]
    assert [i.key for i in reports[1].created] == ["k-other"]
    assert question.latest_version().stem == "둘째 파일"
    assert QuestionVersion.objects.filter(question=question).count() == 2


# --- the page, the API and the command --------------------------------------------------------


def test_import_page_shows_the_report(client, teacher, mini_course):
    client.force_login(teacher)
    upload = SimpleUploadedFile("week.gift", GOOD_GIFT.encode("utf-8"))
    page = client.post(reverse("bank:import", args=["mini"]), {"file": upload})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="import-report"' in html and "GAN 생성자" in html
    assert Question.objects.filter(key="k-gan").exists()


def test_import_page_shows_format_errors_and_stores_nothing(client, teacher, mini_course):
    client.force_login(teacher)
    before = counts()
    upload = SimpleUploadedFile("bad.gift", BAD_LATE.encode("utf-8"))
    page = client.post(reverse("bank:import", args=["mini"]), {"file": upload})
    assert page.status_code == 400
    assert 'id="import-error"' in page.content.decode()
    assert counts() == before


def test_import_page_refuses_big_files(client, teacher, mini_course, settings):
    settings.QUESTION_IMPORT_MAX_BYTES = 50
    client.force_login(teacher)
    upload = SimpleUploadedFile("big.gift", GOOD_GIFT.encode("utf-8"))
    page = client.post(reverse("bank:import", args=["mini"]), {"file": upload})
    assert page.status_code == 413


def test_import_api(client, teacher, mini_course, settings):
    client.force_login(teacher)
    url = reverse("api-questions-import", args=["mini"])
    upload = SimpleUploadedFile("week.gift", GOOD_GIFT.encode("utf-8"))
    response = client.post(url, {"file": upload, "category": "Course pack"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["key"] for i in body["created"]] == ["k-gan", "k-tf", "k-num"]
    assert body["created"][0]["category"] == "Course pack/가져오기/1주차"
    bad = client.post(url, {"file": SimpleUploadedFile("bad.gift", BAD_LATE.encode())})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_file"
    settings.QUESTION_IMPORT_MAX_BYTES = 10
    big = client.post(url, {"file": SimpleUploadedFile("w.gift", GOOD_GIFT.encode())})
    assert big.status_code == 413 and big.json()["error"]["code"] == "file_too_large"


def test_import_command_with_a_korean_gift_file(mini_course, tmp_path):
    path = tmp_path / "한국어-퀴즈.gift"
    path.write_text(GOOD_GIFT, encoding="utf-8")
    out = StringIO()
    call_command("import_questions", str(path), course="mini", stdout=out)
    text = out.getvalue()
    assert "3 created, 0 updated, 0 unchanged, 0 skipped" in text
    assert "GAN 생성자" in text and "[가져오기/1주차]" in text
    out = StringIO()
    call_command("import_questions", str(path), "--course", "mini", "--format", "gift",
                 stdout=out)
    assert "0 created, 0 updated, 3 unchanged" in out.getvalue()


def test_import_command_errors(mini_course, tmp_path):
    bad = tmp_path / "bad.gift"
    bad.write_text(BAD_LATE, encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match="unterminated answer block"):
        call_command("import_questions", str(bad), course="mini")
    assert counts() == before
    with pytest.raises(CommandError, match="No course"):
        call_command("import_questions", str(bad), course="nope")
    with pytest.raises(CommandError, match="no category"):
        call_command("import_questions", str(bad), course="mini", category="없는/분류")


# A category name or an embedded file's name the database columns cannot hold was sent to the
# database, which failed with a server error (PostgreSQL: "value too long", "cannot contain
# NUL"); now it is refused by name and nothing is stored.

_TF_XML = ('<question type="truefalse"><name><text>참거짓</text></name>'
           '<questiontext format="html"><text><![CDATA[<p>맞나요? {img}</p>]]></text>{file}'
           '</questiontext><answer fraction="100"><text>true</text></answer>'
           '<answer fraction="0"><text>false</text></answer></question>')


@pytest.mark.parametrize("fmt, text", [
    ("gift", "$CATEGORY: $course$/top/" + "가" * 201 + "\n\n::q::맞나요? {TRUE}\n"),
    ("gift", "$CATEGORY: 1주차\x00복습\n\n::q::맞나요? {TRUE}\n"),
    ("moodle-xml", '<?xml version="1.0" encoding="UTF-8"?><quiz><question type="category">'
                   "<category><text>$course$/top/" + "a" * 201 + "</text></category></question>"
     + _TF_XML.format(img="", file="") + "</quiz>"),
])
def test_a_category_name_the_column_cannot_hold_is_refused_by_name(mini_course, fmt, text):
    before = counts()
    with pytest.raises(ApplicationError) as refused:
        interchange.questions_import(course=mini_course, content=text.encode("utf-8"), fmt=fmt)
    assert refused.value.status_code == 400
    assert "category name" in refused.value.message and "200" in refused.value.message
    assert counts() == before


def test_an_embedded_file_name_longer_than_the_column_is_refused_by_name(mini_course):
    name = "그림" * 100 + ".png"  # 204 characters, in a 60-character folder
    folder = "/" + "d" * 60 + "/"
    text = ('<?xml version="1.0" encoding="UTF-8"?><quiz>' + _TF_XML.format(
        img=f'<img src="@@PLUGINFILE@@{folder}{name}">',
        file=f'<file name="{name}" path="{folder}" encoding="base64">aGVsbG8=</file>')
        + "</quiz>")
    before = counts()
    with pytest.raises(ApplicationError) as refused:
        interchange.questions_import(course=mini_course, content=text.encode("utf-8"),
                                     fmt="moodle-xml")
    assert refused.value.status_code == 400
    assert "file name" in refused.value.message and "255" in refused.value.message
    assert counts() == before


def test_the_page_and_the_apis_refuse_a_long_category_name(client, teacher, mini_course):
    client.force_login(teacher)
    gift = ("$CATEGORY: " + "가" * 201 + "\n\n::q::맞나요? {TRUE}\n").encode("utf-8")
    before = counts()
    page = client.post(reverse("bank:import", args=["mini"]),
                       {"file": SimpleUploadedFile("long.gift", gift)})
    assert page.status_code == 400 and 'id="import-error"' in page.content.decode()
    api = client.post(reverse("api-questions-import", args=["mini"]),
                      {"file": SimpleUploadedFile("long.gift", gift)})
    assert api.status_code == 400 and api.json()["error"]["code"] == "invalid_category"
    created = client.post(f"/api/courses/{mini_course.slug}/questions/", {
        "name": "n", "category": "Week 6/" + "x" * 201, "qtype": "true_false", "stem": "s",
        "data": {"correct": True}}, content_type="application/json")
    assert created.status_code == 400 and created.json()["error"]["code"] == "invalid_category"
    assert counts() == before


def test_a_line_break_in_a_category_name_becomes_a_space_so_its_questions_export(mini_course):
    """A Moodle XML category path with a line break (a wrapped line) made a category whose
    questions neither export could write (a path cannot carry a line break): they were left out
    of every export. The name is stored as the category form stores names: one space."""
    text = ('<?xml version="1.0" encoding="UTF-8"?><quiz><question type="category"><category>'
            "<text>$course$/top/1주차\n  복습</text></category></question>"
            + _TF_XML.format(img="", file="") + "</quiz>")
    report = interchange.questions_import(course=mini_course, content=text.encode("utf-8"),
                                          fmt="moodle-xml")
    assert report.categories == ["1주차 복습"]
    category = Category.objects.get(course=mini_course, name="1주차 복습")
    for fmt in ("gift", "moodle-xml"):
        exported = interchange.questions_export(course=mini_course, fmt=fmt, category=category)
        assert exported.count == 1 and not exported.skipped
        again = interchange.questions_import(course=mini_course, content=exported.content,
                                             fmt=fmt)
        assert [i.name for i in again.unchanged] == ["참거짓"] and not again.created


def test_matching_questions_without_an_idnumber_makes_no_query_grow_with_the_file(mini_course):
    """Each question without an idnumber was matched by a query excluding every question the
    file had matched so far: a 3,000-question file took a minute to import, and 10,000 (the
    limit) far longer. The category's candidates are now read once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def longest_query(count: int) -> int:
        text = "".join(f"::문항 {i}::{i}번 질문 {{TRUE}}\n\n" for i in range(count))
        importing(mini_course, f"$CATEGORY: 크기 {count}\n\n" + text)
        with CaptureQueriesContext(connection) as queries:
            report = importing(mini_course, f"$CATEGORY: 크기 {count}\n\n" + text)
        assert len(report.unchanged) == count and not report.created
        return max(len(query["sql"]) for query in queries.captured_queries)

    assert longest_query(200) <= longest_query(10)


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml"])
def test_reimporting_an_export_keeps_names_that_look_like_html(mini_course, fmt):
    """The importers strip what looks like an HTML tag from a question name, as Moodle does, so
    a name written in the editor such as "x<y 비교" came back from the course's own export as
    "x": the question was not matched and a copy was created (for questions with an ID, the
    name was changed). Such a name now matches and is kept."""
    from quizzes import authoring

    category = services.category_get_or_create_path(course=mini_course, path=["이름"])
    names = ["x<y 비교", "<b>굵게</b>", "<정답> 고르기"]
    for number, name in enumerate(names):
        authoring.question_save(course=mini_course, category=category, qtype="true_false",
                                stem="맞나요?", data={"correct": True}, name=name,
                                key="with-id" if number == 0 else "")
    before = counts()
    exported = interchange.questions_export(course=mini_course, fmt=fmt, category=category)
    report = interchange.questions_import(course=mini_course, content=exported.content,
                                          fmt=fmt)
    assert len(report.unchanged) == 3 and not report.created and not report.updated
    assert counts() == before
    assert sorted(Question.objects.filter(category=category).values_list("name", flat=True)) \
        == sorted(names)


def test_a_quiz_total_over_the_limit_is_written_in_plain_digits(mini_course):
    """Importing eleven questions worth 1,000 marks into a quiz is refused (10,000 in all at
    most); the message said the quiz "would be worth 1.1E+4"."""
    from quizzes.models import Quiz

    quiz = Quiz.objects.create(course=mini_course, slug="big", title="큰 퀴즈")
    xml = ('<?xml version="1.0" encoding="UTF-8"?><quiz>' + "".join(
        f'<question type="truefalse"><name><text>문항 {i}</text></name>'
        "<questiontext><text>맞나요?</text></questiontext><defaultgrade>1000</defaultgrade>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>' for i in range(11))
        + "</quiz>")
    before = counts()
    with pytest.raises(ApplicationError) as refused:
        interchange.questions_import(course=mini_course, content=xml.encode(),
                                     fmt="moodle-xml", quiz=quiz)
    assert "11000" in refused.value.message and "E+" not in refused.value.message
    assert counts() == before and not quiz.slots.exists()
