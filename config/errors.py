"""The one error type services raise: `ApplicationError(message, status, code)`.

It imports nothing from DRF or the web layer, so a service depends only on this module. The
edges turn it into what the user sees: pages through `config.page_errors` (a page carrying the
message, with the error's own status), the API through `config.api_errors.exception_handler`
(the API's one JSON error shape). The message is written for a person, in the request's
language (services translate it with gettext when they raise it).
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A business-rule failure raised by a service or an access rule; shown to the user as is.

    `status` is the HTTP status an edge answers with (400 by default; 403 not allowed, 404 no
    such object, 409 conflicts with the current state, 413 too large, 429 too many requests).
    `code` is machine-readable (`invalid`, `forbidden`, `not_found`, …); `fields` maps a form or
    API field to what is wrong with it.
    """

    status: int = 400

    def __init__(self, message, status: int | None = None, code: str = "invalid", *,
                 fields: dict | None = None, status_code: int | None = None):
        # `status_code=` is the keyword older call sites use; it means the same as `status`.
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        chosen = status if status is not None else status_code
        if chosen is not None:
            self.status = chosen

    @property
    def status_code(self) -> int:
        return self.status

    def __str__(self) -> str:
        return str(self.message)
