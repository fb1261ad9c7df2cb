"""The shipped quizzes, reviewed as a student sees them: every "Read the lesson" link leads to a
lesson that teaches the words the item relies on, and the items say what the lessons say."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.course_pages import COURSE, PACK, article, lesson_html, load_and_log_in, plain_text

pytestmark = pytest.mark.django_db

QUIZ_FILES = sorted((PACK / "quizzes").glob("*.yaml"))
LESSON_SESSIONS = {}  # "week07/gan-principle" -> (7, 1)
for _path in sorted(PACK.glob("week*/*.md")):
    _front = yaml.safe_load(_path.read_text().split("---")[1])
    LESSON_SESSIONS[f"{_path.parent.name}/{_front['slug']}"] = (int(_path.parent.name[4:]),
                                                                _front["session"])


@pytest.fixture
def genai_student(make_user, enrol, client):
    return load_and_log_in(make_user, enrol, client)


def reviewed(client, quiz: dict) -> dict[str, str]:
    """Start the quiz, submit it unanswered; the review's question sections by item key."""
    from courses.rendering import render_markdown

    started = client.post(f"/courses/{COURSE}/quizzes/{quiz['slug']}/start/")
    assert started.status_code == 302, started.content[:500]
    attempt = started["Location"].strip("/").split("/")[-1]
    client.post(f"/attempts/{attempt}/submit/")
    review = client.get(f"/attempts/{attempt}/review/")
    assert review.status_code == 200
    sections = re.findall(r'<section class="question review.*?</section>',
                          review.content.decode(), re.S)
    assert len(sections) == len(quiz["questions"])
    by_key = {}
    for item in quiz["questions"]:  # an item is known by its stem (the order may be shuffled)
        stem = plain_text(render_markdown(item["stem"]))[:40]
        (section,) = [s for s in sections if stem in plain_text(s)]
        by_key[item["key"]] = section
    return by_key


def test_every_review_link_leads_to_a_lesson_that_teaches_the_items_terms(genai_student):
    checked = 0
    for path in QUIZ_FILES:
        quiz = yaml.safe_load(path.read_text())
        sections = reviewed(genai_student, quiz)
        for item in quiz["questions"]:
            section = sections[item["key"]]
            links = re.findall(rf'href="/courses/{COURSE}/lessons/([a-z0-9-]+)/"', section)
            if not item.get("lesson"):
                assert links == [] and "terms" not in item, item["key"]
                continue
            assert item.get("terms"), f"{item['key']} names the terms its lesson must teach"
            assert links == [item["lesson"].split("/")[1]], item["key"]
            lesson = plain_text(article(lesson_html(genai_student, links[0]))).casefold()
            missing = [t for t in item["terms"] if t.casefold() not in lesson]
            assert missing == [], f"{item['key']} links {item['lesson']}"
            # The explanation's closing pointer ("→ 7주차 3차시 …") names the same lesson.
            pointer = re.search(r"→ (\d+)주차 (\d+)차시", item["explanation"])
            assert pointer, item["key"]
            assert tuple(map(int, pointer.groups())) == LESSON_SESSIONS[item["lesson"]], \
                item["key"]
            checked += 1
    assert checked >= 25


def _section(client, quiz_file: str, key: str) -> str:
    quiz = yaml.safe_load((PACK / "quizzes" / quiz_file).read_text())
    return plain_text(reviewed(client, quiz)[key])


def test_the_discriminator_item_does_not_teach_detaching_it_as_a_detector(genai_student):
    text = _section(genai_student, "week09.yaml", "w09-q6")
    assert "떼어 내 탐지기로 씁니다" not in text
    assert "가짜 탐지기로 쓰입니다" not in text and "가짜 탐지 모델로 활용할 수 있습니다" not in text
    assert "그대로 탐지기로 쓰면 잘 되지 않습니다" in text


def test_the_captioning_item_teaches_cross_attention_as_the_lessons_do(genai_student):
    text = _section(genai_student, "week10.yaml", "w10-q5")
    assert "텍스트 임베딩을 이미지 임베딩과 연결해 self-attention을 학습합니다" not in text
    assert "교차 어텐션" in text
