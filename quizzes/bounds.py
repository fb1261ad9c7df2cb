"""The bounds of quizzes/limits.py checked where a value enters, with a message that says what
is wrong and how to fix it. limits.py stays free of Django, so the pure cores can read it."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from config.errors import ApplicationError

from . import limits


def check_number(value: object, *, field: str, what: str, low: float | Decimal,
                 high: float | Decimal) -> Decimal:
    """`value` as a Decimal when it is a finite number in [low, high]; otherwise raise
    ApplicationError naming the field, the bounds and the value given (translated)."""
    if limits.in_range(value, low, high):
        return limits.decimal_or_none(value)  # type: ignore[return-value]
    shown = str(value)[:40]
    message = _("%(what)s must be a number from %(low)s to %(high)s; %(value)s is not.") % {
        "what": what, "low": plain_number(low), "high": plain_number(high), "value": shown}
    raise ApplicationError(message, code="out_of_range", fields={
        field: [_("Enter a number from %(low)s to %(high)s.") % {"low": plain_number(low),
                                                                 "high": plain_number(high)}]})


def check_date(value: datetime | None, *, field: str, what: str) -> None:
    """Raise ApplicationError naming the field when an aware `value` lies outside the dates a
    quiz may have (limits.DATE_MIN to DATE_MAX); None (no date) passes."""
    if value is None or limits.date_in_range(value):
        return
    message = _("%(what)s must be a date from %(low)s to %(high)s; %(value)s is not.") % {
        "what": what, "low": f"{limits.DATE_MIN:%Y-%m-%d}",
        "high": f"{limits.DATE_MAX:%Y-%m-%d}", "value": f"{value:%Y-%m-%d %H:%M}"}
    raise ApplicationError(message, code="out_of_range", fields={field: [message]})


def plain_number(number: float | Decimal) -> str:
    """`number` in plain digits without trailing zeros ("11000", "1.5"), never "1.1E+4"."""
    return format(Decimal(str(number)).normalize(), "f")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable_text(value: Any) -> bool:
    """Whether a JSON value holds text a database cannot store: a NUL character (PostgreSQL
    refuses it) or a lone UTF-16 surrogate (not UTF-8 at all). JSON can carry both."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(has_unstorable_text(k) or has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_unstorable_text(v) for v in value)
    return False
