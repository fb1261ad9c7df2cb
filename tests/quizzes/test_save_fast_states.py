"""A proven save, its question's shape already known, into an attempt that may no longer take
answers is answered exactly as the view answers it, and writes nothing."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from quizzes import attempt_runtime, qtypes, services
from quizzes.models import Attempt, Quiz, Response

from .conftest import RIGHT, WRONG
from .test_api_save_fast import TOKEN, WITHOUT_FAST

pytestmark = pytest.mark.django_db


def _past_grace(exam):
    Attempt.objects.filter(pk=exam["attempt"].pk).update(
        deadline=timezone.now() - timedelta(seconds=exam["quiz"].grace_period + 5))


def _in_grace(exam):
    Quiz.objects.filter(pk=exam["quiz"].pk).update(grace_period=60)
    Attempt.objects.filter(pk=exam["attempt"].pk).update(
        deadline=timezone.now() - timedelta(seconds=20))


def _hidden(exam):
    Quiz.objects.filter(pk=exam["quiz"].pk).update(published=False)


def _submitted(exam):
    services.attempt_submit(attempt=Attempt.objects.get(pk=exam["attempt"].pk))


def _staff_unenrolled_other(exam):
    """The attempt's owner loses the enrolment; a staff proof of someone else is used."""
    from courses.models import Enrollment
    Enrollment.objects.filter(user=exam["student"]).delete()


STATES = {"past the deadline and grace": _past_grace, "within the grace": _in_grace,
          "quiz hidden": _hidden, "submitted": _submitted, "unenrolled": _staff_unenrolled_other}


@pytest.fixture
def exam(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = attempt.responses.select_related("version").get(version__question__key="m-q1")
    return {"attempt": attempt, "q1": q1, "student": student, "quiz": quiz,
            "url": reverse("api-response", args=[attempt.pk, q1.slot_id])}


def _client(user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = TOKEN
    client.force_login(user)
    return client


def _put(client, exam, sequence, answer):
    shown = qtypes.get("single_choice").to_display(exam["q1"].version.data, exam["q1"].layout,
                                                   answer)
    return client.put(exam["url"], json.dumps({"answer": shown, "sequence": sequence}),
                      content_type="application/json", HTTP_X_CSRFTOKEN=TOKEN)


def _run(exam, case, middleware):
    with override_settings(MIDDLEWARE=middleware):
        client = _client(exam["student"])
        attempt_runtime.response_shapes_for(attempt=exam["attempt"])
        first = _put(client, exam, 0, RIGHT["m-q1"])
        assert first.status_code == 200
        STATES[case](exam)
        r = _put(client, exam, 1, WRONG["m-q1"])
    stored = Response.objects.filter(pk=exam["q1"].pk).values("answer", "sequence").get()
    attempt = Attempt.objects.filter(pk=exam["attempt"].pk).values("state",
                                                                   "auto_submitted").get()
    body = re.sub(rb'"saved_at": ?"[^"]*"', b"T", r.content)
    headers = sorted((k, v) for k, v in r.headers.items() if k != "Set-Cookie")
    return r.status_code, body, headers, stored, attempt


@pytest.mark.parametrize("case", list(STATES))
def test_a_proven_cached_save_in_each_state_is_the_views(student, quiz, case,
                                                        make_user):
    from django.conf import settings
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = attempt.responses.select_related("version").get(version__question__key="m-q1")
    exam = {"attempt": attempt, "q1": q1, "student": student, "quiz": quiz,
            "url": reverse("api-response", args=[attempt.pk, q1.slot_id])}
    fast = _run(exam, case, settings.MIDDLEWARE)
    # The same again, from a fresh attempt state, without the fast path.
    Response.objects.filter(attempt=attempt).update(answer=None, sequence=0, saved_at=None,
                                                    fraction=None, state="", feedback=[])
    Attempt.objects.filter(pk=attempt.pk).update(state=Attempt.State.IN_PROGRESS,
                                                 submitted_at=None, auto_submitted=False,
                                                 deadline=timezone.now() + timedelta(hours=1),
                                                 score=None)
    Quiz.objects.filter(pk=quiz.pk).update(published=True, grace_period=quiz.grace_period)
    from courses.models import Enrollment
    if not Enrollment.objects.filter(user=student).exists():
        Enrollment.objects.create(user=student, course=quiz.course, role="student")
    view = _run(exam, case, WITHOUT_FAST)
    assert fast == view
    if case == "within the grace":
        assert fast[0] == 200
    else:
        assert fast[0] in (403, 409) and fast[3]["sequence"] == 1
