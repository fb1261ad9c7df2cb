"""Login lockout per address as well as per account and address (a django-axes handler).

django-axes counts failures per (username, address) and compares every lockout parameter with
one limit, so it cannot also lock an address that tries one password on many accounts without
locking a whole classroom behind one NAT after a few typos. This handler adds that second,
higher limit: `AXES_IP_FAILURE_LIMIT` failures from one address, over all accounts, within the
cool-off time lock that address out (429, like the per-account lockout).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


class AddressLimitedAxesHandler(AxesDatabaseHandler):
    """AxesDatabaseHandler plus a per-address limit (`AXES_IP_FAILURE_LIMIT`)."""

    def address_failures(self, request) -> int:
        """Failed logins from the request's address over every account, within the cool-off."""
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        attempts = AccessAttempt.objects.filter(ip_address=address)
        cool_off = get_cool_off(request)
        if cool_off is not None:
            attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def _address_locked(self, request) -> bool:
        return (settings.AXES_LOCK_OUT_AT_FAILURE
                and self.address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT)

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) \
                and self._address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
