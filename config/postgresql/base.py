"""Django's PostgreSQL backend with a health check that costs no round trip on a busy
connection.

With `CONN_HEALTH_CHECKS` Django sends `SELECT 1` before the first statement of every request
that reuses a connection, so that one the server closed while it sat idle (a restart, an
administrator's `pg_terminate_backend`, a pooler's timeout) is replaced instead of failing the
request. During an exam a request is often a single statement: the check doubled its round
trips and cost about a tenth of the machine's CPU per start (docs/performance.md).

Here a connection is checked by looking at its socket: a server that closes a connection
says so on it (a FATAL message, then end of file), so an idle connection whose socket has
nothing to read has not been closed by its server. Anything to read, a closed handle, or a
connection whose last `SELECT 1` (or opening) is more than `FULL_CHECK_AFTER_S` old gets
Django's own check: a connection dropped without a word (a firewall forgetting it, a failover
that moves the server's address) is found as before on any connection that was idle that long;
on a busy one, the first request after the drop fails (a 500, which the quiz page retries) and
the connection is replaced.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base

# A connection older than this since its last full check gets one: a busy connection sends
# one `SELECT 1` in this many seconds instead of one per request.
FULL_CHECK_AFTER_S = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    _fully_checked_at = 0.0

    def connect(self):
        super().connect()
        self._fully_checked_at = time.monotonic()

    def close_if_health_check_failed(self):
        if (self.connection is not None and self.health_check_enabled
                and not self.health_check_done and not self.pool
                and time.monotonic() - self._fully_checked_at < FULL_CHECK_AFTER_S
                and _socket_quiet(self.connection)):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def is_usable(self):
        usable = super().is_usable()
        if usable:
            self._fully_checked_at = time.monotonic()
        return usable


def _socket_quiet(connection) -> bool:
    """The driver's connection is open and nothing waits to be read on its socket: between
    requests, with no statement in flight, the server has sent nothing (no notice of its
    closing, no end of file)."""
    if getattr(connection, "closed", True):
        return False
    poll = getattr(select, "poll", None)
    if poll is None:  # no poll(): ask the server, as Django does
        return False
    try:
        poller = poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (OSError, ValueError):
        return False
