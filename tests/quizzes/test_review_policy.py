"""Review visibility follows Moodle's four windows, and keys never leak before the policy allows."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import REVIEW_ITEMS, Attempt, Quiz

from .conftest import RIGHT, answer_all

pytestmark = pytest.mark.django_db

# Strings that appear only in keys, per-choice feedback or explanations of the mini quiz.
SECRETS = [
    "맞습니다: 생성자가 만듭니다.",  # m-q1 feedback
    "판별자는 구별합니다.",
    "생성자는 노이즈에서 이미지를 만듭니다.",  # m-q1 explanation
    "GAN은 생성 모델", "SVM은 판별 모델",  # m-q2 feedback
    "BERT는 학습된 위치 임베딩을 씁니다.", "학습된 512개 위치.",  # m-q3
    "*discriminator*", "판별자(discriminator).",  # m-q4 answers / explanation
    "(32 - 5 + 2·2)/1 + 1 = 32",  # m-q5 explanation
    "BERT는 인코더, GPT는 디코더.",  # m-q6 explanation
    "생성자와 판별자.",  # m-q7 explanation
]
KEY_MARKERS = ['"fraction"', "is-correct", "is-incorrect", "feedback_true", '"correct"']


def assert_no_secret(html: str):
    for secret in SECRETS:
        assert secret not in html, secret
    for marker in KEY_MARKERS:
        assert marker not in html, marker


def test_nothing_leaks_while_answering_any_type(client, student, quiz):
    client.force_login(student)
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, RIGHT)
    for url in (reverse("quizzes:attempt", args=[attempt.pk]),
                reverse("quizzes:summary", args=[attempt.pk]),
                reverse("quizzes:quiz", args=["mini", quiz.slug]),
                reverse("courses:detail", args=["mini"])):
        assert_no_secret(client.get(url).content.decode())
    # The review page of an open attempt sends the student back to the attempt.
    assert client.get(reverse("quizzes:review", args=[attempt.pk])).status_code == 302
    for response in attempt.responses.all():
        saved = client.post(reverse("quizzes:autosave", args=[attempt.pk, response.slot_id]),
                            {f"s{response.slot_id}-sequence": str(response.sequence + 5)})
        assert_no_secret(saved.content.decode())


def _submitted(student, quiz, policy, *, close_at=None):
    Quiz.objects.filter(pk=quiz.pk).update(review_policy=policy, close_at=close_at)
    quiz.refresh_from_db()
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, RIGHT)
    return services.attempt_submit(attempt=attempt)


@pytest.mark.parametrize("window", ["immediately", "open", "closed"])
def test_each_window_shows_exactly_its_items(client, student, quiz, window):
    policy = {w: [] for w in ("during", "immediately", "open", "closed")}
    policy[window] = ["attempt", "marks"]
    now = timezone.now()
    close_at = now + timedelta(hours=1) if window != "closed" else now + timedelta(minutes=30)
    attempt = _submitted(student, quiz, policy, close_at=close_at)
    # Move the clock by moving the attempt's submission and the quiz's close time.
    if window == "open":
        Attempt.objects.filter(pk=attempt.pk).update(submitted_at=now - timedelta(minutes=10))
    if window == "closed":
        Quiz.objects.filter(pk=quiz.pk).update(close_at=now - timedelta(minutes=1))
    client.force_login(student)
    html = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "7.00 / 7.00" in html  # marks shown
    assert_no_secret(html)  # but no feedback, explanation or key


def test_window_without_items_shows_nothing_but_the_notice(client, student, quiz):
    policy = {w: [] for w in ("during", "immediately", "open", "closed")}
    attempt = _submitted(student, quiz, policy)
    client.force_login(student)
    html = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "not available now" in html or "검토" in html
    assert_no_secret(html)
    assert "7.00" not in html


def test_full_policy_shows_keys_feedback_and_explanations(client, student, quiz):
    policy = {w: list(REVIEW_ITEMS) for w in ("immediately", "open", "closed")}
    policy["during"] = []
    attempt = _submitted(student, quiz, policy)
    client.force_login(student)
    html = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    for secret in ("맞습니다: 생성자가 만듭니다.", "생성자는 노이즈에서 이미지를 만듭니다.",
                   "BERT는 인코더, GPT는 디코더.", "생성자와 판별자."):
        assert secret in html
    assert "is-correct" in html


def test_teacher_always_sees_everything(client, student, teacher, quiz):
    policy = {w: [] for w in ("during", "immediately", "open", "closed")}
    attempt = _submitted(student, quiz, policy)
    client.force_login(teacher)
    html = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "생성자는 노이즈에서 이미지를 만듭니다." in html


def test_scripts_on_the_attempt_page_carry_no_answer_data(client, student, quiz):
    client.force_login(student)
    attempt = services.attempt_start(user=student, quiz=quiz)
    html = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    for script in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S):
        for secret in SECRETS:
            assert secret not in script
    for blob in re.findall(r"data-[a-z-]+='([^']*)'", html):
        try:
            json.loads(blob)
        except ValueError:
            continue
        assert "fraction" not in blob
