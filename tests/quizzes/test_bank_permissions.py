"""Who may author: a student (or a stranger) gets 403 from every authoring page and API; embedded
files are served only to teachers and to students who were given the question; the question
page, the review and the API show the files through that view."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes import authoring, services
from quizzes.models import Category, Question, Quiz, Slot

from .conftest import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), whatever Korean translations exist."""
    settings.LANGUAGE_CODE = "en"

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16 + b"\xff\xd9"


def teacher_urls(quiz, question, category, slot) -> list[tuple[str, str]]:
    c = "mini"
    return [
        ("get", reverse("bank:index", args=[c])),
        ("get", reverse("bank:question-new", args=[c]) + "?qtype=true_false"),
        ("post", reverse("bank:question-new", args=[c])),
        ("get", reverse("bank:question-edit", args=[c, question.pk])),
        ("post", reverse("bank:question-edit", args=[c, question.pk])),
        ("post", reverse("bank:question-preview", args=[c])),
        ("post", reverse("bank:question-delete", args=[c, question.pk])),
        ("post", reverse("bank:questions-move", args=[c])),
        ("get", reverse("bank:categories", args=[c])),
        ("post", reverse("bank:category-update", args=[c, category.pk])),
        ("post", reverse("bank:tag-rename", args=[c])),
        ("get", reverse("bank:import", args=[c])),
        ("post", reverse("bank:import", args=[c])),
        ("get", reverse("bank:export", args=[c]) + "?format=gift"),
        ("get", reverse("bank:quizzes", args=[c])),
        ("get", reverse("bank:quiz-builder", args=[c, quiz.slug])),
        ("get", reverse("bank:quiz-settings", args=[c, quiz.slug])),
        ("post", reverse("bank:quiz-duplicate", args=[c, quiz.slug])),
        ("post", reverse("bank:quiz-publish", args=[c, quiz.slug])),
        ("post", reverse("bank:slots-add", args=[c, quiz.slug])),
        ("post", reverse("bank:slots-random", args=[c, quiz.slug])),
        ("post", reverse("bank:slots-reorder", args=[c, quiz.slug])),
        ("post", reverse("bank:slot-move", args=[c, quiz.slug, slot.pk])),
        ("post", reverse("bank:slot-remove", args=[c, quiz.slug, slot.pk])),
        ("post", reverse("bank:slot-mark", args=[c, quiz.slug, slot.pk])),
    ]


def test_students_get_403_everywhere(client, student, quiz, mini_course):
    question = Question.objects.get(key="m-q1")
    category = question.category
    slot = quiz.slots.first()
    client.force_login(student)
    for method, url in teacher_urls(quiz, question, category, slot):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url, response.status_code)
    # Nothing changed.
    assert quiz.slots.count() == 7 and Question.objects.filter(pk=question.pk).exists()


def test_strangers_are_sent_to_log_in_or_refused(client, make_user, quiz, mini_course):
    question = Question.objects.get(key="m-q1")
    for method, url in teacher_urls(quiz, question, question.category, quiz.slots.first()):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(make_user("outsider"))
    assert client.get(reverse("bank:index", args=["mini"])).status_code == 403


def test_students_get_403_from_the_api(client, student, mini_course):
    client.force_login(student)
    imported = client.post(reverse("api-questions-import", args=["mini"]),
                           {"file": SimpleUploadedFile("a.gift", b"::a::b {T}")})
    assert imported.status_code == 403 and imported.json()["error"]["code"] == "forbidden"
    exported = client.get(reverse("api-questions-export", args=["mini"]), {"format": "gift"})
    assert exported.status_code == 403
    previewed = client.post(reverse("api-question-preview", args=["mini"]),
                            {"qtype": "true_false", "stem": "s", "data": {"correct": True}},
                            content_type="application/json")
    assert previewed.status_code == 403
    assert not Question.objects.filter(name="a").exists()


def test_teaching_assistants_may_author(client, make_user, enrol, mini_course):
    ta = make_user("ta")
    enrol(ta, mini_course, "ta")
    client.force_login(ta)
    assert client.get(reverse("bank:index", args=["mini"])).status_code == 200


def test_course_page_links_the_bank_for_teachers_only(client, teacher, student):
    client.force_login(teacher)
    page = client.get(reverse("courses:detail", args=["mini"])).content.decode()
    assert reverse("bank:index", args=["mini"]) in page
    client.force_login(student)
    page = client.get(reverse("courses:detail", args=["mini"])).content.decode()
    assert reverse("bank:index", args=["mini"]) not in page


# --- embedded files -------------------------------------------------------------------------


@pytest.fixture
def picture_quiz(mini_course):
    category = Category.objects.create(course=mini_course, name="그림")
    question = services.question_create(
        course=mini_course, category=category, name="국기", qtype="single_choice",
        text_format="html", stem='<p>어느 나라 국기? <img src="@@PLUGINFILE@@/flag%20fr.jpg" '
        'alt="국기"></p>', general_feedback='<p><img src="@@PLUGINFILE@@/flag%20fr.jpg"></p>',
        data={"choices": [{"text": "프랑스", "fraction": 1,
                           "feedback": '<img src="@@PLUGINFILE@@/ok.jpg" alt="ok">'},
                          {"text": "독일", "fraction": 0}]},
        files={"flag fr.jpg": JPEG, "ok.jpg": JPEG})
    quiz = authoring.quiz_create(course=mini_course, title="그림 퀴즈")
    authoring.slots_add_questions(quiz=quiz, questions=[question])
    authoring.quiz_set_published(quiz=quiz, published=True)
    return quiz, question.latest_version()


def test_files_are_served_to_teachers_and_to_students_who_were_given_them(
        client, teacher, student, make_user, enrol, mini_course, picture_quiz):
    quiz, version = picture_quiz
    url = f"/question-files/{version.pk}/flag%20fr.jpg"
    client.force_login(student)
    assert client.get(url).status_code == 403  # not given to this student yet
    attempt = services.attempt_start(user=student, quiz=quiz)
    image = client.get(url)
    assert image.status_code == 200 and image.content == JPEG
    assert image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/question-files/{version.pk}/none.jpg").status_code == 404
    other = make_user("other")
    enrol(other, mini_course, "student")
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.force_login(make_user("outsider"))
    assert client.get(url).status_code == 403
    client.force_login(teacher)
    assert client.get(url).status_code == 200
    del attempt


def test_question_page_review_and_api_show_the_files(client, student, picture_quiz):
    quiz, version = picture_quiz
    client.force_login(student)
    attempt = services.attempt_start(user=student, quiz=quiz)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert f'src="/question-files/{version.pk}/flag%20fr.jpg"' in page
    assert "@@PLUGINFILE@@" not in page
    services.attempt_submit(attempt=attempt)
    review = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert f'src="/question-files/{version.pk}/ok.jpg"' in review
    assert "@@PLUGINFILE@@" not in review
    api = client.get(reverse("api-attempt", args=[attempt.pk]))
    assert api.status_code == 200 and "@@PLUGINFILE@@" not in api.content.decode()


def test_unsafe_file_types_are_downloads(client, teacher, mini_course):
    category = Category.objects.create(course=mini_course, name="파일")
    question = services.question_create(
        course=mini_course, category=category, name="svg", qtype="true_false", stem="s",
        data={"correct": True}, files={"x.svg": b"<svg onload='alert(1)'/>",
                                       "x.html": b"<script>alert(1)</script>"})
    version = question.latest_version()
    client.force_login(teacher)
    for name in ("x.svg", "x.html"):
        response = client.get(f"/question-files/{version.pk}/{name}")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment")
        assert "sandbox" in response["Content-Security-Policy"]


def test_a_file_in_the_combined_feedback_the_review_shows_is_served_to_its_student(
        client, student, quiz):
    """The review shows Moodle's combined feedback ("correct" / "incorrect" text) when the
    policy shows specific feedback, its embedded files pointed at the file view, which serves
    them to the student whose review shows them."""
    Quiz.objects.filter(pk=quiz.pk).update(close_at=None)  # default policy: all shown
    quiz.refresh_from_db()
    category = Category.objects.filter(course=quiz.course).first()
    question = services.question_create(
        course=quiz.course, category=category, name="tf", qtype="true_false", key="m-tf-img",
        stem="A GAN has a discriminator.", data={"correct": True},
        files={"well-done.png": b"\x89PNG\r\n\x1a\n"},
        extras={"combined_feedback": {"correct": '![](@@PLUGINFILE@@/well-done.png)',
                                      "incorrect": "no", "partial": ""}})
    last = quiz.slots.order_by("-position").first().position
    Slot.objects.create(quiz=quiz, position=last + 1, question=question, mark=1)
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, {"m-tf-img": {"value": True}})
    services.attempt_submit(attempt=attempt)

    client.force_login(student)
    review = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    url = reverse("bank:question-file", args=[question.latest_version().pk, "well-done.png"])
    assert url in review  # the review shows the image...
    assert client.get(url).status_code == 200  # ...so its student may load it
