"""The quiz REST API: the same rules as the pages, in one JSON error shape."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quizzes import qtypes
from quizzes.models import Attempt, Response

from .test_review_policy import SECRETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def start(api, quiz):
    return api.post(reverse("api-attempt-start", args=["mini", quiz.slug]), format="json")


def test_student_takes_a_quiz_over_the_api(api, student, quiz):
    api.force_authenticate(student)
    first = start(api, quiz)
    assert first.status_code == 201
    again = start(api, quiz)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    body = first.json()
    dumped = json.dumps(body, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in dumped
    assert '"fraction"' not in dumped and "right_answer\": \"\"" in dumped
    attempt = Attempt.objects.get(pk=body["id"])
    for question in body["questions"]:
        response = Response.objects.select_related("version").get(attempt=attempt,
                                                                  slot_id=question["slot_id"])
        key = response.version.question.key
        from .conftest import RIGHT

        shown = qtypes.get(question["qtype"]).to_display(response.version.data, response.layout,
                                                         RIGHT[key])
        saved = api.put(reverse("api-response", args=[attempt.pk, question["slot_id"]]),
                        {"answer": shown, "sequence": question["sequence"]}, format="json")
        assert saved.status_code == 200, saved.json()
        assert saved.json()["sequence"] == question["sequence"] + 1
    result = api.post(reverse("api-attempt-submit", args=[attempt.pk])).json()
    assert result["state"] == "submitted" and result["score"] == pytest.approx(7.0)
    assert all(q["state"] == "correct" for q in result["questions"])


def test_the_submit_replies_with_what_a_later_read_of_the_attempt_shows(api, student, quiz):
    """The submit's reply is built from the answers it has just graded, not read again: it must
    equal the attempt read afterwards, marks, states and feedback included, and so must a
    second submit's (which grades nothing and reads the attempt)."""
    from .conftest import RIGHT

    api.force_authenticate(student)
    body = start(api, quiz).json()
    attempt = Attempt.objects.get(pk=body["id"])
    for question in body["questions"][:4]:  # some right, the rest unanswered
        response = Response.objects.select_related("version__question").get(
            attempt=attempt, slot_id=question["slot_id"])
        shown = qtypes.get(question["qtype"]).to_display(
            response.version.data, response.layout, RIGHT[response.version.question.key])
        assert api.put(reverse("api-response", args=[attempt.pk, question["slot_id"]]),
                       {"answer": shown, "sequence": 0}, format="json").status_code == 200
    url = reverse("api-attempt-submit", args=[attempt.pk])
    submitted = api.post(url).json()
    read = api.get(reverse("api-attempt", args=[attempt.pk])).json()
    assert submitted == read
    assert {q["state"] for q in read["questions"]} >= {"correct"}
    assert api.post(url).json() == read


def test_stale_sequence_gets_409_with_the_stored_answer(api, student, quiz):
    api.force_authenticate(student)
    body = start(api, quiz).json()
    q = next(q for q in body["questions"] if q["qtype"] == "true_false")
    url = reverse("api-response", args=[body["id"], q["slot_id"]])
    assert api.put(url, {"answer": {"value": True}, "sequence": 0}, format="json").status_code == 200
    stale = api.put(url, {"answer": {"value": False}, "sequence": 0}, format="json")
    assert stale.status_code == 409
    assert stale.json()["conflict"] is True and stale.json()["answer"] == {"value": True}


def test_malformed_answer_is_a_400_in_the_one_error_shape(api, student, quiz):
    api.force_authenticate(student)
    body = start(api, quiz).json()
    q = next(q for q in body["questions"] if q["qtype"] == "single_choice")
    response = api.put(reverse("api-response", args=[body["id"], q["slot_id"]]),
                       {"answer": {"choice": "99"}, "sequence": 0}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_answer" and error["message"] and "answer" in error["fields"]


def test_other_students_and_anonymous_are_refused(api, make_user, student, quiz, mini_course,
                                                  enrol):
    api.force_authenticate(student)
    body = start(api, quiz).json()
    other = make_user("other")
    enrol(other, mini_course, "student")
    api.force_authenticate(other)
    assert api.get(reverse("api-attempt", args=[body["id"]])).status_code == 403
    url = reverse("api-response", args=[body["id"], body["questions"][0]["slot_id"]])
    assert api.put(url, {"answer": None, "sequence": 0}, format="json").status_code == 403
    assert api.get(reverse("api-statistics", args=["mini", quiz.slug])).status_code == 403
    api.force_authenticate(None)
    assert api.get(reverse("api-quizzes", args=["mini"])).status_code in (401, 403)


def test_teacher_reads_statistics_regrades_and_answers_disputes(api, student, teacher, quiz):
    api.force_authenticate(student)
    body = start(api, quiz).json()
    api.post(reverse("api-attempt-submit", args=[body["id"]]))
    slot = body["questions"][0]["slot_id"]
    created = api.post(reverse("api-dispute-create", args=[body["id"], slot]),
                       {"comment": "키가 틀렸어요"}, format="json")
    assert created.status_code == 201
    api.force_authenticate(teacher)
    stats = api.get(reverse("api-statistics", args=["mini", quiz.slug])).json()
    assert stats["attempt_count"] == 1 and len(stats["items"]) == 7
    disputes = api.get(reverse("api-disputes", args=["mini", quiz.slug])).json()
    assert disputes[0]["comment"] == "키가 틀렸어요"
    answered = api.post(reverse("api-dispute-answer", args=["mini", quiz.slug, disputes[0]["id"]]),
                        {"reply": "확인했습니다", "accept": False}, format="json")
    assert answered.json()["status"] == "answered"
    question_id = stats["items"][0]["question_id"]
    dry = api.get(reverse("api-regrade", args=["mini", quiz.slug, question_id])).json()
    assert dry["committed"] is False and len(dry["changes"]) == 1
    assert api.post(reverse("api-regrade", args=["mini", quiz.slug, question_id]),
                    {"reason": "check"}, format="json").json()["committed"] is True


def test_question_bank_create_reports_the_field_at_fault(api, teacher, student):
    api.force_authenticate(teacher)
    url = reverse("api-questions", args=["mini"])
    bad = api.post(url, {"name": "x", "category": "Week 1/GAN", "qtype": "single_choice",
                         "stem": "?", "data": {"choices": [{"text": "a", "fraction": 0.5},
                                                           {"text": "b", "fraction": 0}]}},
                   format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_question"
    assert "choices" in bad.json()["error"]["fields"]
    good = api.post(url, {"name": "x", "category": "Week 1/GAN", "qtype": "true_false",
                          "stem": "GAN은 생성 모델이다", "data": {"correct": True}}, format="json")
    assert good.status_code == 201 and good.json()["category"] == "Week 1/GAN"
    api.force_authenticate(student)
    assert api.get(url).status_code == 403


def test_openapi_schema_and_docs_page_are_served(client, student):
    client.force_login(student)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/attempts/{attempt_id}/submit/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
