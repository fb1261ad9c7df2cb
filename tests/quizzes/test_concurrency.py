"""Simultaneous requests from one student converge on one consistent attempt."""

import threading

import pytest
from django.db import connection

from quizzes import services
from quizzes.models import Attempt, Quiz, Response

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(target, n: int) -> list:
    """Run `target` in n threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target()
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_starts_give_one_attempt(mini_course, make_user, enrol):
    student = make_user("racer")
    enrol(student, mini_course, "student")
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    results = run_together(lambda: services.attempt_start(user=student, quiz=quiz).pk, 6)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Attempt.objects.filter(user=student).count() == 1
    assert Response.objects.filter(attempt_id=results[0]).count() == 7


def test_simultaneous_submits_grade_once(mini_course, make_user, enrol):
    student = make_user("double")
    enrol(student, mini_course, "student")
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    attempt = services.attempt_start(user=student, quiz=quiz)
    results = run_together(lambda: services.attempt_submit(attempt=attempt).submitted_at, 4)
    assert all(not isinstance(r, Exception) for r in results), results
    assert len(set(results)) == 1


def test_two_tabs_saving_at_once_one_wins_the_other_is_told(mini_course, make_user, enrol):
    student = make_user("tabs")
    enrol(student, mini_course, "student")
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    attempt = services.attempt_start(user=student, quiz=quiz)
    slot = attempt.responses.get(version__question__key="m-q1").slot_id
    answers = iter([{"choice": "생성자"}, {"choice": "판별자"}])
    lock = threading.Lock()

    def save():
        with lock:
            answer = next(answers)
        return services.response_save(attempt=attempt, slot_id=slot, answer=answer,
                                      base_sequence=0)

    results = run_together(save, 2)
    assert sorted(r.conflict for r in results) == [False, True]
    winner = next(r for r in results if not r.conflict)
    stored = Response.objects.get(attempt=attempt, slot_id=slot)
    assert stored.answer == winner.answer and stored.sequence == 1
