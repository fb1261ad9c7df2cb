"""Byte limits on request bodies for the views that take uploads, enforced before the body is
read: a declared Content-Length past the limit is refused unread, and a body that streams past
it is refused at that point, not after the whole of it has been read into memory or onto disk.

A view opts in with `@upload_limit("SETTING_NAME")` (a DRF view: the class attribute
`upload_limit_setting`); the named setting is the most file bytes one request may carry. The
refusal says so for an image unless the view gives its own (`@upload_limit(..., refusal=f)`, a
DRF view's `upload_limit_refusal`): `f(limit)` returns the `UploadTooLarge` to answer with. The
middleware sits before anything that reads a form (CSRF, the NUL check), so its upload handler
is in place when the body is parsed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from config.page_errors import application_error_response

# Room for the multipart envelope and the form's other (small) fields on top of the file bytes.
ENVELOPE_BYTES = 64 * 1024


class UploadTooLarge(ApplicationError):
    """A 413 for an upload past its view's limit: by default, an image's."""

    def __init__(self, limit: int, *, message: str | None = None, field: str = "image",
                 code: str = "upload_too_large"):
        if message is None:
            message = _("The upload is larger than %(limit)s MB. Choose a smaller JPEG, PNG or "
                        "WebP image.") % {"limit": f"{limit / 1e6:.0f}"}
        super().__init__(message, code=code, fields={field: [message]}, status_code=413)


Refusal = Callable[[int], UploadTooLarge]


class LimitedUploadHandler(FileUploadHandler):
    """First in the chain: counts the file bytes of the request and stops the parse the moment
    they pass the limit (the handlers after it never see the rest)."""

    def __init__(self, request, limit: int, refusal: Refusal = UploadTooLarge):
        super().__init__(request)
        self.limit = limit
        self.refusal = refusal
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit + ENVELOPE_BYTES:
            raise self.refusal(self.limit)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise self.refusal(self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler in the chain stores the file


def upload_limit(setting: str, refusal: Refusal = UploadTooLarge):
    """Mark a view: its requests may carry at most `settings.<setting>` bytes of files;
    `refusal(limit)` is the error a larger one gets."""

    def mark(view):
        view.upload_limit_setting = setting
        view.upload_limit_refusal = refusal
        return view

    return mark


def _limit_for(request) -> tuple[int, Refusal] | None:
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    marked = view if getattr(view, "upload_limit_setting", None) else getattr(
        view, "view_class", None)
    setting = getattr(marked, "upload_limit_setting", None)
    if not setting:
        return None
    return getattr(settings, setting), getattr(marked, "upload_limit_refusal", UploadTooLarge)


def _refusal(request, error: UploadTooLarge) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": {"code": error.code, "message": error.message,
                                       "fields": error.fields}}, status=error.status_code)
    if request.headers.get("HX-Request"):
        return HttpResponse(format_html('<p class="error" role="alert">{}</p>', error.message),
                            status=error.status_code)
    # A form sent without htmx (the question import page) gets a whole page that says why.
    # This runs before the session and authentication middleware: the page's header needs its
    # user, which they read from the session cookie alone (never from the body).
    for middleware in (SessionMiddleware, AuthenticationMiddleware):
        middleware(lambda _request: None).process_request(request)
    return application_error_response(request, error)


class UploadLimitMiddleware:
    """Apply a view's upload limit before anything reads the body (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = _declared_length(request)
        # A body no longer than the envelope cannot carry a file worth stopping (what it holds is
        # still checked by the view): the autosave's small POSTs skip the URL lookup.
        if request.method in ("POST", "PUT", "PATCH") and (declared is None
                                                           or declared > ENVELOPE_BYTES):
            limit = _limit_for(request)
            if limit is not None:
                # Before LocaleMiddleware (it must precede every reader of the form), so the
                # refusal picks the request's language itself.
                with translation.override(translation.get_language_from_request(request)):
                    refused = self._check(request, *limit, declared or 0)
                if refused is not None:
                    return refused
        return self.get_response(request)

    @staticmethod
    def _check(request, limit: int, refusal: Refusal, declared: int) -> HttpResponse | None:
        try:
            if declared > limit + ENVELOPE_BYTES:
                raise refusal(limit)
            request.upload_handlers.insert(0, LimitedUploadHandler(request, limit, refusal))
            if request.content_type in ("multipart/form-data",
                                        "application/x-www-form-urlencoded"):
                request.POST  # noqa: B018 - parse now, under the limit, and refuse here
        except UploadTooLarge as error:
            return _refusal(request, error)
        return None


def _declared_length(request) -> int | None:
    """The request's Content-Length; None without one (a chunked body, under ASGI)."""
    value = request.META.get("CONTENT_LENGTH")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return 0  # Django reads no body then either
