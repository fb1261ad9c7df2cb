"""The API's side of errors: DRF's exception handler and the one error shape,
{"error": {"code", "message", "fields"}}.

Services raise `config.errors.ApplicationError` (no DRF in it) with a message a person can act
on; here it, Django's own `PermissionDenied`/`Http404` (their message kept) and DRF's validation
and permission errors are all reshaped the same way, so clients parse one format.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import ApplicationError

__all__ = ["ApplicationError", "exception_handler", "not_found", "error_responses"]


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}
        return Response(body, status=exc.status)
    # Django's own errors keep their message (a selector's "You are not enrolled in this
    # course." reaches the client, not DRF's generic default).
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*_own_message(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*_own_message(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(detail, dict) and "detail" in detail:
        message, fields = str(detail["detail"]), {}
    elif isinstance(detail, dict):
        message, fields = _("The request has invalid fields."), detail
    else:
        message, fields = _("The request is invalid."), {"non_field_errors": detail}
    code = getattr(exc, "default_code", "error")
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


def _own_message(exc: Exception) -> tuple:
    """(message,) when the exception was raised with one, else () for DRF's default."""
    return (str(exc.args[0]),) if exc.args and exc.args[0] else ()


def not_found(request, exception):
    """handler404: a URL under /api/ that matches no route (a malformed id, say) gets the API's
    error shape too; pages get the usual 404 page."""
    if request.path_info.startswith("/api/"):
        body = {"error": {"code": "not_found", "message": str(exceptions.NotFound.default_detail),
                          "fields": {}}}
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)


# --- The error shape in the OpenAPI schema ------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="machine-readable, e.g. invalid, not_found, forbidden")
    message = serializers.CharField(help_text="for a person, in the request's language")
    fields = serializers.DictField(help_text="field name → what is wrong with it (may be empty)")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid request: `error.fields` names the fields at fault.",
    403: "Not logged in, or not allowed (not enrolled, not a teacher of the course, not the "
         "owner), or the action is closed (e.g. no attempts left).",
    404: "No such object (course, quiz, attempt, question, job…) or no such URL.",
    409: "Conflicts with the current state (e.g. the attempt is closed, the item is in use).",
    413: "The uploaded file is too large.",
    415: "The request body's Content-Type is not one this operation reads.",
    429: "Too many requests of this kind; try again in a moment.",
    503: "The service is busy; try again in a moment.",
}


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses=...)` entries for the errors an operation can answer with."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
            for code in status_codes}
