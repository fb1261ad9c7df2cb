"""Proof cookies moved, forged or replayed never save into an attempt the session's user may
not change."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from quizzes import attempt_runtime, qtypes, services, session_proofs
from quizzes.models import Response

from .conftest import RIGHT, WRONG
from .test_api_save_fast import TOKEN

pytestmark = pytest.mark.django_db


def _proven(user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = TOKEN
    client.force_login(user)
    assert client.get(reverse("api-courses")).status_code == 200
    assert session_proofs.COOKIE_NAME in client.cookies
    return client


@pytest.fixture
def exam(student, quiz, make_user, mini_course, enrol):
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = attempt.responses.select_related("version").get(version__question__key="m-q1")
    other = make_user("other")
    enrol(other, mini_course, "student")
    attempt_runtime.response_shapes_for(attempt=attempt)
    return {"attempt": attempt, "q1": q1, "student": student, "other": other,
            "url": reverse("api-response", args=[attempt.pk, q1.slot_id])}


def _put(client, exam, answer=WRONG["m-q1"], sequence=0):
    shown = qtypes.get("single_choice").to_display(exam["q1"].version.data, exam["q1"].layout,
                                                   answer)
    return client.put(exam["url"], json.dumps({"answer": shown, "sequence": sequence}),
                      content_type="application/json", HTTP_X_CSRFTOKEN=TOKEN)


def _unchanged(exam):
    return Response.objects.filter(pk=exam["q1"].pk).values_list("sequence", flat=True).get() == 0


def test_owners_proof_with_the_attackers_session(exam):
    owner, attacker = _proven(exam["student"]), _proven(exam["other"])
    attacker.cookies[session_proofs.COOKIE_NAME] = owner.cookies[session_proofs.COOKIE_NAME].value
    assert _put(attacker, exam).status_code == 403 and _unchanged(exam)


def test_a_proof_naming_the_owner_forged_without_the_secret(exam):
    attacker = _proven(exam["other"])
    key = attacker.cookies[settings.SESSION_COOKIE_NAME].value
    digest = attempt_runtime.session_auth_digest(key, exam["student"].password)
    value = attacker.cookies[session_proofs.COOKIE_NAME].value
    sig = value.rsplit(":", 1)[1]
    attacker.cookies[session_proofs.COOKIE_NAME] = f"{exam['student'].pk}:{digest}:{sig}"
    assert _put(attacker, exam).status_code == 403 and _unchanged(exam)


def test_a_proof_replayed_after_logout_and_a_new_login(exam):
    client = _proven(exam["student"])
    old_session = client.cookies[settings.SESSION_COOKIE_NAME].value
    old_proof = client.cookies[session_proofs.COOKIE_NAME].value
    client.logout()
    # Another login of the same user: the old key is gone; replay the old pair.
    _proven(exam["student"])
    client.cookies[settings.SESSION_COOKIE_NAME] = old_session
    client.cookies[session_proofs.COOKIE_NAME] = old_proof
    assert _put(client, exam).status_code == 403 and _unchanged(exam)


def test_an_anonymous_request_with_a_valid_pair_of_another_user_cannot_reach_a_third(exam):
    """The other student's own valid proof, on the owner's attempt: refused."""
    attacker = _proven(exam["other"])
    assert _put(attacker, exam, answer=RIGHT["m-q1"]).status_code == 403 and _unchanged(exam)
