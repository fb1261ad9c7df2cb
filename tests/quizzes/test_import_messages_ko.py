"""The import page speaks Korean: format errors, locations, type labels; no repeated message."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


def upload(client, text: str):
    return client.post(reverse("bank:import", args=["mini"]),
                       {"file": SimpleUploadedFile("q.gift", text.encode()), "format": "gift"},
                       HTTP_ACCEPT_LANGUAGE="ko")


def text_of(response) -> str:
    main = response.content.decode().split("<main", 1)[-1]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


@pytest.mark.parametrize("gift, korean", [
    ("::q1:: 2+2? {=4 ~5\n", "줄 1: 문항 'q1': 여기서 연 답 블록 '{'이 닫히지 않았습니다"),
    ("::q1:: 고르세요 {~하나}\n", "줄 1: 문항 'q1': 객관식 문항에는 답이 둘 이상 있어야 합니다"),
    ("::q1:: 짝 {=a b =c -> d}\n", "짝 1 'a b'에 '->'가 없습니다"),
])
def test_gift_errors_are_in_korean_and_said_once(client, teacher, gift, korean):
    client.force_login(teacher)
    response = upload(client, gift)
    page = text_of(response)
    assert response.status_code == 400
    assert korean in page
    assert "line " not in page and "question '" not in page
    assert page.count("가져오지 않았습니다") == 1, page


def test_import_report_names_types_in_korean(client, teacher):
    client.force_login(teacher)
    page = text_of(upload(client, "::tf:: 하늘은 파랗다 {T}\n\n::mc:: 고르세요 {=가 ~나}\n"))
    assert "true_false" not in page and "single_choice" not in page
    assert "참/거짓" in page and "선다형 (답 하나)" in page


def test_a_new_question_without_a_name_is_not_echoed_by_its_latex_stem(client, teacher,
                                                                       mini_course):
    from quizzes.models import Category

    client.force_login(teacher)
    category = Category.objects.filter(course=mini_course).first()
    saved = client.post(reverse("bank:question-new", args=["mini"]), {
        "qtype": "true_false", "name": "", "category": str(category.pk),
        "stem": r"$E_{\text{input}} = \frac{1}{2}$ 인가?", "text_format": "markdown",
        "general_feedback": "", "default_mark": "1", "tags": "", "key": "",
        "d-correct": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="ko")
    message = re.search(r'<ul class="messages">(.*?)</ul>', saved.content.decode(), re.S)[1]
    assert "문항을 만들었습니다" in message
    assert r"\frac" not in message and "E_{" not in message


def test_korean_messages_put_no_particle_after_a_number_or_name(client, teacher, quiz,
                                                               student):
    from quizzes import services
    from quizzes.models import Question

    from .conftest import RIGHT, answer_all

    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, RIGHT)
    services.attempt_submit(attempt=attempt)
    question = Question.objects.get(key="m-q3")
    latest = question.latest_version()
    services.question_version_create(question=question, stem=latest.stem,
                                     data={"correct": False})
    client.force_login(teacher)
    dry = text_of(client.get(reverse("quizzes:regrade", args=["mini", quiz.slug, question.pk]),
                             HTTP_ACCEPT_LANGUAGE="ko"))
    assert "버전 2 기준으로 재채점" in dry
    assert not re.search(r"[0-9](로|으로|은|는|을|를|이|가)\b", dry), dry
    assert "(는)" not in dry and "(를)" not in dry and "(으)로" not in dry


def test_a_korean_xml_file_not_in_utf8_is_refused_in_korean(client, teacher):
    """What to do (save it as UTF-8) is said in Korean, not in expat's English."""
    xml = ('<?xml version="1.0" encoding="EUC-KR"?><quiz><question type="truefalse"><name>'
           "<text>한글</text></name><questiontext><text>맞나요?</text></questiontext></question>"
           "</quiz>").encode("euc-kr")
    client.force_login(teacher)
    page = client.post(reverse("bank:import", args=["mini"]),
                       {"file": SimpleUploadedFile("euc-kr.xml", xml)},
                       HTTP_ACCEPT_LANGUAGE="ko")
    assert page.status_code == 400
    assert "파일의 문자 인코딩을 읽을 수 없습니다" in text_of(page)
    assert "UTF-8로 저장해서 다시 가져오세요" in text_of(page)
