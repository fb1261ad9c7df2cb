"""The question-type templates are written in one source language (English msgids), and the
Korean catalog gives the Korean page the words it has always shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("django")
from django.utils import translation  # noqa: E402
from test_qt_templates import RESPONSES, render  # noqa: E402

from quizzes import qtypes  # noqa: E402

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "quizzes" / "qtypes"
HANGUL = re.compile("[\uac00-\ud7a3]")
#: (type, review?, words the Korean page shows, the same words on the English page)
PAGES = [
    ("cloze", False, ["빈칸에 답하세요", "빈칸 1", "고르세요…"],
     ["Fill in the blanks", "Blank 1", "Choose…"]),
    ("cloze", True, ["정답:", "오답"], ["Right answer:", "Incorrect"]),
    ("essay", False, ["답안을 쓰세요", ">답안<"], ["Write your answer", ">Answer<"]),
    ("essay", True, ["학생의 답안", "3단어", "채점을 기다리는 중입니다."],
     ["Student's answer", "3 words", "Waiting to be graded."]),
    ("numerical", False, ["수를 입력하세요", ">답<"], ["Enter a number", ">Answer<"]),
    ("true_false", True, ["참인지 거짓인지 고르세요", "내가 고른 답"],
     ["Choose true or false", "your answer"]),
    ("select_missing_words", False, ["빈칸에 알맞은 말을 고르세요", "빈칸 2"],
     ["Choose the right word for each blank", "Blank 2"]),
    ("single_choice", False, ["답을 하나 고르세요"], ["Choose one answer"]),
    ("multiple_response", False, ["맞는 답을 모두 고르세요"], ["Choose all correct answers"]),
    ("matching", False, ["각 항목에 맞는 답을 고르세요"],
     ["Choose the matching answer for each item"]),
    ("short_answer", False, ["답을 입력하세요"], ["Type your answer"]),
]


def test_no_template_of_a_question_type_has_a_korean_msgid():
    for path in TEMPLATES.glob("*.html"):
        for tag in re.findall(r"{% (?:translate|blocktranslate).*?%}.*?(?:{% endblocktranslate"
                              r" %}|$)", path.read_text(encoding="utf-8"), re.M):
            assert not HANGUL.search(tag), f"{path.name}: {tag[:80]}"


@pytest.mark.parametrize(("name", "review", "korean", "english"), PAGES)
def test_the_korean_page_reads_as_before_and_the_english_page_in_english(
        name, review, korean, english):
    assert name in qtypes.TYPES
    response = RESPONSES[name]
    with translation.override("ko"):
        html = render(name, review=review, response=response)
    for words in korean:
        assert words in html, (name, words)
    with translation.override("en"):
        html = render(name, review=review, response=response)
    for words in english:
        assert words in html, (name, words)
