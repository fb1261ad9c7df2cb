"""The results page's item statistics read naturally for every question type, in Korean."""

import html
import re

import pytest
from django.urls import reverse

from quizzes import services

from .conftest import RIGHT, WRONG, answer_all

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def detail(text: str, name: str) -> str:
    """The text of one item's detail section (from its heading to the next item's)."""
    start = text.index(f". {name} ")
    end = text.find(" How often", start + 1)
    nxt = re.search(r" \d+\. \S", text[start + 40:])
    return text[start:start + 40 + nxt.start()] if nxt else text[start:end + 2000]


@pytest.fixture
def results_page(client, quiz, make_user, enrol, mini_course, teacher):
    for n, answers in enumerate((RIGHT, WRONG, RIGHT)):
        user = make_user(f"s{n}")
        enrol(user, mini_course, "student")
        attempt = services.attempt_start(user=user, quiz=quiz)
        answer_all(attempt, answers)
        services.attempt_submit(attempt=attempt)
    client.force_login(teacher)
    response = client.get(reverse("quizzes:results", args=[mini_course.slug, quiz.slug]),
                          HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200
    return response


def rows(response, position):
    section = re.search(rf'<section class="item-detail" id="item-{position}".*?</section>',
                        response.content.decode(), re.S).group(0)
    heading = re.search(r"<h3[^>]*>(.*?)</h3>", section, re.S).group(1)
    body = [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", section.split("<tbody>")[1], re.S)]
    return html.unescape(re.sub(r"<[^>]+>", "", heading)), body


def test_select_missing_words_rows_name_the_gap_and_the_word(results_page, quiz):
    position = quiz.slots.get(question__key="m-q7").position
    heading, body = rows(results_page, position)
    assert "select_missing_words" not in heading and "(빈칸 고르기)" in heading
    labels = {row[0]: row for row in body}
    # Two students put 생성자 in gap 1 (the key), one put 판별자.
    assert labels["빈칸 1: 생성자"][1:3] == ["✓ 정답", "2"]
    assert labels["빈칸 1: 판별자"][1:3] == ["", "1"]
    assert not any(re.fullmatch(r"\d+:.*", row[0]) for row in body), body


def test_matching_rows_name_the_prompt_and_mark_the_key(results_page, quiz):
    position = quiz.slots.get(question__key="m-q6").position
    heading, body = rows(results_page, position)
    assert "matching" not in heading and "(연결형)" in heading
    labels = {row[0]: row for row in body}
    assert labels["BERT → 인코더"][1:3] == ["✓ 정답", "2"]
    assert labels["BERT → 디코더"][1:3] == ["", "1"]
    assert labels["GPT → 디코더"][1] == "✓ 정답"


def test_true_false_and_type_codes_are_translated(results_page, quiz):
    text = page_text(results_page)
    for code in ("single_choice", "multiple_response", "true_false", "short_answer",
                 "numerical", "True", "False"):
        assert f"({code})" not in text and f" {code} " not in text, code
    position = quiz.slots.get(question__key="m-q3").position
    heading, body = rows(results_page, position)
    assert "(참/거짓)" in heading
    assert {row[0] for row in body} == {"참", "거짓"}


def test_one_submitted_attempt_is_counted_in_the_singular_in_english(
        client, quiz, student, teacher):
    """The first attempt of a class read "1 submitted attempts." on the English page."""
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, RIGHT)
    services.attempt_submit(attempt=attempt)
    client.force_login(teacher)
    url = reverse("quizzes:results", args=["mini", quiz.slug])
    assert "1 submitted attempt. " in page_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "제출된 시도 1개." in page_text(client.get(url, HTTP_ACCEPT_LANGUAGE="ko"))
