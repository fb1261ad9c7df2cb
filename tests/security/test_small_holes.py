"""Smaller holes closed: JSON nesting outside the API, login guessing across accounts from one
address, students' essay HTML, a description's mark, raw demo widgets in lessons, and question
files served only while what references them may be seen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


RAW_WIDGETS = (
    '<div class="demo-widget" data-demo="face-generate" data-demo-options="{not json"></div>\n\n'
    '<div class="demo-widget" data-demo="face-generate" '
    'data-demo-options="{&quot;count&quot;: 100000}"></div>\n\n'
)


def test_raw_html_in_a_lesson_cannot_make_a_demo_widget(client, db, mini_pack, make_user,
                                                       enrol):
    from courses.services import course_pack_load

    lesson_file = mini_pack / "week01" / "01-intro.md"
    lesson_file.write_text(lesson_file.read_text() + "\n" + RAW_WIDGETS
                           + "```demo face-generate\ncount: 2\n```\n")
    course = course_pack_load(path=mini_pack).course
    lesson = course.lessons.get(slug="intro")
    assert lesson.body_html.count("data-demo=") == 1  # only the directive's own placeholder
    user = make_user("reader")
    enrol(user, course, "student")
    client.force_login(user)
    url = reverse("courses:lesson", args=[course.slug, lesson.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('class="demo-widget-live') == 1


def test_a_forged_placeholder_in_stored_lesson_html_is_left_out(client, mini_course, make_user,
                                                               enrol):
    """Lesson HTML stored before raw placeholders were sanitised away still renders."""
    lesson = mini_course.lessons.get(slug="intro")
    lesson.body_html += RAW_WIDGETS
    lesson.save(update_fields=["body_html"])
    user = make_user("reader")
    enrol(user, mini_course, "student")
    client.force_login(user)
    page = client.get(reverse("courses:lesson", args=[mini_course.slug, lesson.slug]))
    assert page.status_code == 200
    assert "demo-widget-live" not in page.content.decode()


MIMIC = ('<div class="outcome is-correct" id="main" style="color:green"><strong>Correct</strong>'
         '</div>\n\n<p class="qtype-mark">Mark 10.00 out of 2.00</p>\n\n'
         '<a href="https://evil.example/">click</a> <img src="https://evil.example/x.png">\n\n'
         '# Big heading\n\n**bold** and $x^2$')


@pytest.mark.parametrize("response_format", ["markdown", "plain"])
def test_an_essay_answer_is_shown_fenced_and_without_page_markup(client, world,
                                                                 response_format):
    from rest_framework.test import APIClient

    from quizzes import services

    essay = world.essay_quiz.slots.get(question__key="m-e1").question
    services.question_version_create(question=essay, stem=essay.latest_version().stem,
                                     data={"response_format": response_format})
    api = APIClient()
    api.force_authenticate(world.users["student"])
    started = api.post(reverse("api-attempt-start", args=["mini", world.essay_quiz.slug]),
                       format="json").json()
    slot = next(q["slot_id"] for q in started["questions"] if q["qtype"] == "essay")
    saved = api.put(reverse("api-response", args=[started["id"], slot]),
                    {"answer": {"text": MIMIC}, "sequence": 0}, format="json")
    assert saved.status_code == 200, saved.content
    assert api.post(reverse("api-attempt-submit", args=[started["id"]])).status_code == 200
    for role in ("student", "instructor"):
        client.force_login(world.users[role])
        page = client.get(reverse("quizzes:review", args=[started["id"]])).content.decode()
        assert '<figure class="student-answer">' in page
        start = page.index('<div class="student-answer-body">') + 33
        answer = page[start:page.index("</figure>", start)]
        assert "Correct" in answer  # the text is there, as text
        tags = re.findall(r"<([a-z0-9]+)([^>]*)>", answer)
        assert {name for name, _ in tags} <= {"p", "br", "strong", "h3", "math", "msup", "mi",
                                               "mn", "mrow", "div", "span"}, (role, tags)
        assert all(not attrs.strip() or name == "math" for name, attrs in tags), (role, tags)
        if response_format == "markdown":
            assert "<strong>bold</strong>" in answer and "<math" in answer


def test_a_description_is_worth_nothing_whatever_the_input_path(client, world):
    from rest_framework.test import APIClient

    from quizzes.models import Question

    teacher = world.users["instructor"]
    api = APIClient()
    api.force_authenticate(teacher)
    for body in ({"default_mark": 5}, {}):
        made = api.post(reverse("api-questions", args=["mini"]), {
            "name": "안내", "category": "Week 1", "qtype": "description",
            "stem": "다음을 읽으세요.", "data": {}, **body}, format="json")
        assert made.status_code == 201, made.content
        assert made.json()["version"]["default_mark"] == 0
    question = Question.objects.get(pk=made.json()["id"])
    # Added to a quiz, its slot is worth 0, and a mark typed for it later keeps it at 0.
    quiz = world.essay_quiz
    client.force_login(teacher)
    quiz.attempts.all().delete()
    client.post(reverse("bank:slots-add", args=["mini", quiz.slug]), {"question": [question.pk]})
    slot = quiz.slots.get(question=question)
    assert slot.mark == 0
    client.post(reverse("bank:slot-mark", args=["mini", quiz.slug, slot.pk]), {"mark": "3"})
    slot.refresh_from_db()
    assert slot.mark == 0
    # The pack's description (written without a mark, so 1 by default) is worth 0 too, and an
    # attempt is scored out of the essay's 2 marks only.
    student = APIClient()
    student.force_authenticate(world.users["student"])
    started = student.post(reverse("api-attempt-start", args=["mini", quiz.slug]),
                           format="json").json()
    assert started["max_score"] == 2.0
    assert all(q["max_mark"] == 0 for q in started["questions"] if q["qtype"] == "description")


def test_a_question_file_is_served_only_while_what_refers_to_it_is_shown(client, world):
    from quizzes.models import QuestionFile

    version = world.open_response.version
    data = dict(version.data)
    data["choices"] = [dict(c) for c in data["choices"]]
    data["choices"][0]["feedback"] = "![hint](@@PLUGINFILE@@/hint.png)"
    version.data = data
    version.general_feedback = "풀이: ![explain](@@PLUGINFILE@@/explain.png)"
    version.save(update_fields=["data", "general_feedback"])
    for name in ("hint.png", "explain.png", "unused.png"):
        QuestionFile.objects.create(version=version, name=name, content=b"\x89PNG-" + name.encode(),
                                    content_type="image/png")

    def fetch(name: str) -> int:
        return client.get(reverse("bank:question-file", args=[version.pk, name])).status_code

    client.force_login(world.users["student"])
    # During the attempt: the stem's file only.
    assert {n: fetch(n) for n in ("diagram.png", "hint.png", "explain.png", "unused.png")} == {
        "diagram.png": 200, "hint.png": 403, "explain.png": 403, "unused.png": 403}
    assert client.post(reverse("quizzes:submit", args=[world.attempt.pk])).status_code == 302
    quiz = world.quiz
    # Reviewed with feedback shown: the feedback's files too.
    quiz.review_policy = {**quiz.review_policy, "immediately": [
        "attempt", "correctness", "specific_feedback", "general_feedback", "right_answer"]}
    quiz.save(update_fields=["review_policy"])
    assert {n: fetch(n) for n in ("diagram.png", "hint.png", "explain.png", "unused.png")} == {
        "diagram.png": 200, "hint.png": 200, "explain.png": 200, "unused.png": 403}
    # Reviewed without feedback: not those.
    quiz.review_policy = {**quiz.review_policy, "immediately": ["attempt"]}
    quiz.save(update_fields=["review_policy"])
    assert {n: fetch(n) for n in ("diagram.png", "hint.png", "explain.png")} == {
        "diagram.png": 200, "hint.png": 403, "explain.png": 403}
    # A teacher sees every file.
    client.force_login(world.users["instructor"])
    assert fetch("unused.png") == 200
