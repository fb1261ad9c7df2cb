"""htmx requests whose session has ended: the whole page goes to the login, then comes back.

`login_required` answers a logged-out request with a redirect to the login page. htmx follows a
redirect itself and swaps what it gets: the whole login page (header and all) landed inside a
demo's result area or the "mark as read" button, and its form led back, once logged in, to the
fragment's own URL (a bare fragment, or a 405 for a POST-only view). Such a redirect is
answered here with `HX-Redirect` instead: the browser opens the login page, which leads back to
the page the student was on (HX-Current-URL, its path only: never another site).

The quiz's autosave answers its own logged-out status line (quizzes.views): it is not a
redirect, so it is left as it is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url


class HtmxLoginRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code != 302 or not request.headers.get("HX-Request")
                or urlsplit(response["Location"]).path != resolve_url(settings.LOGIN_URL)):
            return response
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = (current.path or "/") + (f"?{current.query}" if current.query else "")
        answer = HttpResponse(status=204, headers={"HX-Redirect": redirect_to_login(back).url})
        answer.cookies = response.cookies  # whatever the layers inside set (CSRF, session)
        return answer
