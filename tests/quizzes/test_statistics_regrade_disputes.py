"""Item statistics checked by hand, regrade dry run and commit, disputes, and the gradebook."""

import re

import pytest
from django.urls import reverse

from quizzes import reports, services
from quizzes.models import Dispute, Quiz, RegradeLog, Response, Slot

from .editor_form import form_fields

pytestmark = pytest.mark.django_db


def choice_question(course, category, key, right):
    return services.question_create(
        course=course, category=category, name=key, key=key, qtype="single_choice",
        stem=f"{key}?", data={"choices": [
            {"text": f"{key}-a", "fraction": 1 if right == 0 else 0},
            {"text": f"{key}-b", "fraction": 1 if right == 1 else 0},
            {"text": f"{key}-c", "fraction": 1 if right == 2 else 0}], "shuffle": False})


# Each student's choices on items A, B, C. A's and B's key is choice 0; C's key is (wrongly) 0.
PATTERNS = {
    "s1": (0, 0, 1), "s2": (0, 0, 1), "s3": (0, 1, 2),
    "s4": (1, 0, 0), "s5": (1, 1, 0), "s6": (1, 1, 0),
}


@pytest.fixture
def graded_quiz(mini_course, make_user, enrol):
    category = services.category_get_or_create_path(course=mini_course, path=("Stats",))
    questions = [choice_question(mini_course, category, k, 0) for k in ("A", "B", "C")]
    quiz = Quiz.objects.create(course=mini_course, slug="stats", title="Stats",
                               shuffle_choices=False)
    for i, q in enumerate(questions):
        Slot.objects.create(quiz=quiz, position=i + 1, question=q)
    attempts = {}
    for name, picks in PATTERNS.items():
        user = make_user(name)
        enrol(user, mini_course, "student")
        attempt = services.attempt_start(user=user, quiz=quiz)
        for response in attempt.responses.select_related("slot"):
            services.response_save(attempt=attempt, slot_id=response.slot_id,
                                   answer={"choice": "{}-{}".format(
                                       "ABC"[response.slot.position - 1],
                                       "abc"[picks[response.slot.position - 1]])},
                                   base_sequence=0)
        attempts[name] = services.attempt_submit(attempt=attempt)
    return quiz, questions, attempts


def test_statistics_match_hand_computed_values(graded_quiz):
    quiz, _, attempts = graded_quiz
    assert {n: float(a.score) for n, a in attempts.items()} == {
        "s1": 2, "s2": 2, "s3": 1, "s4": 2, "s5": 1, "s6": 1}
    report = reports.quiz_report(quiz=quiz)
    a, b, c = report.items
    assert a.stats.facility == pytest.approx(50.0)
    # A: scores [1,1,1,0,0,0], rest of test [1,1,0,2,1,1] -> r = -1/sqrt(3)
    assert a.stats.discrimination == pytest.approx(-100 / 3 ** 0.5)
    # B: the rest of the test is 1 for everyone: no variance, no discrimination.
    assert b.stats.facility == pytest.approx(50.0) and b.stats.discrimination is None
    # C: scores [0,0,0,1,1,1], rest [2,2,1,1,0,0] -> r = -2/sqrt(6)
    assert c.stats.discrimination == pytest.approx(-200 / 6 ** 0.5)
    assert "negative_discrimination" in c.stats.flags
    # Top third by score (ties by attempt order) = s2, s4; bottom third = s3, s5.
    assert c.stats.choice_counts_top == {"C-b": 1, "C-a": 1}
    assert c.stats.choice_counts_bottom == {"C-c": 1, "C-a": 1}
    assert report.histogram == [0, 0, 0, 3, 0, 0, 3, 0, 0, 0]


def test_regrade_dry_run_then_commit_after_fixing_the_key(graded_quiz, make_user, mini_course,
                                                          enrol):
    quiz, (_, _, c), attempts = graded_quiz
    teacher = make_user("t")
    enrol(teacher, mini_course, "instructor")
    services.question_version_create(question=c, stem="C?", user=teacher, data={"choices": [
        {"text": "C-a", "fraction": 0}, {"text": "C-b", "fraction": 1},
        {"text": "C-c", "fraction": 0}], "shuffle": False}, change_note="fix key")
    plan = services.regrade_plan(quiz=quiz, question=c)
    old_new = {ch.username: (ch.old_score, ch.new_score) for ch in plan.changes}
    assert old_new == {"s1": (2, 3), "s2": (2, 3), "s3": (1, 1), "s4": (2, 1), "s5": (1, 0),
                       "s6": (1, 0)}
    # A dry run writes nothing.
    assert float(Quiz.objects.get(pk=quiz.pk).attempts.get(user__username="s1").score) == 2
    log = services.regrade_commit(quiz=quiz, question=c, user=teacher, reason="key was wrong")
    assert len(log.changes) == 6 and RegradeLog.objects.count() == 1
    scores = {a.user.username: float(a.score) for a in quiz.attempts.select_related("user")}
    assert scores == {"s1": 3, "s2": 3, "s3": 1, "s4": 1, "s5": 0, "s6": 0}
    assert set(Response.objects.filter(version__question=c).values_list(
        "version__number", flat=True)) == {2}
    assert reports.quiz_report(quiz=quiz).items[2].stats.discrimination > 0


def test_regrade_pages_show_dry_run_and_commit(client, graded_quiz, make_user, mini_course,
                                               enrol):
    quiz, (_, _, c), _ = graded_quiz
    teacher = make_user("t")
    enrol(teacher, mini_course, "instructor")
    client.force_login(teacher)
    editor = client.get(reverse("quizzes:question-edit", args=["mini", quiz.slug, c.pk]),
                        follow=True)
    fields = form_fields(editor.content.decode())
    bad = client.post(editor.request["PATH_INFO"], {**fields, "d-choices-0-fraction": "abc"})
    assert bad.status_code == 400 and "aria-invalid" in bad.content.decode()
    fields.update({"d-choices-0-fraction": "0", "d-choices-1-fraction": "1"})
    response = client.post(editor.request["PATH_INFO"], fields)
    regrade_url = reverse("quizzes:regrade", args=["mini", quiz.slug, c.pk])
    assert response["Location"] == regrade_url
    dry = client.get(regrade_url).content.decode()
    assert "v1 → v2" in dry and "<strong>3.00</strong>" in dry
    client.post(regrade_url, {"reason": "fix"})
    assert float(quiz.attempts.get(user__username="s1").score) == 3


def test_dispute_flow_student_to_instructor_and_back(client, graded_quiz, make_user,
                                                     mini_course, enrol):
    quiz, (_, _, c), attempts = graded_quiz
    s1 = attempts["s1"]
    response = s1.responses.get(version__question=c)
    client.force_login(s1.user)
    client.post(reverse("quizzes:dispute", args=[s1.pk, response.pk]),
                {"comment": "B가 정답 아닌가요?"})
    dispute = Dispute.objects.get()
    assert dispute.question == c and dispute.status == "open"
    teacher = make_user("t")
    enrol(teacher, mini_course, "instructor")
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=["mini", quiz.slug])).content.decode()
    assert "B가 정답 아닌가요?" in page and "<svg" in page and "Check the key" in page or \
        "B가 정답 아닌가요?" in page and "<svg" in page
    client.post(reverse("quizzes:dispute-answer", args=["mini", quiz.slug, dispute.pk]),
                {"reply": "맞습니다. 키를 고쳤습니다.", "accept": "1"})
    dispute.refresh_from_db()
    assert dispute.status == "accepted"
    client.force_login(s1.user)
    review = client.get(reverse("quizzes:review", args=[s1.pk])).content.decode()
    assert "맞습니다. 키를 고쳤습니다." in review


def test_student_cannot_dispute_someone_elses_answer_or_see_results(client, graded_quiz):
    quiz, _, attempts = graded_quiz
    s1, s2 = attempts["s1"], attempts["s2"]
    client.force_login(s2.user)
    response = s1.responses.first()
    assert client.post(reverse("quizzes:dispute", args=[s1.pk, response.pk]),
                       {"comment": "x"}).status_code == 403
    assert client.get(reverse("quizzes:results", args=["mini", quiz.slug])).status_code == 403
    assert not Dispute.objects.exists()


def test_gradebook_and_csv(client, graded_quiz, make_user, mini_course, enrol):
    quiz, _, attempts = graded_quiz
    teacher = make_user("t")
    enrol(teacher, mini_course, "instructor")
    client.force_login(teacher)
    csv_text = client.get(reverse("quizzes:gradebook", args=["mini"]) + "?format=csv"
                          ).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("username,name,") and "stats" in lines[0]
    s1_line = next(line for line in lines if line.startswith("s1,"))
    assert ",66.7," in s1_line
    client.force_login(attempts["s3"].user)
    own = client.get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    # A student's own grades page: one row per quiz, no student column, their own grade.
    rows = re.findall(r'<th scope="row"><a href="([^"]*)"', own)
    assert reverse("quizzes:quiz", args=["mini", "stats"]) in rows
    assert "33.3%" in own and "66.7" not in own
    own_csv = client.get(reverse("quizzes:gradebook", args=["mini"]) + "?format=csv"
                         ).content.decode("utf-8-sig")
    # The header, the quizzes' weights, and the student's own row only.
    assert [line.split(",")[0] for line in own_csv.strip().splitlines()] == [
        "username", "#weight", "s3"]


def test_an_attempt_open_during_a_regrade_is_graded_by_the_fixed_key(
        client, student, teacher, make_user, mini_course, enrol, quiz):
    """The instructor fixes a wrong key mid-exam and regrades: an attempt still open moves onto
    the new version (the dry run counts it) and is graded with it when submitted, so two
    students with the same answer end with the same mark."""
    from rest_framework.test import APIClient

    from quizzes.models import Attempt, Question

    from .conftest import answer_all

    Quiz.objects.filter(pk=quiz.pk).update(close_at=None)
    quiz.refresh_from_db()
    early = make_user("early")
    enrol(early, mini_course, "student")
    # Both answer "true" to m-q3, the key the pack shipped with.
    submitted_first = services.attempt_start(user=early, quiz=quiz)
    answer_all(submitted_first, {"m-q3": {"value": True}})
    services.attempt_submit(attempt=submitted_first)
    still_open = services.attempt_start(user=student, quiz=quiz)
    answer_all(still_open, {"m-q3": {"value": True}})

    # The instructor decides the key was wrong (false), saves a new version and regrades.
    question = Question.objects.get(course=mini_course, key="m-q3")
    latest = question.latest_version()
    services.question_version_create(question=question, stem=latest.stem,
                                     data={**latest.data, "correct": False}, user=teacher)
    client.force_login(teacher)
    url = reverse("quizzes:regrade", args=["mini", quiz.slug, question.pk])
    assert "1 attempt still open moves onto version" in client.get(
        url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert client.post(url, {"reason": "the key was wrong"}).status_code == 302
    submitted_first.refresh_from_db()
    assert float(submitted_first.score) == 0  # regraded: "true" is wrong now
    moved = still_open.responses.get(version__question=question)
    assert moved.version == question.latest_version() and moved.answer == {"value": True}

    # The other student submits after the regrade, over the API.
    api = APIClient()
    api.force_authenticate(student)
    assert api.post(reverse("api-attempt-submit", args=[still_open.pk])).status_code == 200
    scores = {a.user.username: float(a.score) for a in Attempt.objects.filter(quiz=quiz)}
    assert scores[student.username] == scores["early"] == 0, scores


def test_attempts_awaiting_a_grader_are_left_out_of_the_statistics_until_graded(
        client, quiz, make_user, enrol, mini_course):
    """A class of four on the mini quiz (7 auto-graded items and an essay, 1 mark each): `a`
    writes the essay (its attempt has no score until a person grades it); `b` is all right,
    `c` all wrong, `d` right but for m-q1. Before a teacher grades `a`, the mean, the bands
    and the items are over b, c and d only, not with `a` counted as 0 %."""
    from .conftest import RIGHT, WRONG, answer_all
    from .test_gradebook import _add_essay

    Quiz.objects.filter(pk=quiz.pk).update(close_at=None)
    _add_essay(quiz)
    answers = {"a": {**RIGHT, "m-essay": {"text": "경쟁합니다"}}, "b": RIGHT, "c": WRONG,
               "d": {**RIGHT, "m-q1": WRONG["m-q1"]}}
    attempts = {}
    for name, answer in answers.items():
        user = make_user(name)
        enrol(user, mini_course, "student")
        attempt = services.attempt_start(user=user, quiz=quiz)
        answer_all(attempt, answer)
        attempts[name] = services.attempt_submit(attempt=attempt)
    assert attempts["a"].score is None
    assert [attempts[n].percent for n in "bcd"] == [87.5, 0.0, 75.0]

    report = reports.quiz_report(quiz=quiz)
    assert (report.attempt_count, report.awaiting_grading) == (3, 1)
    assert report.mean_percent == pytest.approx((87.5 + 0 + 75) / 3)
    assert report.histogram == [1, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    q1 = report.items[0]
    # m-q1: scores b, c, d = 1, 0, 0; rest of the test 6, 0, 6 -> r = 2 / sqrt(2/3 * 24) = 0.5
    assert q1.stats.count == 3 and q1.stats.facility == pytest.approx(100 / 3)
    assert q1.stats.discrimination == pytest.approx(50.0)
    teacher = make_user("t")
    enrol(teacher, mini_course, "instructor")
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=["mini", quiz.slug])).content.decode()
    assert "채점을 기다리는 시도 1개는 채점될 때까지 통계에서 빠집니다" in page
    assert client.get(f"/api/courses/mini/quizzes/{quiz.slug}/statistics/").json()[
        "awaiting_grading"] == 1

    essay = attempts["a"].responses.get(version__question__key="m-essay")
    services.response_grade_manually(response=essay, mark=1, comment="")
    report = reports.quiz_report(quiz=quiz)
    assert (report.attempt_count, report.awaiting_grading) == (4, 0)
    assert report.mean_percent == pytest.approx((100 + 87.5 + 0 + 75) / 4)


def test_a_right_typed_answer_or_no_answer_is_not_flagged_as_a_distractor(
        quiz, make_user, enrol, mini_course):
    """Three students: `b` all right (the top third), `c` all wrong (the bottom third), `d`
    right but for m-q1. The short answer and the numerical item have no choice keys, so the
    right text `b` typed was flagged as "a wrong choice picked more by the top third than the
    key"; the essay, which only `c` answered, was flagged for `b`'s "no answer"."""
    from .conftest import RIGHT, WRONG, answer_all
    from .test_gradebook import _add_essay

    _add_essay(quiz)
    answers = {"b": RIGHT, "c": {**WRONG, "m-essay": {"text": "모르겠습니다"}},
               "d": {**RIGHT, "m-q1": WRONG["m-q1"]}}
    for name, answer in answers.items():
        user = make_user(name)
        enrol(user, mini_course, "student")
        attempt = services.attempt_start(user=user, quiz=quiz)
        answer_all(attempt, answer)
        attempt = services.attempt_submit(attempt=attempt)
        if name == "c":
            services.response_grade_manually(
                response=attempt.responses.get(version__question__key="m-essay"),
                mark=0, comment="")
    items = {item.qtype: item for item in reports.quiz_report(quiz=quiz).items}
    for qtype in ("short_answer", "numerical", "essay"):
        assert items[qtype].stats.flags == [], qtype
        assert not any(row["flagged"] for row in items[qtype].rows), qtype


def test_a_typed_answer_is_shown_as_text_not_markup_on_the_results_page(
        client, quiz, make_user, enrol, mini_course, teacher):
    """A student's short answer written as Markdown became a live link (and an image from
    anywhere) in the answer table a teacher reads; it is shown as the text typed."""
    from .conftest import RIGHT, answer_all

    student = make_user("typist")
    enrol(student, mini_course, "student")
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, {**RIGHT, "m-q4": {
        "text": "[채점 이의 양식](https://evil.example/form) ![x](https://evil.example/t.png)"}})
    services.attempt_submit(attempt=attempt)
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=["mini", quiz.slug])).content.decode()
    assert "evil.example" in page  # the answer is listed ...
    assert 'href="https://evil.example' not in page and 'src="https://evil.example' not in page
    # ... while an authored choice keeps its formatting (the pack's choices are plain words).
    assert "<td>생성자</td>" in page


def test_an_essay_has_no_answer_frequency_table(client, quiz, make_user, enrol, mini_course,
                                                 teacher):
    """The essay's item listed each essay's first 60 characters, lower-cased, as the
    "answers" of a frequency table (one row per student): it says nothing about the item and
    showed what students wrote, on the results page and in the statistics API. A question a
    person grades has no table; its facility is still given."""
    from .conftest import RIGHT, answer_all
    from .test_gradebook import _add_essay

    _add_essay(quiz)
    student = make_user("writer")
    enrol(student, mini_course, "student")
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, {**RIGHT, "m-essay": {"text": "GAN은 생성자와 판별자가 서로 경쟁하며 "
                                                      "배우는 구조입니다. SECRET-WORDS"}})
    attempt = services.attempt_submit(attempt=attempt)
    services.response_grade_manually(
        response=attempt.responses.get(version__question__key="m-essay"), mark=1, comment="")
    essay = {item.qtype: item for item in reports.quiz_report(quiz=quiz).items}["essay"]
    assert essay.rows == [] and essay.stats.choice_counts_all == {}
    assert essay.stats.facility == pytest.approx(100.0)
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=["mini", quiz.slug]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "secret-words" not in page.lower()
    assert "Answers graded by hand are not counted here." in page
    api = client.get(f"/api/courses/mini/quizzes/{quiz.slug}/statistics/").json()
    assert [i["choices"] for i in api["items"] if i["qtype"] == "essay"] == [[]]
    korean = client.get(reverse("quizzes:results", args=["mini", quiz.slug]),
                        HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "직접 채점하는 답안은 여기서 세지 않습니다." in korean


def _answered_then_key_fixed(student, teacher, quiz):
    """The student's open attempt, m-q3 answered right by the shipped key; then the key fixed
    (a new version of m-q3 that makes that answer wrong), not yet regraded."""
    from quizzes.models import Question

    from .conftest import answer_all

    Quiz.objects.filter(pk=quiz.pk).update(close_at=None)
    quiz.refresh_from_db()
    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, {"m-q3": {"value": True}})
    question = Question.objects.get(course=quiz.course, key="m-q3")
    latest = question.latest_version()
    services.question_version_create(question=question, stem=latest.stem,
                                     data={**latest.data, "correct": False}, user=teacher)
    return attempt, question


@pytest.mark.django_db(transaction=True)
def test_a_regrade_racing_with_a_submit_still_regrades_that_attempt(student, teacher, quiz):
    """A student's submit (graded by the old key of m-q3) is paused before it commits; the
    instructor's regrade onto the fixed key runs meanwhile, reads the attempt as still open and
    waits for its rows. Once the submit commits, the attempt must not keep the old key's mark
    while the class is regraded away from it."""
    import threading

    from django.db import connection

    from quizzes.models import Attempt

    from .races import paused_in_transaction, run_then_release

    attempt, question = _answered_then_key_fixed(student, teacher, quiz)
    errors: list = []

    def regrade():
        try:
            services.regrade_commit(quiz=quiz, question=question, user=teacher, reason="key")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    paused, _graded, go = paused_in_transaction(
        lambda: services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk)), errors)
    run_then_release(threading.Thread(target=regrade), go, paused)
    assert not errors, errors
    response = attempt.responses.get(version__question=question)
    assert response.version == question.latest_version()
    assert response.fraction == 0 and float(Attempt.objects.get(pk=attempt.pk).score) == 0


@pytest.mark.django_db(transaction=True)
def test_a_submit_racing_with_a_regrade_is_graded_by_the_fixed_key(student, teacher, quiz):
    """The instructor's regrade (the open attempt's answer moved onto the fixed key of m-q3) is
    paused before it commits; the student submits meanwhile: the submit read and graded the
    answer on the old version, then waited for the attempt's row. Once the regrade commits,
    the submit must not write the old key's mark onto the answer now on the new version."""
    import threading

    from django.db import connection

    from quizzes.models import Attempt

    from .races import paused_in_transaction, run_then_release

    attempt, question = _answered_then_key_fixed(student, teacher, quiz)
    errors: list = []

    def submit():
        try:
            services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    paused, _moved, go = paused_in_transaction(
        lambda: services.regrade_commit(quiz=quiz, question=question, user=teacher,
                                        reason="key"), errors)
    run_then_release(threading.Thread(target=submit), go, paused)
    assert not errors, errors
    response = attempt.responses.get(version__question=question)
    assert response.version == question.latest_version()
    assert response.fraction == 0 and float(Attempt.objects.get(pk=attempt.pk).score) == 0


def test_a_regrade_of_one_attempt_is_counted_in_the_singular_in_english(client, student,
                                                                         teacher, quiz):
    """The dry run read "affects 1 submitted attempts" and the commit "Regraded 1 attempts"."""
    from quizzes.models import Question

    from .conftest import RIGHT, answer_all

    attempt = services.attempt_start(user=student, quiz=quiz)
    answer_all(attempt, RIGHT)
    services.attempt_submit(attempt=attempt)
    question = Question.objects.get(course=quiz.course, key="m-q3")
    latest = question.latest_version()
    services.question_version_create(question=question, stem=latest.stem,
                                     data={**latest.data, "correct": False}, user=teacher)
    client.force_login(teacher)
    url = reverse("quizzes:regrade", args=["mini", quiz.slug, question.pk])
    dry = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "affects 1 submitted attempt; 1 of them change mark." in dry
    done = client.post(url, {"reason": "key"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Regraded 1 attempt; 1 marks changed." in done.content.decode()
    korean = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "제출된 시도 1개가 영향을 받고" in korean


def test_a_class_with_one_total_score_flags_no_item():
    """Four students score 1 of 2 each (a class of four, two items, known answers): A is right
    for s1 and s2, B for s3 and s4. With no strong or weak student, nothing can discriminate:
    the rest of the test is 1 - the item's score, so the correlation was always -100 and every
    item read "weaker students did better"; and the "top third" was whoever had the highest
    attempt id, so a wrong choice it picked was flagged as preferred by the top."""
    from quizzes.statistics import ItemResponse, item_statistics

    totals = {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}
    picks_a = {1: "a", 2: "a", 3: "b", 4: "b"}
    a = item_statistics(slot_id=1, max_mark=1.0, totals=totals, right_keys={"a"},
                        responses=[ItemResponse(i, 1.0 if k == "a" else 0.0, (k,))
                                   for i, k in picks_a.items()])
    assert a.facility == pytest.approx(50.0)
    assert a.discrimination is None and a.flags == []
    assert a.choice_counts_top == {} and a.choice_counts_bottom == {}


def test_an_item_is_flagged_only_from_the_minimum_of_graded_attempts():
    """The weakest student alone gets the item right: the discrimination is negative however
    many attempts there are, but it is a flag only from MIN_ATTEMPTS_TO_FLAG attempts on."""
    from quizzes.statistics import MIN_ATTEMPTS_TO_FLAG, ItemResponse, item_statistics

    def stats(n: int):
        totals = {i: float(i) for i in range(1, n + 1)}
        return item_statistics(slot_id=1, max_mark=1.0, totals=totals, right_keys=set(),
                               responses=[ItemResponse(i, 1.0 if i == 1 else 0.0, ())
                                          for i in totals])

    assert 2 < MIN_ATTEMPTS_TO_FLAG <= 10
    fewer, enough = stats(MIN_ATTEMPTS_TO_FLAG - 1), stats(MIN_ATTEMPTS_TO_FLAG)
    assert fewer.discrimination < 0 and fewer.flags == [] and fewer.too_few_to_judge
    assert enough.flags == ["negative_discrimination"] and not enough.too_few_to_judge


def test_two_attempts_flag_no_item_and_the_page_says_why(client, quiz, make_user, enrol,
                                                          mini_course, teacher):
    """Two students: the strong one gets m-q1 wrong, the weak one gets only m-q1 right. The
    discrimination of two attempts is always +100 or -100, so m-q1 read "⚠ Check the key" on
    the word of two students. It is not flagged; the page says why, and gives the minimum."""
    from .conftest import RIGHT, WRONG, answer_all

    Quiz.objects.filter(pk=quiz.pk).update(close_at=None)
    for name, answers in (("strong", {**RIGHT, "m-q1": WRONG["m-q1"]}),
                          ("weak", {**WRONG, "m-q1": RIGHT["m-q1"]})):
        user = make_user(name)
        enrol(user, mini_course, "student")
        attempt = services.attempt_start(user=user, quiz=quiz)
        answer_all(attempt, answers)
        services.attempt_submit(attempt=attempt)
    q1 = reports.quiz_report(quiz=quiz).items[0]
    assert q1.stats.discrimination == pytest.approx(-100.0)
    assert q1.stats.flags == [] and q1.stats.too_few_to_judge
    client.force_login(teacher)
    url = reverse("quizzes:results", args=["mini", quiz.slug])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Check the key" not in page and 'class="flagged"' not in page
    assert "Too few attempts to judge" in page
    assert "An item is flagged only once 6 graded attempts have answered it" in page
    korean = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "판단하기에는 시도가 너무 적음" in korean and "채점된 시도 6개가 답한 뒤에야" in korean
    body = client.get(f"/api/courses/mini/quizzes/{quiz.slug}/statistics/").json()
    assert body["min_attempts_to_flag"] == 6
    assert all(item["flags"] == [] for item in body["items"])


def test_groups_leave_out_attempts_tied_across_the_boundary():
    """Totals 0, 1, 1, 1, 1, 2: the thirds (two attempts each) would split the four 1s by
    attempt id; the attempts tied with the other group's score belong to neither."""
    from quizzes.statistics import groups

    top, bottom = groups({1: 0.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 1.0, 6: 2.0})
    assert (top, bottom) == ({6}, {1})
    assert groups({1: 0.0, 2: 0.0, 3: 1.0, 4: 2.0, 5: 3.0, 6: 3.0}) == ({5, 6}, {1, 2})


def test_a_text_between_questions_is_not_an_item_of_the_statistics(client, make_user, enrol,
                                                                    mini_course, teacher):
    """The mini pack's essay quiz opens with a description (text only, never answered): it was
    listed as item 1 with facility 0.0 and a bar of 0 in the facility chart, as if nobody had
    got it right."""
    quiz = Quiz.objects.get(course=mini_course, slug="essay-quiz")
    for name in ("a", "b", "c"):
        user = make_user(name)
        enrol(user, mini_course, "student")
        services.attempt_submit(attempt=services.attempt_start(user=user, quiz=quiz))
    report = reports.quiz_report(quiz=quiz)
    assert [(item.slot.position, item.qtype) for item in report.items] == [(2, "essay")]
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=["mini", quiz.slug])).content.decode()
    assert 'href="#item-1"' not in page and 'href="#item-2"' in page
