"""A proven save's reply (status, body, every header) is the view's, for request variants a
browser may send."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from quizzes import attempt_runtime, qtypes, services
from quizzes.models import Response

from .conftest import RIGHT, WRONG
from .test_api_save_fast import TOKEN, WITHOUT_FAST

pytestmark = pytest.mark.django_db

VARIANTS = {
    "plain": {},
    "english": {"HTTP_ACCEPT_LANGUAGE": "en"},
    "language cookie": {"cookie": ("django_language", "en")},
    "accept any": {"HTTP_ACCEPT": "*/*"},
    "accept json, html": {"HTTP_ACCEPT": "application/json, text/html"},
    "origin same host": {"HTTP_ORIGIN": "http://testserver"},
    "origin other host": {"HTTP_ORIGIN": "http://evil.example"},
    "https referer other": {"secure": True, "HTTP_REFERER": "https://evil.example/x"},
    "https no referer": {"secure": True},
    "https same referer": {"secure": True, "HTTP_REFERER": "https://testserver/attempts/1/"},
    "charset": {"content_type": "application/json; charset=utf-8"},
    "stale sequence": {"sequence": 0},
    "invalid answer": {"answer": {"choice": "Z"}},
    "wrong token": {"HTTP_X_CSRFTOKEN": "x" * 32},
}


def _run(student, attempt, variant, middleware):
    Response.objects.filter(attempt=attempt).update(answer=None, sequence=0, saved_at=None)
    attempt_runtime.shapes_cache_clear()
    q1 = attempt.responses.select_related("version").get(version__question__key="m-q1")
    url = reverse("api-response", args=[attempt.pk, q1.slot_id])
    extra = dict(VARIANTS[variant])
    with override_settings(MIDDLEWARE=middleware, ALLOWED_HOSTS=["testserver"]):
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.cookies["csrftoken"] = TOKEN
        client.force_login(student)
        attempt_runtime.response_shapes_for(attempt=attempt)

        def put(seq_, answer_, **kw):
            shown = qtypes.get("single_choice").to_display(q1.version.data, q1.layout, answer_)
            body = {"answer": kw.pop("answer", shown), "sequence": kw.pop("sequence", seq_)}
            ct = kw.pop("content_type", "application/json")
            cookie = kw.pop("cookie", None)
            if cookie:
                client.cookies[cookie[0]] = cookie[1]
            kw.setdefault("HTTP_X_CSRFTOKEN", TOKEN)
            return client.put(url, json.dumps(body), content_type=ct, **kw)

        assert put(0, RIGHT["m-q1"]).status_code == 200
        r = put(1, WRONG["m-q1"], **extra)
    stored = Response.objects.filter(pk=q1.pk).values("answer", "sequence").get()
    body = re.sub(rb'"saved_at": ?"[^"]*"', b"T", r.content)
    return r.status_code, body, sorted(r.headers.items()), stored["sequence"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_proven_reply_equals_the_views(student, quiz, variant):
    attempt = services.attempt_start(user=student, quiz=quiz)
    fast = _run(student, attempt, variant, settings.MIDDLEWARE)
    view = _run(student, attempt, variant, WITHOUT_FAST)
    assert fast == view
