"""An instructor's week in a real browser: item statistics with plots, fix a key with a regrade
dry run, commit it, and answer a student's dispute."""

import re

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def answered_quiz(accounts, course, django_user_model):
    """Six students took the week-7 quiz; one disputed its first item."""
    from courses.services import enrollment_create
    from quizzes import services
    from quizzes.models import Quiz

    quiz = Quiz.objects.get(course=course, slug="week07-quiz")
    first_dispute = None
    for n in range(6):
        user = django_user_model.objects.create_user(f"s{n}", password="pw-123456!")
        enrollment_create(user=user, course=course, role="student")
        attempt = services.attempt_start(user=user, quiz=quiz)
        for response in attempt.responses.select_related("version"):
            if response.version.qtype == "single_choice":
                choices = response.version.data["choices"]
                pick = n % len(choices)
                services.response_save(attempt=attempt, slot_id=response.slot_id,
                                       answer={"choice": choices[pick]["text"]},
                                       base_sequence=0)
        attempt = services.attempt_submit(attempt=attempt)
        if first_dispute is None:
            first = attempt.responses.order_by("position").first()
            first_dispute = services.dispute_create(user=user, response=first,
                                                    comment="보기 2도 맞지 않나요?")
    return quiz


def test_statistics_fix_key_regrade_and_answer_dispute(page_for, answered_quiz):
    page = page_for("instructor", "instructor-pass")
    page.goto("/courses/genai-intro/")
    page.click(f"a[href$='/quizzes/{answered_quiz.slug}/results/']")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart").count() >= 3  # histogram, facility, discrimination
    assert "6" in page.locator("main > p").first.inner_text()
    shot(page, "statistics")

    # Fix the first item's key: move it to choice 2.
    # The bank's form editor, which leads on to the regrade's dry run.
    page.locator("a:has-text('수정')").first.click()
    page.wait_for_selector("#d-choices-0-fraction")
    rows = int(page.locator("input[name='d-choices-rows']").input_value())
    for i in range(rows):
        page.select_option(f"#d-choices-{i}-fraction", "1.0" if i == 1 else "0.0")
    page.click("button.primary:has-text('저장')")
    page.wait_for_url(re.compile(r"/regrade/$"))
    assert page.locator("td:has-text('v1 → v2')").count() == 6
    shot(page, "regrade-dry-run")
    page.fill("#reason", "보기 2가 정답")
    page.click("button:has-text('재채점 확정')")
    page.wait_for_url(re.compile(r"/results/$"))
    page.wait_for_selector("text=재채점했습니다")

    dispute = page.locator(".dispute.card").first
    dispute.locator("textarea").fill("맞습니다. 정답을 고치고 재채점했습니다.")
    dispute.locator("input[name=accept]").check()
    dispute.locator("button:has-text('답변 보내기')").click()
    page.wait_for_selector("text=맞습니다. 정답을 고치고 재채점했습니다.")
    from quizzes.models import Dispute, RegradeLog

    assert Dispute.objects.get().status == "accepted"
    assert RegradeLog.objects.count() == 1
