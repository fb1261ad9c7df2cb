"""Pages' side of errors: an `ApplicationError` a view lets through becomes a page that says
the error's own sentence, with the error's own status.

A view that has a form to return to catches the error itself (a message and a redirect, or the
form re-rendered with the error); everything else — a refusal from `courses.access`, a service
rule broken by a link followed out of date — ends here instead of as a bare 500 or a 403 that
drops the sentence. htmx requests get just the sentence, as a fragment to swap in. API views are
DRF's and never reach this: `config.api_errors.exception_handler` answers them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import format_html

from config.errors import ApplicationError

# The page for a status; any other status gets the general one.
_TEMPLATES = {403: "403.html", 404: "404.html"}


class ApplicationErrorPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, ApplicationError):
            return None
        return application_error_response(request, exception)


def application_error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The response a page gives for `error`: its status, its sentence."""
    if request.headers.get("HX-Request"):
        return HttpResponse(format_html('<p class="error" role="alert">{}</p>', error.message),
                            status=error.status)
    template = _TEMPLATES.get(error.status, "error.html")
    html = render_to_string(template, {"exception": str(error.message), "status": error.status},
                            request=request)
    return HttpResponse(html, status=error.status)
