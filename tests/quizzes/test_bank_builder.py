"""The quiz builder: create, add questions and random slots, reorder (buttons and drag order),
marks, settings with the review grid, duplicate, publish; and categories and tags."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import authoring, services
from quizzes.models import REVIEW_ITEMS, Category, Question, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), whatever Korean translations exist."""
    settings.LANGUAGE_CODE = "en"


def url(name: str, *args) -> str:
    return reverse(f"bank:{name}", args=["mini", *args])


@pytest.fixture
def empty_quiz(client, teacher, mini_course) -> Quiz:
    client.force_login(teacher)
    response = client.post(url("quizzes"), {"title": "중간 점검", "week": "2", "kind": "midterm"})
    assert response.status_code == 302
    return Quiz.objects.get(course=mini_course, title="중간 점검")


def keys(quiz: Quiz) -> list[str]:
    return [s.question.key if s.question else f"random:{s.category.name}"
            for s in quiz.slots.select_related("question", "category").order_by("position")]


def test_create_quiz_starts_hidden_and_empty(client, empty_quiz):
    assert empty_quiz.published is False and empty_quiz.slots.count() == 0
    assert empty_quiz.kind == "midterm" and empty_quiz.week == 2
    assert empty_quiz.slug == "quiz"  # a Korean title has no ASCII slug
    page = client.get(url("quiz-builder", empty_quiz.slug))
    assert page.status_code == 200 and "중간 점검" in page.content.decode()
    listing = client.get(url("quizzes")).content.decode()
    assert "중간 점검" in listing and "week01-quiz" in listing
    refused = client.post(url("quizzes"), {"title": " ", "week": "1"})
    assert refused.status_code == 400


def test_add_questions_and_random_slots(client, empty_quiz, mini_course):
    # Sent in the reverse of the bank's order (by name); added in the bank's order.
    by_name = sorted(("m-q1", "m-q3"), key=lambda k: Question.objects.get(key=k).name)
    ids = [Question.objects.get(key=k).pk for k in reversed(by_name)]
    client.post(url("slots-add", empty_quiz.slug), {"question": ids})
    assert keys(empty_quiz) == by_name
    client.post(url("slots-add", empty_quiz.slug), {"question": ids})  # no duplicates
    assert empty_quiz.slots.count() == 2
    pack = Category.objects.get(course=mini_course, name="week01-quiz")
    client.post(url("slots-random", empty_quiz.slug),
                {"category": pack.pk, "count": "2", "mark": "1.5"})
    slots = list(empty_quiz.slots.order_by("position"))
    assert [s.kind for s in slots] == ["latest", "latest", "random", "random"]
    assert slots[2].category == pack and float(slots[2].mark) == 1.5
    page = client.get(url("quiz-builder", empty_quiz.slug)).content.decode()
    assert "Random question from" in page and "week01-quiz" in page


def test_builder_candidates_filter_by_category(client, empty_quiz, mini_course):
    essay = Category.objects.get(course=mini_course, name="essay-quiz")
    page = client.get(url("quiz-builder", empty_quiz.slug), {"category": essay.pk})
    html = page.content.decode()
    names = set(Question.objects.filter(category=essay).values_list("name", flat=True))
    assert all(name in html for name in names)
    assert Question.objects.get(key="m-q1").name not in html


def test_reorder_with_buttons_and_with_a_dragged_order(client, empty_quiz):
    questions = Question.objects.filter(key__in=["m-q1", "m-q2", "m-q3"]).order_by("key")
    authoring.slots_add_questions(quiz=empty_quiz, questions=questions)
    assert keys(empty_quiz) == ["m-q1", "m-q2", "m-q3"]
    third = empty_quiz.slots.get(position=3)
    response = client.post(url("slot-move", empty_quiz.slug, third.pk), {"direction": "up"})
    assert response.status_code == 302 and f"moved={third.pk}&dir=up" in response["Location"]
    assert keys(empty_quiz) == ["m-q1", "m-q3", "m-q2"]
    page = client.get(response["Location"]).content.decode()
    assert "autofocus" in page  # the keyboard user's focus stays on the moved row's button
    first = empty_quiz.slots.get(position=1)
    client.post(url("slot-move", empty_quiz.slug, first.pk), {"direction": "up"})  # at the top
    assert keys(empty_quiz) == ["m-q1", "m-q3", "m-q2"]
    client.post(url("slot-move", empty_quiz.slug, first.pk), {"direction": "down"})
    assert keys(empty_quiz) == ["m-q3", "m-q1", "m-q2"]
    order = [empty_quiz.slots.get(question__key=k).pk for k in ("m-q2", "m-q3", "m-q1")]
    response = client.post(url("slots-reorder", empty_quiz.slug),
                           {"order": ",".join(map(str, order))}, HTTP_ACCEPT="application/json")
    assert response.status_code == 204
    assert keys(empty_quiz) == ["m-q2", "m-q3", "m-q1"]
    stale = client.post(url("slots-reorder", empty_quiz.slug), {"order": str(order[0])},
                        HTTP_ACCEPT="application/json")
    assert stale.status_code == 409
    assert keys(empty_quiz) == ["m-q2", "m-q3", "m-q1"]


def test_marks_and_remove(client, empty_quiz):
    authoring.slots_add_questions(quiz=empty_quiz, questions=Question.objects.filter(
        key__in=["m-q1", "m-q2"]).order_by("key"))
    first, second = empty_quiz.slots.order_by("position")
    client.post(url("slot-mark", empty_quiz.slug, first.pk), {"mark": "2,5"})
    first.refresh_from_db()
    assert float(first.mark) == 2.5
    client.post(url("slot-remove", empty_quiz.slug, first.pk))
    assert keys(empty_quiz) == ["m-q2"]
    assert empty_quiz.slots.get().position == 1


def test_settings_with_review_grid(client, empty_quiz):
    data = {"title": "중간 점검 (수정)", "title_en": "Midterm check", "intro": "잘 보세요",
            "kind": "midterm", "week": "3", "open_at": "2026-03-02T09:00",
            "close_at": "2026-03-09T18:00", "time_limit_minutes": "30", "grace_period": "90",
            "attempts_allowed": "2", "grading_method": "average", "shuffle_questions": "on",
            "max_grade": "20", "review-immediately": ["attempt", "marks"],
            "review-closed": list(REVIEW_ITEMS), "review-during": ["bogus"]}
    response = client.post(url("quiz-settings", empty_quiz.slug), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    empty_quiz.refresh_from_db()
    assert empty_quiz.title == "중간 점검 (수정)" and empty_quiz.week == 3
    assert empty_quiz.time_limit == 1800 and empty_quiz.grace_period == 90
    assert empty_quiz.attempts_allowed == 2 and empty_quiz.grading_method == "average"
    assert empty_quiz.shuffle_questions is True and empty_quiz.shuffle_choices is False
    assert float(empty_quiz.max_grade) == 20
    seoul = timezone.get_current_timezone()
    assert empty_quiz.open_at == datetime(2026, 3, 2, 9, 0, tzinfo=seoul)
    assert empty_quiz.review_policy == {"during": [], "immediately": ["attempt", "marks"],
                                        "open": [], "closed": list(REVIEW_ITEMS)}
    page = client.get(url("quiz-settings", empty_quiz.slug)).content.decode()
    assert page.count('type="checkbox" name="review-') == 24
    assert 'value="2026-03-02T09:00"' in page
    data.update(close_at="2026-03-01T09:00")
    refused = client.post(url("quiz-settings", empty_quiz.slug), data)
    assert refused.status_code == 400 and "close after it opens" in refused.content.decode()


def test_duplicate_and_publish(client, empty_quiz, mini_course, student):
    client.post(url("quiz-publish", empty_quiz.slug), {"published": "1"})
    empty_quiz.refresh_from_db()
    assert empty_quiz.published is False  # nothing to publish yet
    authoring.slots_add_questions(quiz=empty_quiz, questions=Question.objects.filter(
        key__in=["m-q1", "m-q3"]).order_by("key"))
    client.post(url("quiz-publish", empty_quiz.slug), {"published": "1"})
    empty_quiz.refresh_from_db()
    assert empty_quiz.published is True
    response = client.post(url("quiz-duplicate", empty_quiz.slug))
    copy = Quiz.objects.exclude(pk=empty_quiz.pk).get(course=mini_course, title__contains="copy")
    assert response["Location"] == url("quiz-builder", copy.slug)
    assert copy.slug == "quiz-copy" and copy.published is False
    assert keys(copy) == keys(empty_quiz) and copy.kind == empty_quiz.kind
    client.post(url("quiz-publish", empty_quiz.slug), {"published": "0"})
    empty_quiz.refresh_from_db()
    assert empty_quiz.published is False


def test_a_quiz_with_attempts_keeps_its_questions(client, teacher, quiz, student):
    services.attempt_start(user=student, quiz=quiz)
    before = keys(quiz)
    first = quiz.slots.order_by("position").first()
    client.force_login(teacher)
    response = client.post(url("slot-move", quiz.slug, first.pk), {"direction": "down"},
                           follow=True)
    assert "already attempted" in response.content.decode()
    client.post(url("slots-add", quiz.slug), {"question": [Question.objects.get(key="m-e1").pk]})
    client.post(url("slot-remove", quiz.slug, first.pk))
    assert keys(quiz) == before
    # Settings may still change, and a duplicate can be edited.
    copy = authoring.quiz_duplicate(quiz=quiz)
    authoring.slot_move(quiz=copy, slot=copy.slots.get(position=1), offset=1)
    assert keys(copy) != before


def test_random_slots_work_in_an_attempt(empty_quiz, mini_course, student):
    pack = Category.objects.get(course=mini_course, name="week01-quiz")
    authoring.slot_add_random(quiz=empty_quiz, category=pack, count=3)
    authoring.quiz_set_published(quiz=empty_quiz, published=True)
    attempt = services.attempt_start(user=student, quiz=empty_quiz)
    drawn = [r.version.question.category_id for r in attempt.responses.select_related(
        "version__question")]
    assert drawn == [pack.pk] * 3
    assert len({r.version.question_id for r in attempt.responses.all()}) == 3


# --- categories and tags ----------------------------------------------------------------------


def test_categories_nested_rename_move_delete(client, teacher, mini_course):
    client.force_login(teacher)
    client.post(url("categories"), {"name": "2학기"})
    top = Category.objects.get(course=mini_course, name="2학기", parent=None)
    client.post(url("categories"), {"name": "GAN", "parent": top.pk})
    gan = Category.objects.get(name="GAN", parent=top)
    client.post(url("categories"), {"name": "세부", "parent": gan.pk})
    deep = Category.objects.get(name="세부")
    assert deep.path == "2학기/GAN/세부"
    duplicate = client.post(url("categories"), {"name": "GAN", "parent": top.pk})
    assert duplicate.status_code == 400
    page = client.get(url("categories")).content.decode()
    assert "2학기" in page and "세부" in page
    # Moving a category under its own child is refused.
    client.post(url("category-update", top.pk), {f"c{top.pk}-name": "2학기",
                                                 f"c{top.pk}-parent": deep.pk})
    top.refresh_from_db()
    assert top.parent is None
    client.post(url("category-update", gan.pk), {f"c{gan.pk}-name": "생성 모델",
                                                 f"c{gan.pk}-parent": ""})
    gan.refresh_from_db()
    assert gan.path == "생성 모델" and Category.objects.get(pk=deep.pk).path == "생성 모델/세부"
    client.post(url("category-update", gan.pk), {"delete": "1"})
    assert Category.objects.filter(pk=gan.pk).exists()  # not empty: it has a child
    client.post(url("category-update", deep.pk), {"delete": "1"})
    assert not Category.objects.filter(pk=deep.pk).exists()


def test_tag_rename_and_remove(client, teacher, mini_course):
    client.force_login(teacher)
    category = services.category_get_or_create_path(course=mini_course, path=("태그",))
    for n in range(2):
        services.question_create(course=mini_course, category=category, name=f"t{n}",
                                 qtype="true_false", stem="s", data={"correct": True},
                                 tags=["gan", "1주"])
    client.post(url("tag-rename"), {"old": "gan", "new": "GAN"})
    assert all(q.tags == ["GAN", "1주"] for q in Question.objects.filter(category=category))
    client.post(url("tag-rename"), {"old": "1주", "new": ""})
    assert all(q.tags == ["GAN"] for q in Question.objects.filter(category=category))
    page = client.get(url("index"), {"tag": "GAN"}).content.decode()
    assert "t0" in page and "m-q1" not in page


@pytest.mark.parametrize("tampered", ["²", "9" * 5000])
def test_tampered_question_ids_are_left_out_not_a_server_error(client, empty_quiz, mini_course,
                                                               tampered):
    """str.isdigit() accepts "²" and 5,000 digits, which int() refuses: the add and move
    actions failed with a server error. A tampered id now selects nothing."""
    q1 = Question.objects.get(course=mini_course, key="m-q1")
    added = client.post(url("slots-add", empty_quiz.slug), {"question": [tampered, q1.pk]})
    assert added.status_code == 302 and keys(empty_quiz) == ["m-q1"]
    target = Category.objects.create(course=mini_course, name="옮길 곳")
    moved = client.post(url("questions-move"), {"question": [tampered, q1.pk],
                                                "category": target.pk})
    assert moved.status_code == 302
    q1.refresh_from_db()
    assert q1.category == target


@pytest.mark.parametrize("field, typed", [("open_at", "0001-01-01T00:00"),
                                          ("close_at", "9999-12-31T23:59")])
def test_a_quiz_date_out_of_range_is_refused_not_stored(client, empty_quiz, mini_course,
                                                        student, field, typed):
    """Year 1 at midnight in Seoul is year 0 in UTC: PostgreSQL stored it and Python could not
    read it back, so every page listing the quiz failed, the students' home and course pages
    too. 9999-12-31 overflowed when a student's deadline was computed. Both are refused next
    to the field; the quiz keeps its dates."""
    data = {"title": "중간 점검", "kind": "midterm", "week": "2", "time_limit_minutes": "30",
            "grace_period": "60", "attempts_allowed": "0", "grading_method": "highest",
            "max_grade": "10", field: typed}
    refused = client.post(url("quiz-settings", empty_quiz.slug), data)
    assert refused.status_code == 400
    assert "2000-01-01" in refused.content.decode()
    empty_quiz.refresh_from_db()
    assert empty_quiz.open_at is None and empty_quiz.close_at is None
    client.force_login(student)
    assert client.get("/").status_code == 200
    assert client.get(reverse("courses:detail", args=["mini"])).status_code == 200
