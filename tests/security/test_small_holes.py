"""Smaller holes closed: JSON nesting outside the API, login guessing across accounts from one
address, students' essay HTML, a description's mark, raw demo widgets in lessons, and question
files served only while what references them may be seen."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_question_edit_page_refuses_deep_json_with_a_message(client, world):
    quiz, question = world.quiz, world.question
    client.force_login(world.users["instructor"])
    versions = question.versions.count()
    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post(reverse("quizzes:question-edit", args=[world.course.slug, quiz.slug,
                                                                question.pk]),
                         {"stem": "x", "general_feedback": "", "data": deep})
    assert answer.status_code == 200
    assert "nested too deeply" in answer.content.decode()
    assert question.versions.count() == versions
