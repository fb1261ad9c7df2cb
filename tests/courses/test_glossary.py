"""One terminology: a Korean-English glossary page that every lesson links to, whose
non-preferred variants occur nowhere else in the lessons or quizzes."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
import yaml

from tests.course_pages import (
    COURSE,
    PACK,
    article,
    lesson_html,
    load_and_log_in,
    plain_text,
    without_widgets,
)

pytestmark = pytest.mark.django_db

GLOSSARY = "glossary"
LESSON_SLUGS = [yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1])["slug"]
                for p in sorted(PACK.glob("week*/*.md"))]
QUIZ_TEXT_FIELDS = ("stem", "text", "explanation", "feedback", "feedback_true", "feedback_false",
                    "prompt", "answer")


@pytest.fixture
def genai_student(make_user, enrol, client):
    return load_and_log_in(make_user, enrol, client)


def glossary_rows(client) -> list[tuple[str, str, list[str]]]:
    """(preferred term, English, variants) for each row of the glossary page's table."""
    page = article(lesson_html(client, GLOSSARY))
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [plain_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) == 4:
            variants = [v.strip() for v in cells[2].split(",") if v.strip()]
            rows.append((cells[0], cells[1], variants))
    return rows


def quiz_strings(value, *, skip_variant_answers: set[str]):
    """Every student-facing string of a quiz item, except a short-answer answer that accepts a
    variant on purpose (a student may type it) and that answer's feedback."""
    if isinstance(value, dict):
        if value.get("text") in skip_variant_answers and "fraction" in value:
            return
        for key, inner in value.items():
            if key in ("key", "lesson", "terms", "type"):
                continue
            yield from quiz_strings(inner, skip_variant_answers=skip_variant_answers)
    elif isinstance(value, list):
        for inner in value:
            yield from quiz_strings(inner, skip_variant_answers=skip_variant_answers)
    elif isinstance(value, str):
        yield value


def test_every_lesson_links_the_glossary(genai_student):
    glossary_url = f"/courses/{COURSE}/lessons/{GLOSSARY}/"
    assert genai_student.get(glossary_url).status_code == 200
    for slug in LESSON_SLUGS:
        if slug == GLOSSARY:
            continue
        hrefs = re.findall(r'href="([^"]+)"', article(lesson_html(genai_student, slug)))
        targets = {urljoin(f"/courses/{COURSE}/lessons/{slug}/", h) for h in hrefs}
        assert glossary_url in targets, slug


def test_the_glossarys_variants_occur_nowhere_else(genai_student):
    rows = glossary_rows(genai_student)
    variants = {v for _, _, vs in rows for v in vs}
    assert {"생성기", "판별기", "내쉬 균형", "스타일 전송", "노이즈", "스트라이드", "캡셔닝"} <= variants
    lesson_texts = {}
    for slug in LESSON_SLUGS:
        if slug != GLOSSARY:
            lesson_texts[slug] = plain_text(without_widgets(
                article(lesson_html(genai_student, slug))))
    for slug, text in lesson_texts.items():
        found = sorted(v for v in variants if v in text)
        assert found == [], f"lesson {slug} uses {found}; write the glossary's term instead"
    for path in sorted((PACK / "quizzes").glob("*.yaml")):
        quiz = yaml.safe_load(path.read_text(encoding="utf-8"))
        for strings in [quiz.get("title", ""), quiz.get("intro", "")]:
            assert not [v for v in variants if v in strings], path.name
        for item in quiz["questions"]:
            if item.get("lesson") == f"week08/{GLOSSARY}":
                continue  # the glossary's own self-check names the variants on purpose
            skip = variants if item["type"] == "short_answer" else set()
            for text in quiz_strings(item, skip_variant_answers=skip):
                found = sorted(v for v in variants if v in text)
                assert found == [], f"{path.name} {item['key']} uses {found}"
    # Each preferred term is in use.
    every_lesson = " ".join(lesson_texts.values())
    for term, _english, vs in rows:
        if vs:
            assert term in every_lesson, term
