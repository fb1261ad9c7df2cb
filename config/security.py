"""Content-Security-Policy on every response.

Pages load scripts and styles only from this site; no inline script runs, so even HTML that
slipped past the sanitiser could not execute. The API docs page (Swagger UI) needs inline
script and gets its own, looser policy.
"""

from django.conf import settings

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # Inline style attributes come from sanitised lesson tables (text-align) and MathML.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "media-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
DOCS_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path.startswith(("/api/docs", "/admin/"))
            response["Content-Security-Policy"] = DOCS_POLICY if docs else POLICY
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not settings.DEBUG:
            response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class RejectNulInFormsMiddleware:
    """A form field with a NUL character is a 400 for every page.

    PostgreSQL cannot store NUL in text; without this a NUL typed (or sent) into any page form
    that saves text would be a 500. The JSON API checks its own payloads (quizzes.services).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not request.path.startswith("/api/"):
            content_type = request.META.get("CONTENT_TYPE", "")
            if content_type.startswith(("application/x-www-form-urlencoded",
                                        "multipart/form-data")):
                if any("\x00" in value for values in request.POST.lists() for value in values[1]):
                    from django.http import HttpResponseBadRequest
                    from django.utils.translation import gettext as _

                    return HttpResponseBadRequest(
                        _("A field contains a NUL character, which text cannot hold. Remove "
                          "it and send the form again."))
        return self.get_response(request)
