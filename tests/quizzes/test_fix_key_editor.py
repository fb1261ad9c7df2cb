"""'Fix the key' from the results page: the bank's form editor, leading on to the regrade."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Question

from .conftest import RIGHT, answer_all
from .editor_form import form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def results_url(quiz, student, mini_course):
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, RIGHT)
    services.attempt_submit(attempt=attempt)
    return reverse("quizzes:results", args=[mini_course.slug, quiz.slug])


def fix_link(client, results_url, question) -> str:
    import html
    import re

    page = client.get(results_url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    links = [html.unescape(h) for h in re.findall(r'<a href="([^"]+)">수정</a>', page)]
    return next(link for link in links if f"/questions/{question.pk}/" in link)


def test_fix_opens_the_form_editor_and_an_unchanged_save_makes_no_version(
        client, teacher, quiz, results_url):
    question = Question.objects.get(key="m-q1")
    client.force_login(teacher)
    editor = client.get(fix_link(client, results_url, question), follow=True,
                        HTTP_ACCEPT_LANGUAGE="ko")
    page = editor.content.decode()
    assert editor.status_code == 200
    assert "JSON" not in page and 'name="data"' not in page
    assert 'name="d-choices-0-text"' in page
    fields = form_fields(page)
    regrade_url = reverse("quizzes:regrade", args=["mini", quiz.slug, question.pk])
    assert fields["next"] == regrade_url
    saved = client.post(editor.request["PATH_INFO"], fields, HTTP_ACCEPT_LANGUAGE="ko")
    assert saved.status_code == 302
    assert question.versions.count() == 1


def test_fixing_the_key_in_the_form_leads_to_the_regrade(client, teacher, quiz, results_url,
                                                         student):
    question = Question.objects.get(key="m-q1")
    client.force_login(teacher)
    editor = client.get(fix_link(client, results_url, question), follow=True)
    fields = form_fields(editor.content.decode())
    right = next(i for i in range(3) if fields[f"d-choices-{i}-text"] == "생성자")
    wrong = next(i for i in range(3) if fields[f"d-choices-{i}-text"] == "판별자")
    fields.update({f"d-choices-{right}-fraction": "0", f"d-choices-{wrong}-fraction": "1",
                   "change_note": "정답 수정"})
    saved = client.post(editor.request["PATH_INFO"], fields)
    regrade_url = reverse("quizzes:regrade", args=["mini", quiz.slug, question.pk])
    assert saved.status_code == 302 and saved["Location"] == regrade_url
    assert question.versions.count() == 2
    dry = client.get(regrade_url).content.decode()
    assert "v1 → v2" in dry


def test_an_unchanged_version_through_the_service_makes_none(teacher, mini_course):
    question = Question.objects.get(key="m-q3")
    latest = question.latest_version()
    again = services.question_version_create(question=question, stem=latest.stem,
                                             data=dict(latest.data), user=teacher)
    assert again.pk == latest.pk and question.versions.count() == 1
