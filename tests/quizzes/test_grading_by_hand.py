"""Answers a person grades (essays): the teacher's grading page lists them, a mark from 0 to the
question's maximum with a comment is saved, the attempt's score and the quiz grade follow, and
the student reads the comment with the feedback. Anything else is refused and changes nothing."""

from html.parser import HTMLParser

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


class _Fields(HTMLParser):
    """The fields a browser sends from a page's forms: inputs with their values, textareas with
    their text."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def _form_of(client, url) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200
    parser = _Fields()
    parser.feed(page.content.decode())
    parser.fields.pop("csrfmiddlewaretoken", None)
    return parser.fields


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
    form = _form_of(client, url)
    assert form[f"mark-{essay.pk}"] == "" and form[f"comment-{essay.pk}"] == ""
    form.update({f"mark-{essay.pk}": "0.5", f"comment-{essay.pk}": "근거를 더 쓰세요\r\n둘째 줄"})
    saved = client.post(url, form, follow=True)
    assert saved.redirect_chain == [(url, 302)]
    assert "점수 1개를 저장했습니다" in saved.content.decode()
    essay.refresh_from_db()
    essay_attempt.refresh_from_db()
    assert (essay.state, essay.fraction, essay.manual_comment) == (
        "partial", 0.5, "근거를 더 쓰세요\n둘째 줄")
    assert float(essay_attempt.score) == pytest.approx(7.5)  # 7 right of 8, and half of 1
    api = APIClient()
    api.force_authenticate(student)
    body = api.get(reverse("api-quiz", args=["mini", quiz.slug])).json()
    assert body["grade_status"] == "graded"
    client.force_login(student)
    review = client.get(reverse("quizzes:review", args=[essay_attempt.pk])).content.decode()
    assert "채점자 코멘트" in review and "근거를 더 쓰세요" in review

    # Sent again unchanged, nothing is saved; graded again, a new mark replaces the first.
    client.force_login(teacher)
    form = _form_of(client, url)
    assert form[f"mark-{essay.pk}"] == "0.5"
    assert "바뀐 점수나 코멘트가 없어" in client.post(url, form, follow=True).content.decode()
    form.update({f"mark-{essay.pk}": "1", f"comment-{essay.pk}": ""})
    client.post(url, form)
    essay_attempt.refresh_from_db()
    assert float(essay_attempt.score) == pytest.approx(8)


@pytest.mark.parametrize("mark", ["2", "-1", "abc", "NaN", "1e999"])
def test_a_mark_out_of_range_is_refused_and_stores_nothing(client, teacher, quiz, essay_attempt,
                                                          mark):
    client.force_login(teacher)
    url = reverse("quizzes:grading", args=["mini", quiz.slug])
    essay = _essay(essay_attempt)
    form = _form_of(client, url)
    form.update({f"mark-{essay.pk}": mark, f"comment-{essay.pk}": "다시 보세요"})
    page = client.post(url, form)
    assert page.status_code == 400
    text = page.content.decode()
    assert "채점 점수: 0에서 1 사이의 수여야 합니다" in text  # what, the bounds
    assert f'value="{mark}"' in text and "다시 보세요</textarea>" in text  # what was typed stays
    essay.refresh_from_db()
    assert (essay.state, essay.fraction, essay.manual_comment) == ("needs_grading", None, "")
    assert Attempt.objects.get(pk=essay_attempt.pk).score is None


def test_only_a_submitted_answer_graded_by_hand_of_this_quiz_can_be_graded(
        client, teacher, student, quiz, essay_attempt, mini_course):
    client.force_login(teacher)
    url = reverse("quizzes:grading", args=["mini", quiz.slug])
    choice = essay_attempt.responses.get(version__question__key="m-q1")  # graded by the key
    open_attempt = services.attempt_start(user=student, quiz=quiz)
    for response_id in (choice.pk, _essay(open_attempt).pk, "x", 10**12):
        sent = client.post(url, {f"mark-{response_id}": "0", f"comment-{response_id}": "no"},
                           follow=True)
        assert "바뀐 점수나 코멘트가 없어" in sent.content.decode()
    other = Quiz.objects.exclude(pk=quiz.pk).filter(course=mini_course).first()
    essay = _essay(essay_attempt)
    client.post(reverse("quizzes:grading", args=["mini", other.slug]),
                {f"mark-{essay.pk}": "0", f"comment-{essay.pk}": "no"})
    choice.refresh_from_db()
    essay.refresh_from_db()
    assert choice.state == "correct" and essay.state == "needs_grading"


@pytest.fixture
def two_essays(student, quiz):
    """A submitted attempt with two answered essays, each worth 1, and 7 of 8 keyed right."""
    from quizzes.models import Category, Slot

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
    return attempt, [attempt.responses.get(version__question__key=f"m-essay-{i}")
                     for i in (1, 2)]


def test_the_page_saves_every_changed_mark_at_once_or_none(client, teacher, quiz, two_essays):
    attempt, (first, second) = two_essays
    client.force_login(teacher)
    url = reverse("quizzes:grading", args=["mini", quiz.slug])
    form = _form_of(client, url)
    form.update({f"mark-{first.pk}": "1", f"mark-{second.pk}": "5", f"comment-{second.pk}": "?"})
    refused = client.post(url, form)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "점수를 하나도 저장하지 않았습니다. 고쳐야 할 답안이 1개 있습니다" in text
    assert f'aria-describedby="error-{second.pk}"' in text
    assert f'aria-describedby="error-{first.pk}"' not in text
    first.refresh_from_db()
    assert first.state == "needs_grading"  # valid, but not saved without the other

    form.update({f"mark-{second.pk}": "0.25"})
    saved = client.post(url, form, follow=True)
    assert "점수 2개를 저장했습니다" in saved.content.decode()
    attempt.refresh_from_db()
    assert float(attempt.score) == pytest.approx(7 + 1 + 0.25)


def another_grader_marks(response, make_user, enrol, mini_course, quiz) -> None:
    """A TA gives `response` full marks and the comment "충분합니다" through the API."""
    ta = make_user("ta")
    enrol(ta, mini_course, "ta")
    api = APIClient()
    api.force_authenticate(ta)
    assert api.put(reverse("api-grading-answer", args=["mini", quiz.slug, response.pk]),
                   {"mark": 1, "comment": "충분합니다"}, format="json").status_code == 200


def test_a_mark_another_grader_changed_meanwhile_is_not_overwritten(
        client, teacher, make_user, enrol, mini_course, quiz, two_essays):
    attempt, (first, second) = two_essays
    client.force_login(teacher)
    url = reverse("quizzes:grading", args=["mini", quiz.slug])
    form = _form_of(client, url)  # the first grader's page
    another_grader_marks(first, make_user, enrol, mini_course, quiz)

    form.update({f"mark-{first.pk}": "0", f"mark-{second.pk}": "1"})
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "그 사이 다른 채점자가 이 점수를 바꿨습니다" in refused.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.fraction, first.manual_comment, second.state) == (1.0, "충분합니다",
                                                                     "needs_grading")
    # The page now shows the other grader's mark, and the first grader's typed one elsewhere.
    shown = _Fields()
    shown.feed(refused.content.decode())
    assert shown.fields[f"mark-{first.pk}"] == "1"
    assert shown.fields[f"mark-{second.pk}"] == "1"
    assert client.post(url, shown.fields).status_code == 302  # sent again: the second is saved
    attempt.refresh_from_db()
    assert float(attempt.score) == pytest.approx(9)


def test_a_refused_page_sent_again_keeps_what_another_grader_changed_meanwhile(
        client, teacher, make_user, enrol, mini_course, quiz, two_essays):
    """The first grader leaves the first essay as it was and mistypes the second's mark; another
    grader marks the first meanwhile. The refused page shows the other grader's mark, so the
    page corrected and sent again does not put the first essay back as it was."""
    attempt, (first, second) = two_essays
    client.force_login(teacher)
    url = reverse("quizzes:grading", args=["mini", quiz.slug])
    form = _form_of(client, url)
    another_grader_marks(first, make_user, enrol, mini_course, quiz)
    form.update({f"mark-{second.pk}": "9"})
    refused = client.post(url, form)
    assert refused.status_code == 400
    again = _Fields()
    again.feed(refused.content.decode())
    assert again.fields[f"mark-{first.pk}"] == "1" and again.fields[f"mark-{second.pk}"] == "9"
    again.fields[f"mark-{second.pk}"] = "0.5"
    assert client.post(url, again.fields).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.fraction, first.manual_comment, second.fraction) == (1.0, "충분합니다", 0.5)


@pytest.mark.django_db(transaction=True)
def test_two_graders_marking_one_attempt_at_once_both_count(two_essays):
    """One grader's transaction is paused after its mark; the other marks another answer of the
    same attempt meanwhile, then the first commits: the score holds both marks."""
    import threading

    from django.db import connection

    from .races import paused_in_transaction, run_then_release

    attempt, (first, second) = two_essays
    errors: list = []

    def grade(response):
        services.response_grade_manually(
            response=Response.objects.select_related("attempt").get(pk=response.pk), mark=1)

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


def _grading_api(quiz, response_id=None) -> str:
    if response_id is None:
        return reverse("api-grading", args=["mini", quiz.slug])
    return reverse("api-grading-answer", args=["mini", quiz.slug, response_id])


def test_the_api_lists_grades_an_essay_and_the_student_reads_the_comment(
        teacher, student, make_user, enrol, mini_course, quiz, essay_attempt):
    api = APIClient()
    api.force_authenticate(teacher)
    (listed,) = api.get(_grading_api(quiz)).json()
    essay = _essay(essay_attempt)
    assert listed == {
        "id": essay.pk, "student": "stu", "attempt_id": essay_attempt.pk, "attempt_number": 1,
        "question_id": essay.version.question_id, "position": essay.position,
        "state": "needs_grading", "answer": {"text": "생성자와 판별자가\n서로 경쟁합니다."},
        "mark": None, "max_mark": 1.0, "comment": "", "grader_info": ""}

    graded = api.put(_grading_api(quiz, essay.pk), {"mark": 0.5, "comment": "근거를 더 쓰세요"},
                     format="json")
    assert graded.status_code == 200, graded.content
    assert {k: graded.json()[k] for k in ("state", "mark", "comment")} == {
        "state": "partial", "mark": 0.5, "comment": "근거를 더 쓰세요"}
    essay_attempt.refresh_from_db()
    assert float(essay_attempt.score) == pytest.approx(7.5)

    api.force_authenticate(student)
    questions = api.get(reverse("api-attempt", args=[essay_attempt.pk])).json()["questions"]
    comments = {q["slot_id"]: q["grader_comment"] for q in questions}
    assert comments.pop(essay.slot_id) == "근거를 더 쓰세요"
    assert set(comments.values()) == {""}
    # A student, and a TA of no course of theirs, neither read nor grade.
    outsider = make_user("ta-elsewhere")
    for user in (student, outsider):
        api.force_authenticate(user)
        assert api.get(_grading_api(quiz)).status_code in (403, 404)
        assert api.put(_grading_api(quiz, essay.pk), {"mark": 1}, format="json"
                       ).status_code in (403, 404)
    ta = make_user("ta")
    enrol(ta, mini_course, "ta")
    api.force_authenticate(ta)
    assert api.put(_grading_api(quiz, essay.pk), {"mark": 1}, format="json").status_code == 200
    essay_attempt.refresh_from_db()
    assert float(essay_attempt.score) == pytest.approx(8)


@pytest.mark.parametrize("body", [
    {"mark": 2}, {"mark": -1}, {"mark": "abc"}, {"mark": None}, {"mark": True}, {},
    {"mark": [1]}, {"mark": 1, "comment": "x" * 4001}, {"mark": 1, "comment": "a\x00b"},
    '{"mark": 1e999}', '{"mark": NaN}'])
def test_the_api_refuses_a_bad_mark_or_comment_and_stores_nothing(teacher, quiz, essay_attempt,
                                                                  body):
    api = APIClient()
    api.force_authenticate(teacher)
    essay = _essay(essay_attempt)
    if isinstance(body, str):
        sent = api.put(_grading_api(quiz, essay.pk), body, content_type="application/json")
    else:
        sent = api.put(_grading_api(quiz, essay.pk), body, format="json")
    assert sent.status_code == 400, sent.content
    essay.refresh_from_db()
    assert (essay.state, essay.fraction, essay.manual_comment) == ("needs_grading", None, "")
    assert Attempt.objects.get(pk=essay_attempt.pk).score is None


def test_the_api_grades_only_a_submitted_answer_graded_by_hand_of_this_quiz(
        teacher, student, quiz, essay_attempt):
    api = APIClient()
    api.force_authenticate(teacher)
    choice = essay_attempt.responses.get(version__question__key="m-q1")
    open_attempt = services.attempt_start(user=student, quiz=quiz)
    for response_id in (choice.pk, _essay(open_attempt).pk, 10**12):
        assert api.put(_grading_api(quiz, response_id), {"mark": 0}, format="json"
                       ).status_code == 404
    choice.refresh_from_db()
    assert choice.state == "correct"


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
    services.response_grade_manually(response=essay, mark=0.5, comment="근거를 더 쓰세요")
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
