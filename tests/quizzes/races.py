"""Deterministic races between two transactions on PostgreSQL, for tests: one is paused at the
point of the race (`paused_in_transaction`), the other runs on its own connection until it has
answered or waits for a lock (`run_then_release`), then the first commits."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection, transaction


def paused_in_transaction(work: Callable[[], object], errors: list
                          ) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """A started thread that runs `work()` in a transaction, sets `reached`, and waits for
    `go` before it commits; returns (thread, reached, go). An exception is added to `errors`."""
    reached, go = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                work()
                reached.set()
                go.wait(timeout=30)
        except Exception as exc:  # reported by the test
            errors.append(exc)
            reached.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert reached.wait(timeout=30)
    return thread, reached, go


def until_it_waits_or_ends(thread: threading.Thread) -> None:
    """Until `thread` has ended or some transaction waits for a lock: either way, what it read
    is settled before the paused side commits."""
    for _try in range(200):
        if not thread.is_alive():
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
        thread.join(timeout=0.05)
    raise AssertionError("the other side neither ended nor waited")


def run_then_release(other: threading.Thread, go: threading.Event,
                     paused: threading.Thread) -> None:
    """Start `other` while `paused` waits for `go`; once `other` has ended or waits for a
    lock, let `paused` commit, and wait for both."""
    other.start()
    try:
        until_it_waits_or_ends(other)
    finally:
        go.set()
        paused.join(timeout=30)
        other.join(timeout=30)
