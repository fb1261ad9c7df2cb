"""The home page (the site root and the course list): my courses, what is due (open quizzes
with their close dates in the site's time zone and the attempts left; practice self-checks
apart), and "continue where you left off"."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(make_user, mini_course, enrol):
    user = make_user("stu")
    enrol(user, mini_course, "student")
    return user


@pytest.fixture
def quiz(mini_course) -> Quiz:
    return Quiz.objects.get(course=mini_course, slug="week01-quiz")


def _due_table(page: str) -> str:
    start = page.index('class="due-list"')
    return page[start:page.index("</table>", start)]


def test_root_and_course_list_are_the_same_home_page(client, student):
    client.force_login(student)
    page = client.get("/").content.decode()
    assert "미니 강좌" in page
    assert reverse("courses:list") == "/"


def test_due_lists_open_quizzes_with_local_close_time_and_attempts_left(
        client, student, quiz, mini_course):
    # 14:59 UTC is 23:59 in Seoul (the site's time zone).
    close = datetime(2030, 1, 10, 14, 59, tzinfo=UTC)
    Quiz.objects.filter(pk=quiz.pk).update(close_at=close)
    client.force_login(student)
    page = client.get("/").content.decode()
    due = _due_table(page)
    assert "1주차 퀴즈" in due
    assert "2030-01-10 23:59 KST" in due
    assert f'datetime="{close.astimezone(timezone.get_current_timezone()).isoformat()}"' in due
    assert "<td>2</td>" in due  # two attempts allowed, none used
    # The practice self-check is listed apart, not in the graded list.
    assert "서술형 과제" not in due
    practice = page[page.index('class="practice-due"'):]
    assert "서술형 과제" in practice[:practice.index("</details>")]
    # One attempt used: one left.
    quiz.refresh_from_db()
    services.attempt_submit(attempt=services.attempt_start(user=student, quiz=quiz))
    assert "<td>1</td>" in _due_table(client.get("/").content.decode())
    # Both used: nothing left to do, so it is not due any more.
    services.attempt_submit(attempt=services.attempt_start(user=student, quiz=quiz))
    page = client.get("/").content.decode()
    assert 'class="due-list"' not in page or "1주차 퀴즈" not in _due_table(page)


@pytest.mark.parametrize("change", [
    {"close_at": timezone.now() - timedelta(minutes=1)},
    {"open_at": timezone.now() + timedelta(days=1)},
    {"published": False},
])
def test_closed_unopened_and_hidden_quizzes_are_not_due(client, student, quiz, change):
    Quiz.objects.filter(pk=quiz.pk).update(**change)
    client.force_login(student)
    page = client.get("/").content.decode()
    assert 'class="due-list"' not in page


def test_other_courses_quizzes_are_not_shown(client, make_user, quiz):
    outsider = make_user("outsider")
    client.force_login(outsider)
    page = client.get("/").content.decode()
    assert "1주차 퀴즈" not in page and 'class="due-list"' not in page


def test_continue_goes_to_the_next_unread_lesson_then_to_the_open_attempt(
        client, student, quiz):
    client.force_login(student)
    page = client.get("/").content.decode()
    assert 'class="card continue"' in page
    assert reverse("courses:lesson", args=["mini", "intro"]) in page
    client.post(reverse("courses:lesson-read", args=["mini", "intro"]))
    page = client.get("/").content.decode()
    continue_block = page[page.index('class="card continue"'):page.index("</section>")]
    assert reverse("courses:lesson", args=["mini", "second"]) in continue_block
    assert reverse("courses:lesson", args=["mini", "intro"]) not in continue_block
    # An attempt in progress comes first.
    attempt = services.attempt_start(user=student, quiz=quiz)
    page = client.get("/").content.decode()
    continue_block = page[page.index('class="card continue"'):page.index("</section>")]
    assert reverse("quizzes:attempt", args=[attempt.pk]) in continue_block
    assert "/lessons/" not in continue_block
    # Once submitted, back to the reading.
    services.attempt_submit(attempt=attempt)
    page = client.get("/").content.decode()
    continue_block = page[page.index('class="card continue"'):page.index("</section>")]
    assert reverse("courses:lesson", args=["mini", "second"]) in continue_block


def test_an_overdue_attempt_is_not_offered_to_continue(client, student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    attempt.deadline = timezone.now() - timedelta(seconds=quiz.grace_period + 5)
    attempt.save(update_fields=["deadline"])
    client.force_login(student)
    page = client.get("/").content.decode()
    assert reverse("quizzes:attempt", args=[attempt.pk]) not in page
