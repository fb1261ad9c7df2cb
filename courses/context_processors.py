"""What every page's navigation needs to know about the viewer."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .access import can_manage_site_models


def navigation(request: HttpRequest) -> dict:
    # Lazy: only pages that render the navigation for a signed-in user pay the query.
    return {"nav_instructs": SimpleLazyObject(
        lambda: can_manage_site_models(user=request.user))}
