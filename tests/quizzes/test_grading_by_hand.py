"""Answers a person grades (essays): the teacher's grading page lists them, a mark from 0 to the
question's maximum with a comment is saved, the attempt's score and the quiz grade follow, and
the student reads the comment with the feedback. Anything else is refused and changes nothing."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quizzes import services
from quizzes.models import Attempt, Quiz, Response

from .conftest import RIGHT, answer_all
from .test_gradebook import _add_essay

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay_attempt(student, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(close_at=None)  # the default policy: all shown
    quiz.refresh_from_db()
    _add_essay(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, {**RIGHT, "m-essay": {"text": "생성자와 판별자가\n서로 경쟁합니다."}})
    return services.attempt_submit(attempt=attempt)


def _essay(attempt) -> Response:
    return attempt.responses.get(version__question__key="m-essay")


def test_a_teacher_grades_an_essay_and_the_score_grade_and_review_follow(
        client, teacher, student, quiz, essay_attempt):
    assert essay_attempt.score is None  # awaiting a grader
    client.force_login(teacher)
    url = reverse("quizzes:grading", args=["mini", quiz.slug])
    page = client.get(url).content.decode()
    assert "서로 경쟁합니다" in page and "채점을 기다리는 답안이 1개 있습니다" in page
    assert url in client.get(reverse("quizzes:results", args=["mini", quiz.slug])
                             ).content.decode()

    essay = _essay(essay_attempt)
    saved = client.post(url, {"response": essay.pk, "mark": "0.5", "comment": "근거를 더 쓰세요"})
    assert saved.status_code == 302 and saved["Location"].endswith(f"#response-{essay.pk}")
    essay.refresh_from_db()
    essay_attempt.refresh_from_db()
    assert (essay.state, essay.fraction, essay.manual_comment) == ("partial", 0.5, "근거를 더 쓰세요")
    assert float(essay_attempt.score) == pytest.approx(7.5)  # 7 right of 8, and half of 1
    api = APIClient()
    api.force_authenticate(student)
    body = api.get(reverse("api-quiz", args=["mini", quiz.slug])).json()
    assert body["grade_status"] == "graded"
    client.force_login(student)
    review = client.get(reverse("quizzes:review", args=[essay_attempt.pk])).content.decode()
    assert "채점자 코멘트" in review and "근거를 더 쓰세요" in review

    # Graded again: the form shows the mark given, and a new one replaces it.
    client.force_login(teacher)
    assert 'value="0.5"' in client.get(url).content.decode()
    client.post(url, {"response": essay.pk, "mark": "1", "comment": ""})
    essay_attempt.refresh_from_db()
    assert float(essay_attempt.score) == pytest.approx(8)


@pytest.mark.parametrize("mark", ["2", "-1", "abc", "", "NaN", "1e999"])
def test_a_mark_out_of_range_is_refused_and_stores_nothing(client, teacher, quiz, essay_attempt,
                                                          mark):
    client.force_login(teacher)
    url = reverse("quizzes:grading", args=["mini", quiz.slug])
    essay = _essay(essay_attempt)
    page = client.post(url, {"response": essay.pk, "mark": mark}, follow=True)
    assert "채점 점수: 0에서 1 사이의 수여야 합니다" in page.content.decode()  # what, the bounds
    essay.refresh_from_db()
    assert (essay.state, essay.fraction) == ("needs_grading", None)
    assert Attempt.objects.get(pk=essay_attempt.pk).score is None


def test_only_a_submitted_answer_graded_by_hand_of_this_quiz_can_be_graded(
        client, teacher, student, quiz, essay_attempt, mini_course):
    client.force_login(teacher)
    url = reverse("quizzes:grading", args=["mini", quiz.slug])
    choice = essay_attempt.responses.get(version__question__key="m-q1")  # graded by the key
    open_attempt = services.attempt_start(user=student, quiz=quiz)
    for response_id in (choice.pk, _essay(open_attempt).pk, "x", "", 10**12):
        assert client.post(url, {"response": response_id, "mark": "0"}).status_code == 404
    other = Quiz.objects.exclude(pk=quiz.pk).filter(course=mini_course).first()
    assert client.post(reverse("quizzes:grading", args=["mini", other.slug]),
                       {"response": _essay(essay_attempt).pk, "mark": "0"}).status_code == 404
    choice.refresh_from_db()
    assert choice.state == "correct"


@pytest.mark.django_db(transaction=True)
def test_two_graders_marking_one_attempt_at_once_both_count(student, quiz):
    """One grader's transaction is paused after its mark; the other marks another answer of the
    same attempt meanwhile, then the first commits: the score holds both marks."""
    import threading

    from django.db import connection

    from quizzes.models import Category, Slot

    from .races import paused_in_transaction, run_then_release

    category = Category.objects.filter(course=quiz.course).first()
    last = quiz.slots.order_by("-position").first().position
    for i in (1, 2):
        essay = services.question_create(
            course=quiz.course, category=category, name=f"essay {i}", qtype="essay",
            key=f"m-essay-{i}", stem="GAN?", data={"response_format": "plain"})
        Slot.objects.create(quiz=quiz, position=last + i, question=essay, mark=1)
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, {**RIGHT, "m-essay-1": {"text": "하나"}, "m-essay-2": {"text": "둘"}})
    attempt = services.attempt_submit(attempt=attempt)
    first, second = (attempt.responses.get(version__question__key=f"m-essay-{i}")
                     for i in (1, 2))
    errors: list = []

    def grade(response):
        services.response_grade_manually(
            response=Response.objects.select_related("attempt").get(pk=response.pk),
            fraction=1.0)

    def grade_meanwhile():
        try:
            grade(second)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    paused, _marked, go = paused_in_transaction(lambda: grade(first), errors)
    run_then_release(threading.Thread(target=grade_meanwhile), go, paused)
    assert not errors, errors
    # 7 right of the 8 keyed questions, and both essays' full marks.
    score = Attempt.objects.get(pk=attempt.pk).score
    assert score is not None and float(score) == pytest.approx(9), score


def test_the_results_page_lists_an_attempt_awaiting_grading_as_such_with_its_review(
        client, teacher, quiz, essay_attempt):
    """The results page's attempts table showed a bare "—", with no link, for a submitted
    attempt whose essay awaits a grader: it read like no score at all, and the teacher could
    not open the attempt from there."""
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=["mini", quiz.slug])).content.decode()
    attempts = page[page.index('id="attempts-heading"'):page.index('id="overrides-heading"')]
    review = reverse("quizzes:review", args=[essay_attempt.pk])
    assert f'<a href="{review}">채점 대기</a>' in attempts
    assert client.get(review).status_code == 200


def test_a_regrade_of_the_essay_keeps_the_marks_given_by_hand(client, teacher, quiz,
                                                              essay_attempt):
    """The teacher fixes a typo in the essay's question and follows the editor on to the
    regrade: its dry run showed the graded attempt going from its score to "—", and the commit
    wiped the mark a person gave (the essay type can only say "needs grading" again), sending
    the attempt back to "awaiting grading"."""
    from quizzes.models import Question

    essay = _essay(essay_attempt)
    services.response_grade_manually(response=essay, fraction=0.5, comment="근거를 더 쓰세요")
    question = Question.objects.get(course=quiz.course, key="m-essay")
    latest = question.latest_version()
    services.question_version_create(question=question, stem="Explain GANs in your own words!",
                                     data=latest.data, user=teacher)
    client.force_login(teacher)
    url = reverse("quizzes:regrade", args=["mini", quiz.slug, question.pk])
    dry = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 of them change mark" in dry and "<strong>" not in dry.split("<tbody>")[1]
    assert client.post(url, {"reason": "typo"}).status_code == 302
    essay.refresh_from_db()
    essay_attempt.refresh_from_db()
    assert essay.version == question.latest_version()
    assert (essay.fraction, essay.state, essay.manual_comment) == (0.5, "partial", "근거를 더 쓰세요")
    assert float(essay_attempt.score) == pytest.approx(7.5)


def test_the_regrade_dry_run_counts_an_attempt_awaiting_grading_whose_mark_changes(
        client, teacher, student, make_user, enrol, mini_course, quiz, essay_attempt):
    """Two attempts answered m-q3 "true"; one awaits a grader for its essay (no score yet).
    The key is fixed to "false": both lose that question's mark, but the dry run compared
    scores only, so the attempt awaiting grading read "— → —", unchanged, and the page said
    "1 of them change mark" (and the commit "1 marks changed")."""
    from quizzes.models import Question

    other = make_user("other")
    enrol(other, mini_course, "student")
    graded = services.attempt_start(user=other, quiz=quiz)
    answer_all(graded, RIGHT)
    services.attempt_submit(attempt=graded)
    question = Question.objects.get(course=mini_course, key="m-q3")
    latest = question.latest_version()
    services.question_version_create(question=question, stem=latest.stem, user=teacher,
                                     data={**latest.data, "correct": False})
    client.force_login(teacher)
    url = reverse("quizzes:regrade", args=["mini", quiz.slug, question.pk])
    dry = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "affects 2 submitted attempts; 2 of them change mark." in dry
    row = next(r for r in dry.split("<tr")[1:] if f"<td>{student.username}</td>" in r)
    assert "Awaiting grading" in row and "1.00 → <strong>0.00</strong>" in row
    done = client.post(url, {"reason": "key"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Regraded 2 attempts; 2 marks changed." in done.content.decode()
