"""The lessons cover what the course's own notes covered thinly, and week 9 recaps week 7's
GANs instead of teaching them twice."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from tests.course_pages import (
    COURSE,
    article,
    lesson_html,
    load_and_log_in,
    plain_text,
    sections_about,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def genai_student(make_user, enrol, client):
    return load_and_log_in(make_user, enrol, client)


def links(client, slug: str) -> set[str]:
    page = article(lesson_html(client, slug))
    return {urljoin(f"/courses/{COURSE}/lessons/{slug}/", h)
            for h in re.findall(r'href="([^"]+)"', page)}


def lesson_url(slug: str) -> str:
    return f"/courses/{COURSE}/lessons/{slug}/"


def test_text_gans_are_taught_side_by_side(genai_student):
    text = plain_text(article(lesson_html(genai_student, "gan-applications-2")))
    for name in ("TextGAN", "SeqGAN", "LeakGAN"):
        assert text.count(name) >= 2, name
    assert "soft-argmax" in text and "관리자" in text and "몬테카를로" in text


def test_human_feedback_roles_steps_and_advantages(genai_student):
    page = article(lesson_html(genai_student, "rlhf"))
    (roles,) = sections_about(page, "역할")
    for role in ("시범자", "평가자", "교정자", "사용자"):
        assert role in roles
    assert "이점" in roles
    assert "모델 상호작용 → 사람의 피드백 입력" in plain_text(page)


def test_fake_detection_names_the_context_challenge(genai_student):
    (section,) = sections_about(article(lesson_html(genai_student, "fake-detection-2")), "문맥")
    assert "맥락" in section and "자연어 이해" in section


def test_week9_recaps_week7s_gans_and_links_back(genai_student):
    style = links(genai_student, "style-generation")
    assert {lesson_url("gan-applications-1"), lesson_url("gan-applications-2")} <= style
    (recap,) = sections_about(article(lesson_html(genai_student, "style-generation")), "다시 보기")
    assert "7주차" in recap
    # The mapping network's steps are taught once, in week 7.
    assert "매핑 네트워크(8층 MLP)" not in plain_text(
        article(lesson_html(genai_student, "style-generation")))
    face_lab = links(genai_student, "celebrity-face-lab")
    assert lesson_url("generative-architectures") in face_lab
    for url in style | face_lab:
        if url.startswith(f"/courses/{COURSE}/lessons/"):
            assert genai_student.get(url).status_code == 200, url


def test_legal_and_library_claims_say_when_they_held(genai_student):
    lab = plain_text(article(lesson_html(genai_student, "art-generation-lab")))
    assert "2025년 말 기준" in lab and "2026년 1월 시행" in lab and "torchvision 0.13" in lab
    law = [s for s in re.split(r"(?<=[.다])\s", plain_text(
        article(lesson_html(genai_student, "gan-applications-2")))) if "성폭력처벌법" in s]
    assert law and all("기준" in s or "2020년" in s for s in law), law
    hub = plain_text(article(lesson_html(genai_student, "applications")))
    assert "2025년 기준" in hub and "PyTorch" in hub and "TensorFlow" in hub
