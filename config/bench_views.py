"""The benchmark's reference views (python -m bench ceiling), only when BENCH_ENDPOINTS is set.
Never on in production: they answer without a session.

- `bare`: a JSON view that reads nothing, mounted at `/bench/bare/` (config/urls.py), the
  ceiling's unit of a request's cost;
- four floors under the autosave, answered by `FloorsWhereTheSaveIsAnswered`, which settings
  put in `MIDDLEWARE` just before `quizzes.api_fast.ProvenApiFastPath`: a floor passes through
  exactly the middleware a proven save passes through, and answers where the save is answered.
  Each is sent exactly what the quiz page sends a save (the student's cookies, CSRF header and
  JSON body to `PUT /bench/<floor>/<attempt>/<slot>/`), parses the body and answers with a
  body of the save's shape, checking nothing (no session, CSRF, owner, enrolment, deadline or
  sequence):
  - `answer-echo` stores nothing: the floor under any save answered there;
  - `answer-cache` stores the answer in the shared cache (one `SET` to Redis as deployed): the
    floor under a save acknowledged once it is in Redis, with PostgreSQL written later;
  - `answer-row` writes the answer's row in one `UPDATE` on its attempt and slot, changing no
    value (`flagged = flagged`: PostgreSQL still writes a new row version and its WAL, as a
    save does): the floor under any save that stores its answer in PostgreSQL before it
    answers. What a real save costs beyond it is what its guarantees and its own Python cost;
  - `answer-rows-batched` writes the same row, but in one `UPDATE` per batch: the request
    thread queues its row for a writer thread of its process and answers once the batch
    holding it has committed (a group commit). The floor under a save still stored in
    PostgreSQL before it answers, sharing its round trip and its statement with the saves
    that arrived meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseBadRequest, HttpResponseNotFound, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods


def bare(request):
    return JsonResponse({"ok": True})


def _as_a_save(view):
    """A PUT of the save's body, answered in the save's shape, or 400. `view(attempt_id,
    slot_id, answer)` stores it, or answers a refusal. No CSRF check: a floor has no session to
    protect, and a save's check is part of its cost."""
    @require_http_methods(["PUT"])
    def answer(request, attempt_id: int, slot_id: int):
        try:
            body = json.loads(request.body)
            answer, sequence = body["answer"], int(body["sequence"])
        except (ValueError, TypeError, KeyError):
            return HttpResponseBadRequest("a JSON object with answer and sequence")
        refused = view(attempt_id, slot_id, answer)
        if refused is not None:
            return refused
        return JsonResponse({"sequence": sequence + 1, "saved_at": timezone.now().isoformat(),
                             "answer": answer, "conflict": False})

    return answer


@_as_a_save
def answer_echo(attempt_id: int, slot_id: int, answer):
    return None


@_as_a_save
def answer_cache_write(attempt_id: int, slot_id: int, answer):
    cache.set(f"bench:answer:{attempt_id}:{slot_id}", answer, timeout=600)
    return None


def _answers_table() -> str:
    # Looked up, not imported: config sits below the apps (.importlinter).
    return connection.ops.quote_name(apps.get_model("quizzes", "Response")._meta.db_table)


@_as_a_save
def answer_row_write(attempt_id: int, slot_id: int, answer):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_answers_table()} SET flagged = flagged "
                       "WHERE attempt_id = %s AND slot_id = %s", [attempt_id, slot_id])
        if cursor.rowcount != 1:
            return HttpResponseNotFound("no such answer")
    return None


class _GroupWriter:
    """One thread per process writes every queued row in one statement, then wakes the request
    threads whose rows it held (each learns whether its row was there). A writer that died is
    started again by the next write; a request whose batch never ends gives up after
    `_WAIT_S`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._queued = threading.Condition(self._lock)
        self._pending: list[_Queued] = []
        self._thread: threading.Thread | None = None

    def write(self, attempt_id: int, slot_id: int) -> bool:
        item = _Queued(attempt_id, slot_id)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="bench-group-writer")
                self._thread.start()
            self._pending.append(item)
            self._queued.notify()
        if not item.done.wait(_WAIT_S):
            raise RuntimeError(f"the group writer did not answer within {_WAIT_S} s")
        if item.error is not None:
            raise RuntimeError("the batch holding this row failed") from item.error
        return item.found

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._pending:
                    self._queued.wait()
                batch, self._pending = self._pending, []
            written, error = set(), None
            try:
                written = _write_rows({(i.attempt_id, i.slot_id) for i in batch})
            except Exception as exc:  # every waiter hears of it; the thread goes on
                error = exc
                # No request signals run in this thread: drop a broken connection here (a
                # close that fails has dropped it too).
                with contextlib.suppress(Exception):
                    connection.close_if_unusable_or_obsolete()
            finally:
                for item in batch:
                    item.found, item.error = (item.attempt_id, item.slot_id) in written, error
                    item.done.set()


def _write_rows(keys: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The one `UPDATE` of a batch; the (attempt, slot) of the rows it found."""
    with connection.cursor() as cursor:
        # Row values and RETURNING: PostgreSQL, and SQLite for the smoke test.
        cursor.execute(
            f"UPDATE {_answers_table()} SET flagged = flagged WHERE (attempt_id, slot_id) IN "
            f"({', '.join(['(%s, %s)'] * len(keys))}) RETURNING attempt_id, slot_id",
            [n for key in sorted(keys) for n in key])
        return set(cursor.fetchall())


class _Queued:
    __slots__ = ("attempt_id", "slot_id", "done", "found", "error")

    def __init__(self, attempt_id: int, slot_id: int):
        self.attempt_id, self.slot_id = attempt_id, slot_id
        self.done = threading.Event()
        self.found = False
        self.error: Exception | None = None


_WAIT_S = 30.0
_group_writer = _GroupWriter()


@_as_a_save
def answer_rows_batched(attempt_id: int, slot_id: int, answer):
    if not _group_writer.write(attempt_id, slot_id):
        return HttpResponseNotFound("no such answer")
    return None


FLOORS = {"answer-echo": answer_echo, "answer-cache": answer_cache_write,
          "answer-row": answer_row_write, "answer-rows-batched": answer_rows_batched}
_FLOOR_PATH = re.compile(r"/bench/(answer-[a-z-]+)/([0-9]+)/([0-9]+)/")


class FloorsWhereTheSaveIsAnswered:
    """The floors, answered at the save's place in `MIDDLEWARE` (config/settings.py puts this
    just before `ProvenApiFastPath` when BENCH_ENDPOINTS is set); anything else goes on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = _FLOOR_PATH.fullmatch(request.path_info)
        floor = None if match is None else FLOORS.get(match[1])
        if floor is None:
            return self.get_response(request)
        return floor(request, int(match[2]), int(match[3]))
