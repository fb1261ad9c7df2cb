"""One error type (config.errors.ApplicationError) and its two edges: a page that shows its
sentence with its own status (config.page_errors), and the API's JSON error shape
(config.api_errors)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from config.api_errors import exception_handler
from config.errors import ApplicationError
from config.page_errors import ApplicationErrorPageMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def _page(request, error):
    middleware = ApplicationErrorPageMiddleware(lambda r: None)
    return middleware.process_exception(request, error)


def test_a_page_shows_the_errors_sentence_with_its_own_status(make_user):
    request = RequestFactory().get("/somewhere/")
    request.user = make_user("u")
    response = _page(request, ApplicationError("The attempt is closed.", 409, "attempt_closed"))
    assert response.status_code == 409
    assert "The attempt is closed." in response.content.decode()


def test_an_htmx_request_gets_just_the_sentence(make_user):
    request = RequestFactory().post("/x/", HTTP_HX_REQUEST="true")
    request.user = make_user("u")
    response = _page(request, ApplicationError("Too <many> requests.", status=429))
    assert response.status_code == 429
    assert response.content.decode() == \
        '<p class="error" role="alert">Too &lt;many&gt; requests.</p>'


def test_other_exceptions_are_left_to_django():
    assert _page(RequestFactory().get("/"), ValueError("no")) is None


def test_the_api_shape_keeps_the_code_status_and_fields():
    response = exception_handler(
        ApplicationError("Bad mark.", status=400, code="out_of_range",
                         fields={"mark": ["Bad mark."]}), {})
    assert response.status_code == 400
    assert response.data == {"error": {"code": "out_of_range", "message": "Bad mark.",
                                       "fields": {"mark": ["Bad mark."]}}}


def test_the_api_keeps_djangos_own_refusal_sentence():
    response = exception_handler(PermissionDenied("You are not enrolled in this course."), {})
    assert response.status_code == 403
    assert response.data["error"]["message"] == "You are not enrolled in this course."


def test_the_older_status_code_keyword_means_the_same():
    error = ApplicationError("Gone.", code="not_found", status_code=404)
    assert (error.status, error.status_code, str(error)) == (404, 404, "Gone.")
