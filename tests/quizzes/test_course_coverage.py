"""Every item the original course tested has a counterpart in the shipped quizzes
(docs/course-coverage.md), and where the course's key was disputed the counterpart's review
tells the student so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.course_pages import PACK, load_and_log_in, plain_text
from tests.quizzes.test_course_pack_items import reviewed

pytestmark = pytest.mark.django_db

COVERAGE = Path(__file__).resolve().parents[2] / "docs" / "course-coverage.md"
ORIGINAL_ITEMS = (
    [f"W{week}-Q{n}" for week in (6, 7) for n in range(1, 6)]
    + [f"MID-{n}" for n in range(1, 11)]
    + [f"W{week}-Q{n}" for week in (9, 10) for n in range(1, 6)]
)
DISPUTED = {"W6-Q1", "W6-Q3", "W7-Q4", "MID-8"}


def coverage_rows() -> dict[str, tuple[str, str]]:
    """original item -> (our item key, note), from the table in docs/course-coverage.md."""
    rows = {}
    for line in COVERAGE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"(W\d+-Q\d+|MID-\d+)", cells[0]):
            assert cells[0] not in rows, f"{cells[0]} is listed twice"
            rows[cells[0]] = (cells[2], cells[3])
    return rows


def shipped_items() -> dict[str, tuple[dict, dict]]:
    """item key -> (quiz, item) for every YAML quiz of the pack."""
    items = {}
    for path in sorted((PACK / "quizzes").glob("*.yaml")):
        quiz = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in quiz["questions"]:
            items[item["key"]] = (quiz, item)
    return items


def test_every_original_item_has_a_counterpart_that_links_a_lesson():
    rows = coverage_rows()
    assert sorted(rows) == sorted(ORIGINAL_ITEMS)
    items = shipped_items()
    for original, (key, _note) in rows.items():
        assert key in items, f"{original} maps to {key}, which no quiz holds"
        quiz, item = items[key]
        assert quiz["kind"] in ("weekly", "midterm"), f"{key} is in a graded quiz"
        assert item.get("lesson") and item.get("terms"), f"{key} links the lesson teaching it"


def test_disputed_keys_are_explained_in_the_counterparts_review(make_user, enrol, client):
    client = load_and_log_in(make_user, enrol, client)
    rows = coverage_rows()
    items = shipped_items()
    by_quiz: dict[str, list[str]] = {}
    for original in DISPUTED:
        key, note = rows[original]
        assert "이의" in note, original
        by_quiz.setdefault(items[key][0]["slug"], []).append(key)
    for slug, keys in by_quiz.items():
        quiz = next(q for q, _ in items.values() if q["slug"] == slug)
        sections = reviewed(client, quiz)
        for key in keys:
            text = plain_text(sections[key])
            assert "원 강좌" in text and "이의" in text, key
