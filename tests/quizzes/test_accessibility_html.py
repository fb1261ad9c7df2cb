"""Accessibility of the served pages, checked in their HTML (and the CSS and script they load),
as a student or a teacher gets them over HTTP: a quiet countdown with a few polite
announcements, a focus ring that can be seen, unique form ids, error pages inside the site,
Korean content marked as Korean, page titles that say where you are, and charts with numbers."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from quizzes.models import Attempt

pytestmark = pytest.mark.django_db


class Tags(HTMLParser):
    """Every start tag as (name, attrs dict), and the text of <title>."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.title = " ".join(tags.title.split())
    return tags


def static_text(path: str) -> str:
    found = finders.find(path)
    assert found, path
    return Path(found).read_text(encoding="utf-8")


def start(client, quiz) -> Attempt:
    response = client.post(reverse("quizzes:start", args=["mini", quiz.slug]))
    assert response.status_code == 302, response.content
    return Attempt.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


# --- the countdown ------------------------------------------------------------------------------


def test_the_visible_timer_is_not_live_and_a_separate_polite_region_announces(client, student,
                                                                              quiz):
    client.force_login(student)
    attempt = start(client, quiz)
    page = parse(client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode())
    timers = [a for t, a in page.tags if "timer" in (a.get("class") or "").split()]
    assert len(timers) == 1
    # The ticking clock is not a live region (a screen reader would read it every second).
    assert "aria-live" not in timers[0] and timers[0].get("role") != "timer"
    regions = [a for t, a in page.tags if a.get("id") == "timer-announcement"]
    assert len(regions) == 1
    region = regions[0]
    assert region.get("aria-live") == "polite" and "visually-hidden" in region.get("class", "")
    # The script announces at thresholds only, politely, and never turns anything assertive.
    script = static_text("js/quiz.js")
    assert "assertive" not in script
    assert "timer-announcement" in script
    thresholds = region.get("data-thresholds", "")
    assert [int(s) for s in thresholds.split()] == [600, 300, 60, 30]


# --- focus ring ---------------------------------------------------------------------------------


def luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_stands_out_on_white_and_on_the_dark_header_and_clears_the_timer():
    css = static_text("css/site.css")
    rule = re.search(r"a:focus-visible[^{]*\{([^}]*)\}", css)
    assert rule, "no focus-visible rule"
    header = re.search(r"\.site-header\s*\{[^}]*background:\s*(#[0-9a-fA-F]{6})", css).group(1)
    colours = re.findall(r"#[0-9a-fA-F]{6}", rule.group(1))
    assert colours, rule.group(1)
    # A two-colour ring (outline plus a contrasting halo) counts if either colour stands out.
    for background in ("#ffffff", header):
        best = max(contrast(c, background) for c in colours)
        assert best >= 3, (background, colours, best)
    # Tabbing back up must not leave the focused control under the sticky timer.
    assert re.search(r"scroll-padding-top\s*:", css) or re.search(r"scroll-margin-top\s*:", css)


# --- bank forms ---------------------------------------------------------------------------------


def test_the_bank_page_has_unique_ids_and_every_select_has_one_label(client, teacher):
    client.force_login(teacher)
    html = client.get(reverse("bank:index", args=["mini"])).content.decode()
    page = parse(html)
    ids = Counter(a["id"] for t, a in page.tags if a.get("id"))
    assert [i for i, n in ids.items() if n > 1] == []
    labels = Counter(a["for"] for t, a in page.tags if t == "label" and a.get("for"))
    for tag, attrs in page.tags:
        if tag == "select":
            assert labels[attrs.get("id")] == 1, attrs


# --- error pages --------------------------------------------------------------------------------


def test_a_students_403_page_is_the_sites_page_translated_with_what_to_do(client, student,
                                                                           quiz):
    client.force_login(student)
    response = client.get(reverse("quizzes:results", args=["mini", quiz.slug]))
    assert response.status_code == 403
    html = response.content.decode()
    page = parse(html)
    assert any(t == "main" for t, a in page.tags)
    assert any(t == "a" and "skip-link" in a.get("class", "") for t, a in page.tags)
    assert '<html lang="ko">' in html
    assert "접근 권한이 없습니다" in page.title
    assert "강좌 목록" in html  # a way on

    client.cookies["django_language"] = "en"
    english = client.get(reverse("quizzes:results", args=["mini", quiz.slug]))
    assert english.status_code == 403
    assert "You do not have access" in english.content.decode()


def test_404_is_the_sites_page_and_the_api_keeps_its_json(client, student):
    client.force_login(student)
    response = client.get("/courses/no-such-course/")
    assert response.status_code == 404
    page = parse(response.content.decode())
    assert any(t == "main" for t, a in page.tags)
    assert "찾을 수 없습니다" in page.title
    api = client.get("/api/courses/no-such-course/quizzes/")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_the_500_page_renders_without_a_request_or_database():
    from django.template import loader

    html = loader.get_template("500.html").render()
    page = parse(html)
    assert any(t == "main" for t, a in page.tags)
    assert page.title


# --- lang="ko" on course content ------------------------------------------------------------------


def english_client(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_korean_content_is_marked_korean_when_the_ui_is_english(client, student, quiz):
    english_client(client, student)
    lesson = client.get(reverse("courses:lesson", args=["mini", "intro"])).content.decode()
    assert '<html lang="en">' in lesson
    assert re.search(r'<div class="lesson-body" lang="ko">', lesson)
    attempt = start(client, quiz)
    html = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert re.search(r'<div class="question-stem" lang="ko">', html)
    # Choices are Korean too.
    assert re.search(r'<label for="[^"]*choice-\d+" lang="ko">', html)
    # A title with an English version is shown in English and not marked Korean.
    assert "Week 1 quiz" in html and '<h1 lang="ko">' not in html


def test_korean_content_carries_no_extra_lang_in_the_korean_ui(client, student):
    client.force_login(student)
    lesson = client.get(reverse("courses:lesson", args=["mini", "intro"])).content.decode()
    assert '<html lang="ko">' in lesson and 'lang="ko"' not in lesson.split("<html", 1)[1][20:]


# --- titles -------------------------------------------------------------------------------------


def test_every_quiz_page_title_names_the_page_and_the_quiz(client, student, quiz):
    client.force_login(student)
    titles = {}
    titles["quiz"] = parse(client.get(reverse("quizzes:quiz", args=["mini", quiz.slug]))
                           .content.decode()).title
    attempt = start(client, quiz)
    titles["attempt"] = parse(client.get(reverse("quizzes:attempt", args=[attempt.pk]))
                              .content.decode()).title
    titles["summary"] = parse(client.post(reverse("quizzes:summary", args=[attempt.pk]))
                              .content.decode()).title
    client.post(reverse("quizzes:submit", args=[attempt.pk]))
    titles["review"] = parse(client.get(reverse("quizzes:review", args=[attempt.pk]))
                             .content.decode()).title
    assert len(set(titles.values())) == len(titles), titles
    for name, title in titles.items():
        assert quiz.title in title, (name, title)
        assert "GenAI" in title or "생성형" in title or "교실" in title, (name, title)


# --- charts -------------------------------------------------------------------------------------


def test_statistics_charts_come_with_their_numbers_as_a_table(client, teacher, student, quiz):
    client.force_login(student)
    attempt = start(client, quiz)
    client.post(reverse("quizzes:submit", args=[attempt.pk]))
    client.force_login(teacher)
    html = client.get(reverse("quizzes:results", args=["mini", quiz.slug])).content.decode()
    tables = re.findall(r'<table class="chart-data">(.*?)</table>', html, re.S)
    assert len(tables) == 3, html.count("<svg")
    histogram = tables[0]
    assert "<caption>" in histogram and "<th scope=\"row\">" in histogram
    # One row per bar, each with its number (the single attempt scored 0: one in the first band).
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', histogram)
    assert len(rows) >= 5 and sum(float(v) for _, v in rows) == 1
