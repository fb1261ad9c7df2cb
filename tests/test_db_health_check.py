"""A persistent PostgreSQL connection that its server closed between two requests is replaced
before the next request uses it, and one in steady use is not asked `SELECT 1` each time
(config/postgresql/base.py).

Each request begins as a server's does: `close_old_connections()` (Django's receiver of
`request_started`), then its statements.
"""

import time

import psycopg2
import pytest
from django.db import close_old_connections, connection, connections

from config.postgresql import base as health

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's backend"),
]


def _request_backend_pid() -> int:
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """As an administrator or a restart does, from another connection; returns once the
    server has closed the socket of `pid`'s connection."""
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items()
                                if k in ("dbname", "user", "password", "host", "port")})
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    return
                time.sleep(0.05)
    finally:
        other.close()
    raise AssertionError(f"backend {pid} did not end")


@pytest.fixture
def health_checked(settings):
    """Persistent connections with health checks, as the web server runs them."""
    db = connection.settings_dict
    saved = db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]
    db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"] = 60, True
    connection.close()
    yield
    db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"] = saved
    connection.close()


def test_the_projects_backend_serves_the_database():
    assert isinstance(connections["default"], health.DatabaseWrapper)


def test_a_connection_the_server_closed_is_replaced_before_the_next_request(health_checked):
    first = _request_backend_pid()
    assert _request_backend_pid() == first  # persistent
    _terminate(first)
    second = _request_backend_pid()  # no error: a new connection answered
    assert second != first


def test_a_busy_connection_is_not_asked_select_1_each_request(health_checked, monkeypatch):
    asked = []
    real = health.base.DatabaseWrapper.is_usable

    def counted(self):
        asked.append(1)
        return real(self)

    monkeypatch.setattr(health.base.DatabaseWrapper, "is_usable", counted)
    pid = _request_backend_pid()
    for _ in range(5):
        assert _request_backend_pid() == pid
    assert asked == []
    # Idle longer than the full check's period: asked once, as Django asks.
    connection._fully_checked_at -= health.FULL_CHECK_AFTER_S + 1
    assert _request_backend_pid() == pid
    assert asked == [1]
    assert _request_backend_pid() == pid
    assert asked == [1]
