"""Health endpoints for a load balancer or an orchestrator.

`/health/live` answers while the process can serve a request at all (no I/O: a slow database
must not make the balancer kill healthy web processes). `/health/ready` answers 200 only when
the database and the message broker answer, so a node that lost either is taken out of rotation
and put back when they return. Neither needs a login or says more than which check failed.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any driver error means "not ready"; the balancer only needs yes/no
        return False


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    from inference.selectors import broker_available

    checks = {"database": _database_ok(), "broker": broker_available(max_age=2.0)}
    ok = all(checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable",
                         "checks": {name: "ok" if good else "failed"
                                    for name, good in checks.items()}},
                        status=200 if ok else 503)
