"""A student takes a quiz through the HTTP pages: start, autosave, resume, finish, submit, review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, Quiz, Response

from .conftest import RIGHT, WRONG, answer_all

pytestmark = pytest.mark.django_db


def start(client, quiz) -> Attempt:
    response = client.post(reverse("quizzes:start", args=["mini", quiz.slug]))
    assert response.status_code == 302, response.content
    return Attempt.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def display_value(response, answer):
    """The form values the student's page uses for a stored answer (display positions)."""
    from quizzes import qtypes

    return qtypes.get(response.version.qtype).to_display(response.version.data, response.layout,
                                                          answer)


def slot_of(attempt, key) -> Response:
    return attempt.responses.select_related("version__question").get(version__question__key=key)


def test_student_completes_quiz_and_sees_grade_and_explanations(client, student, quiz):
    client.force_login(student)
    page = client.get(reverse("quizzes:quiz", args=["mini", quiz.slug])).content.decode()
    assert "Start the quiz" in page or "퀴즈 시작" in page
    attempt = start(client, quiz)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "GAN에서 가짜 이미지를 만드는 것은?" in page
    q1 = slot_of(attempt, "m-q1")
    shown = display_value(q1, {"choice": "생성자"})["choice"]  # where the right choice is displayed
    saved = client.post(reverse("quizzes:autosave", args=[attempt.pk, q1.slot_id]),
                        {f"s{q1.slot_id}-choice": shown, f"s{q1.slot_id}-sequence": "0"},
                        HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert f'name="s{q1.slot_id}-sequence" value="1"' in saved.content.decode()
    q1.refresh_from_db()
    assert q1.answer == {"choice": "생성자"} and q1.sequence == 1
    # A reload shows the saved answer.
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert f'value="{shown}" data-autosave checked' in page
    summary = client.post(reverse("quizzes:summary", args=[attempt.pk]), {}).content.decode()
    assert "6 questions are not answered yet" in summary or "6" in summary and "답" in summary
    client.post(reverse("quizzes:submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and float(attempt.score) == 1.0
    review = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "생성자는 노이즈에서 이미지를 만듭니다." in review  # explanation
    assert "맞습니다: 생성자가 만듭니다." in review  # per-choice feedback
    assert reverse("courses:lesson", args=["mini", "intro"]) in review


def test_all_right_answers_score_full_marks_and_wrong_ones_zero(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, RIGHT)
    assert float(services.attempt_submit(attempt=attempt).score) == pytest.approx(7.0)
    attempt2 = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt2, WRONG)
    assert float(services.attempt_submit(attempt=attempt2).score) == 0.0


def test_second_start_returns_the_open_attempt_and_limit_is_enforced(student, quiz):
    first = services.attempt_start(user=student, quiz=quiz)
    assert services.attempt_start(user=student, quiz=quiz).pk == first.pk
    services.attempt_submit(attempt=first)
    second = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(attempt=second)
    with pytest.raises(services.ApplicationError) as caught:
        services.attempt_start(user=student, quiz=quiz)
    assert caught.value.code == "no_attempts_left" and "2" in caught.value.message


def test_stale_save_from_another_tab_is_refused_and_retry_is_idempotent(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    slot = slot_of(attempt, "m-q1").slot_id
    tab_a = services.response_save(attempt=attempt, slot_id=slot, answer={"choice": "생성자"},
                                   base_sequence=0)
    assert not tab_a.conflict and tab_a.sequence == 1
    # The same save retried (its reply was lost) succeeds without a second write.
    retry = services.response_save(attempt=attempt, slot_id=slot, answer={"choice": "생성자"},
                                   base_sequence=0)
    assert not retry.conflict and retry.sequence == 1
    # Tab B still thinks the sequence is 0 and tries a different answer: refused.
    tab_b = services.response_save(attempt=attempt, slot_id=slot, answer={"choice": "인코더"},
                                   base_sequence=0)
    assert tab_b.conflict and tab_b.answer == {"choice": "생성자"}
    assert Response.objects.get(attempt=attempt, slot_id=slot).answer == {"choice": "생성자"}


def test_double_submit_grades_once(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, RIGHT)
    first = services.attempt_submit(attempt=attempt)
    # A later change to the stored answer must not be regraded by a second submit.
    Response.objects.filter(attempt=attempt).update(answer=None)
    second = services.attempt_submit(attempt=attempt)
    assert second.submitted_at == first.submitted_at and second.score == first.score


def test_save_after_deadline_plus_grace_is_refused_and_attempt_auto_submitted(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    slot = slot_of(attempt, "m-q1").slot_id
    services.response_save(attempt=attempt, slot_id=slot, answer={"choice": "생성자"}, base_sequence=0)
    # Within the grace period a save is still accepted.
    late = attempt.deadline + timedelta(seconds=quiz.grace_period - 1)
    q2 = slot_of(attempt, "m-q3").slot_id
    services.response_save(attempt=attempt, slot_id=q2, answer={"value": True}, base_sequence=0,
                           now=late)
    too_late = attempt.deadline + timedelta(seconds=quiz.grace_period + 1)
    with pytest.raises(services.ApplicationError) as caught:
        services.response_save(attempt=attempt, slot_id=slot, answer={"choice": "판별자"},
                               base_sequence=1, now=too_late)
    assert caught.value.code == "time_up"
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.auto_submitted
    assert float(attempt.score) == 2.0  # the two answers saved in time


def test_client_clock_cannot_extend_time(client, student, quiz):
    client.force_login(student)
    attempt = start(client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(seconds=quiz.grace_period + 5))
    slot = slot_of(attempt, "m-q1").slot_id
    response = client.post(reverse("quizzes:autosave", args=[attempt.pk, slot]),
                           {f"s{slot}-choice": "0", f"s{slot}-sequence": "0"},
                           HTTP_HX_REQUEST="true")
    assert "Time is up" in response.content.decode() or "시간" in response.content.decode()
    assert Response.objects.get(attempt=attempt, slot_id=slot).answer is None
    assert Attempt.objects.get(pk=attempt.pk).state == "submitted"


def test_closed_quiz_cannot_be_started(client, student, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(close_at=timezone.now() - timedelta(minutes=1))
    client.force_login(student)
    response = client.post(reverse("quizzes:start", args=["mini", quiz.slug]), follow=True)
    assert "closed" in response.content.decode() or "마감" in response.content.decode()
    assert not Attempt.objects.exists()


def test_not_yet_open_quiz_cannot_be_started(student, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(open_at=timezone.now() + timedelta(days=1))
    quiz.refresh_from_db()
    with pytest.raises(services.ApplicationError) as caught:
        services.attempt_start(user=student, quiz=quiz)
    assert caught.value.code == "quiz_not_open"


def test_choice_order_is_seeded_per_attempt_and_stable_on_reload(client, student, quiz):
    import re

    client.force_login(student)
    attempt = start(client, quiz)
    q1 = slot_of(attempt, "m-q1")
    texts = [c["text"] for c in q1.version.data["choices"]]

    def order():
        page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
        labels = re.findall(rf'<label for="s{q1.slot_id}-choice-\d+">(.*?)</label>', page)
        return [text for label in labels for text in texts if text == label.strip()]

    first = order()
    assert order() == first == [texts[i] for i in q1.layout["order"]]


def test_another_student_cannot_open_or_save_my_attempt(client, make_user, student, quiz,
                                                        mini_course, enrol):
    attempt = services.attempt_start(user=student, quiz=quiz)
    other = make_user("other")
    enrol(other, mini_course, "student")
    client.force_login(other)
    assert client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 403
    slot = slot_of(attempt, "m-q1").slot_id
    response = client.post(reverse("quizzes:autosave", args=[attempt.pk, slot]),
                           {f"s{slot}-choice": "0", f"s{slot}-sequence": "0"})
    assert response.status_code == 403
    assert Response.objects.get(attempt=attempt, slot_id=slot).answer is None


def test_essay_waits_for_a_human_and_then_counts(student, mini_course):
    quiz = Quiz.objects.get(course=mini_course, slug="essay-quiz")
    attempt = services.attempt_start(user=student, quiz=quiz)
    essay = slot_of(attempt, "m-e1")
    services.response_save(attempt=attempt, slot_id=essay.slot_id,
                           answer={"text": "생성자가 한 가지 모드만 만든다"}, base_sequence=0)
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.score is None
    services.response_grade_manually(response=Response.objects.get(pk=essay.pk), mark=1)
    attempt.refresh_from_db()
    assert float(attempt.score) == 1.0  # half of 2 marks
