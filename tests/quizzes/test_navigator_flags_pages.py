"""In a quiz: the question navigator, "flag for later", and one question per page, through the
pages a student uses (htmx and the form without JavaScript)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from quizzes import services
from quizzes.models import Attempt, Quiz, Response

from .test_attempt_flow import display_value, slot_of, start

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _first(attempt) -> Response:
    return attempt.responses.select_related("version").get(position=1)


def _choice_field(response, answer) -> dict:
    shown = display_value(response, answer)["choice"]
    return {f"s{response.slot_id}-choice": shown}


def test_flag_is_stored_apart_from_the_answer_survives_reload_and_is_never_graded(
        client, student, quiz):
    client.force_login(student)
    attempt = start(client, quiz)
    q1 = slot_of(attempt, "m-q1")
    saved = client.post(reverse("quizzes:autosave", args=[attempt.pk, q1.slot_id]),
                        {**_choice_field(q1, {"choice": "생성자"}),
                         f"s{q1.slot_id}-sequence": "0"}, **HX)
    assert saved.status_code == 200
    flag = client.post(reverse("quizzes:flag", args=[attempt.pk, q1.slot_id]),
                       {"flagged": "1"}, **HX)
    assert flag.status_code == 200, flag.content
    body = flag.content.decode()
    assert 'aria-pressed="true"' in body and 'value="0"' in body  # the button now clears it
    assert f'id="nav-state-{q1.position}" data-answered="1" data-flagged="1"' in body
    q1.refresh_from_db()
    # The flag did not touch the answer, its sequence or its save time.
    assert q1.flagged and q1.answer == {"choice": "생성자"} and q1.sequence == 1
    # A tab that saved before the flag still saves with the sequence it holds.
    again = client.post(reverse("quizzes:autosave", args=[attempt.pk, q1.slot_id]),
                        {**_choice_field(q1, {"choice": "생성자"}),
                         f"s{q1.slot_id}-sequence": "1"}, **HX)
    assert again.status_code == 200
    assert f'id="nav-state-{q1.position}" data-answered="1" data-flagged="1"' in (
        again.content.decode())
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert 'aria-pressed="true"' in page
    assert "nav-item answered flagged" in page
    summary = client.get(reverse("quizzes:summary", args=[attempt.pk])).content.decode()
    assert ("You flagged 1 question for later." in summary
            or "나중에 다시 볼 문제로 1개를 표시했습니다." in summary)
    client.post(reverse("quizzes:submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and float(attempt.score) == 1.0
    # After submission the flag can no longer change.
    late = client.post(reverse("quizzes:flag", args=[attempt.pk, q1.slot_id]),
                       {"flagged": "0"}, **HX)
    assert late.status_code == 409
    assert Response.objects.get(pk=q1.pk).flagged


def test_flag_without_javascript_saves_the_form_then_shows_the_question_again(
        client, student, quiz):
    client.force_login(student)
    attempt = start(client, quiz)
    q1 = slot_of(attempt, "m-q1")
    reply = client.post(reverse("quizzes:flag", args=[attempt.pk, q1.slot_id]),
                        {**_choice_field(q1, {"choice": "생성자"}),
                         f"s{q1.slot_id}-sequence": "0", "flagged": "1"})
    assert reply.status_code == 302
    assert reply["Location"] == reverse("quizzes:attempt", args=[attempt.pk]) + (
        f"#q{q1.position}")
    q1.refresh_from_db()
    assert q1.flagged and q1.answer == {"choice": "생성자"}
    # Clearing it works the same way (the form carries the chosen answer again).
    client.post(reverse("quizzes:flag", args=[attempt.pk, q1.slot_id]),
                {**_choice_field(q1, {"choice": "생성자"}), f"s{q1.slot_id}-sequence": "1",
                 "flagged": "0"})
    q1.refresh_from_db()
    assert not q1.flagged and q1.answer == {"choice": "생성자"}


def test_another_student_cannot_flag_my_question(client, student, quiz, make_user, enrol):
    client.force_login(student)
    attempt = start(client, quiz)
    q1 = _first(attempt)
    other = make_user("other")
    enrol(other, quiz.course, "student")
    intruder = Client()
    intruder.force_login(other)
    reply = intruder.post(reverse("quizzes:flag", args=[attempt.pk, q1.slot_id]),
                          {"flagged": "1"}, **HX)
    assert reply.status_code in (403, 404)
    q1.refresh_from_db()
    assert not q1.flagged


def test_navigator_lists_every_question_with_jump_links_and_answered_state(
        client, student, quiz):
    client.force_login(student)
    attempt = start(client, quiz)
    q1 = _first(attempt)
    services.response_save(attempt=attempt, slot_id=q1.slot_id,
                           answer=_answer_for(q1), base_sequence=0)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    count = attempt.responses.count()
    assert 'class="quiz-nav"' in page
    for n in range(1, count + 1):
        assert f'href="#q{n}" id="nav-q{n}"' in page
    assert 'id="nav-q1"\n      class="nav-item answered' in page
    assert 'id="nav-q2"\n      class="nav-item"' in page


def _answer_for(response):
    from .conftest import RIGHT

    return RIGHT[response.version.question.key]


def test_one_question_per_page_with_previous_next_saving_the_form(client, student, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(questions_per_page=1, shuffle_questions=False)
    client.force_login(student)
    attempt = start(client, quiz)
    count = attempt.responses.count()
    first = _first(attempt)
    assert first.version.question.key == "m-q1"  # unshuffled: the pack's order
    url = reverse("quizzes:attempt", args=[attempt.pk])
    page = client.get(url).content.decode()
    assert 'id="q1"' in page and 'id="q2"' not in page
    assert f"Page 1 of {count}" in page or f"{count}쪽 중 1쪽" in page
    assert 'aria-current="page"' in page and 'data-goto="2"' in page
    assert 'name="goto" value="2"' in page and 'name="goto" value="0"' not in page
    # "Next" without JavaScript: the form is saved and the next page shown.
    reply = client.post(reverse("quizzes:page", args=[attempt.pk]), {
        **_choice_field(first, {"choice": "생성자"}), f"s{first.slot_id}-sequence": "0",
        "goto": "2"})
    assert reply.status_code == 302 and reply["Location"] == f"{url}?page=2#q2"
    first.refresh_from_db()
    assert first.answer == {"choice": "생성자"} and first.sequence == 1
    page = client.get(f"{url}?page=2").content.decode()
    assert 'id="q2"' in page and 'id="q1"' not in page
    assert 'name="goto" value="1"' in page and 'name="goto" value="3"' in page
    assert 'id="nav-q1"\n      class="nav-item answered' in page  # the navigator remembers
    # Autosave keeps working on a later page.
    third = slot_of(attempt, "m-q3")
    saved = client.post(reverse("quizzes:autosave", args=[attempt.pk, third.slot_id]),
                        {f"s{third.slot_id}-value": "1",
                         f"s{third.slot_id}-sequence": "0"}, **HX)
    assert saved.status_code == 200, saved.content
    third.refresh_from_db()
    assert third.answer == {"value": True}
    # A malformed or out-of-range page shows the nearest page instead of an error.
    assert 'id="q1"' in client.get(f"{url}?page=abc").content.decode()
    assert f'id="q{count}"' in client.get(f"{url}?page=999").content.decode()
    # The last page has no "Next"; Enter submits to the summary.
    last = client.get(f"{url}?page={count}").content.decode()
    assert f'value="{count + 1}"' not in last and 'name="goto"' in last  # only "Previous"


def test_questions_per_page_setting_rejects_other_values(client, quiz, teacher):
    from quizzes import authoring

    with pytest.raises(services.ApplicationError) as caught:
        authoring.quiz_update_settings(quiz=quiz, title=quiz.title, questions_per_page=5)
    assert "questions_per_page" in caught.value.fields
    quiz.refresh_from_db()
    assert quiz.questions_per_page == 0


@pytest.mark.django_db(transaction=True)
def test_flags_racing_saves_never_make_a_save_stale(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = _first(attempt)
    answer = _answer_for(q1)
    errors, conflicts = [], []

    def save_many():
        try:
            for n in range(15):
                result = services.response_save(attempt=attempt, slot_id=q1.slot_id,
                                                answer=answer if n % 2 else None,
                                                base_sequence=n)
                if result.conflict:
                    conflicts.append(n)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def flag_many():
        try:
            for n in range(15):
                services.response_flag_set(attempt=attempt, slot_id=q1.slot_id,
                                           flagged=n % 2 == 0)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save_many), threading.Thread(target=flag_many)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and not conflicts
    stored = Response.objects.get(pk=q1.pk)
    assert stored.sequence == 15 and stored.answer is None and stored.flagged
    assert Attempt.objects.get(pk=attempt.pk).state == "in_progress"


def test_instructor_sets_one_question_per_page_on_the_settings_page(client, quiz, teacher):
    client.force_login(teacher)
    url = reverse("bank:quiz-settings", args=["mini", quiz.slug])
    page = client.get(url).content.decode()
    assert 'name="questions_per_page"' in page
    form = {"title": quiz.title, "kind": quiz.kind, "week": quiz.week,
            "time_limit_minutes": quiz.time_limit // 60, "grace_period": quiz.grace_period,
            "attempts_allowed": quiz.attempts_allowed, "grading_method": quiz.grading_method,
            "max_grade": "10", "questions_per_page": "1"}
    assert client.post(url, form).status_code == 302
    quiz.refresh_from_db()
    assert quiz.questions_per_page == 1
    refused = client.post(url, {**form, "questions_per_page": "5"})
    assert refused.status_code == 400
    quiz.refresh_from_db()
    assert quiz.questions_per_page == 1


def test_course_pack_sets_questions_per_page_and_refuses_other_values(mini_pack):
    from courses.pack import PackError
    from courses.services import course_pack_load

    path = mini_pack / "quizzes" / "week01.yaml"
    original = path.read_text()
    path.write_text(original.replace("attempts_allowed: 2\n",
                                     "attempts_allowed: 2\nquestions_per_page: 3\n"))
    with pytest.raises(PackError) as caught:
        course_pack_load(path=mini_pack)
    (problem,) = caught.value.problems
    assert problem.line == 8 and "'questions_per_page' must be from 0 to 1" in problem.message
    path.write_text(original.replace("attempts_allowed: 2\n",
                                     "attempts_allowed: 2\nquestions_per_page: 1\n"))
    course_pack_load(path=mini_pack)
    assert Quiz.objects.get(slug="week01-quiz").questions_per_page == 1
