"""The results page as an instructor reads it: a flagged item's badge keeps to one line."""

import pytest

pytestmark = pytest.mark.e2e


def _answer(attempt, *, right_on):
    """Answer every single-choice question: right on the positions in `right_on`."""
    from quizzes import services

    for response in attempt.responses.select_related("version"):
        if response.version.qtype != "single_choice":
            continue
        choices = response.version.data["choices"]
        pick = next(c for c in choices if (c["fraction"] == 1) == (response.position in right_on))
        services.response_save(attempt=attempt, slot_id=response.slot_id,
                               answer={"choice": pick["text"]}, base_sequence=response.sequence)
    return services.attempt_submit(attempt=attempt)


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_a_flagged_items_badge_stays_on_one_line(page_for, accounts, course,
                                                  django_user_model, locale):
    from courses.services import enrollment_create
    from quizzes import services
    from quizzes.models import Quiz

    quiz = Quiz.objects.get(course=course, slug="week06-quiz")
    # Item 1 is right only for the weakest students: negative discrimination, flagged (six
    # attempts: quizzes.statistics.MIN_ATTEMPTS_TO_FLAG).
    for name, right_on in [(f"{level}{n}", right_on) for n in (1, 2) for level, right_on in
                           (("strong", {2, 3, 7, 8}), ("middle", {2, 3}), ("weak", {1}))]:
        user = django_user_model.objects.create_user(name, password="pw")
        enrollment_create(user=user, course=course, role="student")
        _answer(services.attempt_start(user=user, quiz=quiz), right_on=right_on)
    page = page_for("instructor", "instructor-pass", locale=locale)
    page.goto(f"/courses/{course.slug}/quizzes/{quiz.slug}/results/")
    badges = page.locator("td .badge.bad")
    assert badges.count() >= 1
    # An inline-block's one box: its height in lines of its own text.
    lines = badges.first.evaluate("b => Math.round(b.clientHeight"
                                  " / parseFloat(getComputedStyle(b).lineHeight))")
    assert lines == 1, badges.first.inner_text()
