"""Every number an author gives is bounded at every entry (forms, API, GIFT/Moodle XML import,
course pack) and in the database, a refused request commits nothing, and the largest values
allowed do not break any page a student or a teacher reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from courses.pack import PackError
from quizzes import limits
from quizzes.models import Category, Question, QuestionVersion, Quiz, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def teacher(make_user, mini_course, enrol):
    user = make_user("bounds-teacher")
    enrol(user, mini_course, "instructor")
    return user


@pytest.fixture
def student(make_user, mini_course, enrol):
    user = make_user("bounds-student")
    enrol(user, mini_course, "student")
    return user


@pytest.fixture
def quiz(mini_course) -> Quiz:
    return Quiz.objects.get(course=mini_course, slug="week01-quiz")


def bank(name: str, *args) -> str:
    return reverse(f"bank:{name}", args=["mini", *args])


def pages_answer(client, api, teacher, student, quiz) -> None:
    """Every page and export that reads marks and quiz settings answers 200."""
    client.force_login(teacher)
    for url in (bank("quiz-builder", quiz.slug), bank("quiz-settings", quiz.slug),
                reverse("quizzes:results", args=["mini", quiz.slug]),
                reverse("quizzes:gradebook", args=["mini"]) + "?format=csv",
                reverse("quizzes:gradebook", args=["mini"]),
                bank("export") + "?format=gift", bank("export") + "?format=moodle-xml"):
        assert client.get(url).status_code == 200, url
    api.force_authenticate(teacher)
    assert api.get(reverse("api-questions", args=["mini"])).status_code == 200
    for fmt in ("gift", "moodle-xml"):
        assert api.get(reverse("api-questions-export", args=["mini"]),
                       {"format": fmt}).status_code == 200
    client.force_login(student)
    started = client.post(reverse("quizzes:start", args=["mini", quiz.slug]))
    assert started.status_code == 302
    attempt_page = client.get(started["Location"])
    assert attempt_page.status_code == 200


def test_a_huge_slot_mark_is_refused_with_a_message_and_nothing_breaks(client, teacher,
                                                                      student, quiz):
    slot = quiz.slots.order_by("position").first()
    before = slot.mark
    client.force_login(teacher)
    answer = client.post(bank("slot-mark", quiz.slug, slot.pk), {"mark": "99999999999"},
                         follow=True)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "The mark must be a number from 0 to 1000; 99999999999 is not." in page
    slot.refresh_from_db()
    assert slot.mark == before
    for bad in ("nan", "inf", "-1", "1e308", "abc"):
        client.post(bank("slot-mark", quiz.slug, slot.pk), {"mark": bad})
        slot.refresh_from_db()
        assert slot.mark == before, bad
    pages_answer(client, APIClient(), teacher, student, quiz)


def test_random_slots_cannot_make_a_quiz_worth_more_than_an_attempt_can_hold(client, teacher,
                                                                            quiz):
    category = Category.objects.filter(course=quiz.course).first()
    client.force_login(teacher)
    count = quiz.slots.count()
    answer = client.post(bank("slots-random", quiz.slug),
                         {"category": category.pk, "count": "100", "mark": "1000"}, follow=True)
    assert "can be worth 10000 marks in all" in answer.content.decode()
    assert quiz.slots.count() == count


def test_the_api_refuses_an_out_of_range_default_mark_and_commits_nothing(teacher, mini_course):
    api = APIClient()
    api.force_authenticate(teacher)
    questions, categories = Question.objects.count(), Category.objects.count()
    for mark in (1e308, 1000.5, -1):
        answer = api.post(reverse("api-questions", args=["mini"]), {
            "name": "huge", "category": "Brand new/Deeper", "qtype": "true_false",
            "stem": "참인가?", "data": {"correct": True}, "default_mark": mark}, format="json")
        assert answer.status_code == 400, mark
        assert "default_mark" in answer.json()["error"]["fields"]
    # A question refused by the service (after the category was made) leaves nothing either.
    answer = api.post(reverse("api-questions", args=["mini"]), {
        "name": "bad", "category": "Brand new/Deeper", "qtype": "numerical", "stem": "값?",
        "data": {"answers": [{"value": 1e300, "fraction": 1}]}}, format="json")
    assert answer.status_code == 400
    assert "answers[0].value" in answer.json()["error"]["fields"]
    assert Question.objects.count() == questions and Category.objects.count() == categories


def test_quiz_settings_out_of_range_are_refused_on_the_form(client, teacher, quiz):
    client.force_login(teacher)
    form = {"title": "t", "kind": "weekly", "week": "1", "time_limit_minutes": "0",
            "grace_period": "60", "attempts_allowed": "0", "grading_method": "highest",
            "max_grade": "10"}
    for name, value in (("week", "99999999999"), ("time_limit_minutes", "99999999999"),
                        ("grace_period", "99999999999"), ("attempts_allowed", "99999999999"),
                        ("max_grade", "99999.99"), ("max_grade", "0")):
        answer = client.post(bank("quiz-settings", quiz.slug), {**form, name: value})
        assert answer.status_code == 400, name
        assert "Ensure this value is" in answer.content.decode(), name
    quiz.refresh_from_db()
    assert quiz.title != "t"
    answer = client.post(bank("quizzes"), {"title": "x", "week": "99999999999"})
    assert answer.status_code == 400
    assert "Enter a number from 0 to 53." in answer.content.decode()


def test_question_editor_refuses_an_out_of_range_mark(client, teacher, mini_course):
    client.force_login(teacher)
    category = Category.objects.filter(course=mini_course).first()
    count = Question.objects.count()
    answer = client.post(bank("question-new") + "?qtype=true_false", {
        "qtype": "true_false", "name": "tf", "category": category.pk, "stem": "참?",
        "text_format": "markdown", "default_mark": "1e308", "d-correct": "1"})
    assert answer.status_code == 400
    assert "Enter a number from 0 to 1000." in answer.content.decode()
    assert Question.objects.count() == count


def test_imports_refuse_out_of_range_numbers_with_their_place(teacher):
    api = APIClient()
    api.force_authenticate(teacher)
    count = Question.objects.count()
    xml = ("<?xml version='1.0' encoding='UTF-8'?><quiz><question type='truefalse'>"
           "<name><text>tf</text></name><questiontext format='html'><text>Q?</text>"
           "</questiontext><defaultgrade>1e308</defaultgrade>"
           "<answer fraction='100'><text>true</text></answer>"
           "<answer fraction='0'><text>false</text></answer></question></quiz>")
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = api.post(reverse("api-questions-import", args=["mini"]), {
        "file": SimpleUploadedFile("q.xml", xml.encode(), content_type="application/xml")},
        format="multipart")
    assert answer.status_code == 400, answer.content
    assert "too large" in answer.content.decode()
    gift = "::n:: What is 2+2? {#4:1e300}\n"
    answer = api.post(reverse("api-questions-import", args=["mini"]), {
        "file": SimpleUploadedFile("q.gift", gift.encode(), content_type="text/plain")},
        format="multipart")
    assert answer.status_code == 400, answer.content
    assert "too large" in answer.content.decode()
    assert Question.objects.count() == count


def test_a_course_pack_with_out_of_range_numbers_is_refused_with_lines(db, mini_pack):
    from courses.services import course_pack_load

    path = mini_pack / "quizzes" / "week01.yaml"
    text = path.read_text()
    text = text.replace("time_limit_minutes: 10", "time_limit_minutes: 99999999999")
    text = text.replace("attempts_allowed: 2", "attempts_allowed: .inf".replace(".inf", "5000"))
    text = text.replace("  - key: m-q2\n", "  - key: m-q2\n    mark: 1.0e+308\n", 1)
    path.write_text(text)
    with pytest.raises(PackError) as caught:
        course_pack_load(path=mini_pack)
    message = str(caught.value)
    assert "'time_limit_minutes' must be from 0 to 10080" in message
    assert "'attempts_allowed' must be from 0 to 100" in message
    assert "'questions[1].mark' must be from 0 to 1000" in message
    assert not Quiz.objects.filter(slug="week01-quiz").exists()


@pytest.mark.parametrize(("model", "field", "value"), [
    (Slot, "mark", Decimal("1000.001")),
    (Slot, "mark", Decimal("-0.001")),
    (QuestionVersion, "default_mark", Decimal("5000")),
    (Quiz, "max_grade", Decimal("0")),
    (Quiz, "time_limit", limits.TIME_LIMIT_MAX + 1),
    (Quiz, "grace_period", limits.GRACE_PERIOD_MAX + 1),
    (Quiz, "attempts_allowed", limits.ATTEMPTS_ALLOWED_MAX + 1),
    (Quiz, "week", limits.WEEK_MAX + 1),
])
def test_the_database_refuses_out_of_range_values(mini_course, model, field, value):
    row = model.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: value})


def test_the_largest_values_allowed_break_no_page(client, teacher, student, quiz):
    client.force_login(teacher)
    form = {"title": quiz.title, "kind": "weekly", "week": str(limits.WEEK_MAX),
            "time_limit_minutes": str(limits.TIME_LIMIT_MAX // 60),
            "grace_period": str(limits.GRACE_PERIOD_MAX),
            "attempts_allowed": str(limits.ATTEMPTS_ALLOWED_MAX), "grading_method": "highest",
            "max_grade": str(limits.MAX_GRADE_MAX)}
    assert client.post(bank("quiz-settings", quiz.slug), form).status_code == 302
    for slot in quiz.slots.all():
        answer = client.post(bank("slot-mark", quiz.slug, slot.pk), {"mark": "1000"})
        assert answer.status_code == 302
    assert all(s.mark == 1000 or s.question.latest_version().qtype == "description"
               for s in quiz.slots.select_related("question"))
    pages_answer(client, APIClient(), teacher, student, quiz)
    attempt = student.quiz_attempts.get(quiz=quiz)
    assert client.post(reverse("quizzes:submit", args=[attempt.pk])).status_code == 302
    assert client.get(reverse("quizzes:review", args=[attempt.pk])).status_code == 200
