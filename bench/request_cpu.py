"""Server CPU, PostgreSQL CPU and SQL statements per request, by kind of request, measured
inside the web server's workers of the benchmark server, whichever server it is.

`MeasuredApplication` wraps the WSGI application (`bench/measured_wsgi.py`, which
`common.Server` serves instead of `config.wsgi` when the run measures requests, with
`BENCH_REQUEST_CPU_DIR` set). It runs in the thread that handles the request (gunicorn's gthread
pool, granian's blocking threads), from the call until the server closes the response, so
between the two:

- **server CPU** is `time.thread_time()` of that thread: the request's own Python (middleware,
  view, serializers, templates, JSON) and the database driver's client side; not the time the
  thread waits for the GIL, the database or the client, and not the server's own loop
  (accepting connections, parsing the request), which `CpuMeter`'s whole-process figure
  includes;
- **PostgreSQL CPU** is the CPU time of the backend process that serves this thread's
  database connection (`/proc/<pid>/schedstat`, nanoseconds; the web server and PostgreSQL
  share the machine here). Work PostgreSQL does later and elsewhere (WAL writer, checkpointer,
  autovacuum) is not in it; `CpuMeter`'s figure for all PostgreSQL processes is;
- **SQL statements** are counted by an execute wrapper on the thread's connection (what
  `CaptureQueriesContext` and the query-budget test count, savepoints included).

These are the figures that do not depend on how busy the machine is: CPU time, not wall time.
Requests carrying `X-Bench-Warmup` (the server's warm-up) are not counted. Each worker adds
its figures up per kind and writes them to `$BENCH_REQUEST_CPU_DIR/<pid>.json` every
`FLUSH_SECONDS`; `collect()` adds the workers' files up. Nothing here is imported by
the application.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path

ENV = "BENCH_REQUEST_CPU_DIR"
WARMUP_HEADER = "X-Bench-Warmup"

# (method, path pattern) -> kind; the first match wins.
KINDS = [
    ("GET", re.compile(r"^/accounts/login/$"), "login_page"),
    ("POST", re.compile(r"^/accounts/login/$"), "login"),
    ("POST", re.compile(r"^/api/courses/[^/]+/quizzes/[^/]+/attempts/$"), "start"),
    ("PUT", re.compile(r"^/api/attempts/\d+/responses/\d+/$"), "save"),
    ("POST", re.compile(r"^/api/attempts/\d+/submit/$"), "submit"),
    ("GET", re.compile(r"^/bench/bare/$"), "bare"),
]
# The bench views that answer a save's request without the save, cheapest first
# (config/bench_views.py): the ceiling's floors, which the storm can send beside each save.
FLOORS = ("answer-echo", "answer-cache", "answer-row", "answer-rows-batched")
KINDS += [("PUT", re.compile(rf"^/bench/{floor}/\d+/\d+/$"), floor) for floor in FLOORS]


def save_by_statements(sql: int) -> str:
    """The kind under which saves that ran `sql` statements are counted as well."""
    return f"save, {sql} SQL"


def kind_of(method: str, path: str) -> str:
    for m, pattern, kind in KINDS:
        if m == method and pattern.match(path):
            return kind
    return "other"


# ------------------------------------------------------------------------------------------
# In the worker
# ------------------------------------------------------------------------------------------

_lock = threading.Lock()
_totals: dict[str, dict] = {}  # kind -> {"n", "cpu_ns", "db_ns", "db_n", "sql", "sql_max"}
_local = threading.local()
FLUSH_SECONDS = 0.5


def _backend_ns(pid: int | None) -> int | None:
    """CPU nanoseconds of backend `pid` so far. The thread keeps its backend's schedstat file
    open and reads it again in place (`pread`): opening it for every reading cost more than
    the rest of the measurement."""
    if not pid:
        return None
    held = getattr(_local, "schedstat", None)  # (pid, fd)
    try:
        if held is None or held[0] != pid:
            if held is not None:
                _local.schedstat = None
                os.close(held[1])
            held = _local.schedstat = (pid, os.open(f"/proc/{pid}/schedstat", os.O_RDONLY))
        return int(os.pread(held[1], 128, 0).split()[0])
    except (OSError, ValueError, IndexError):
        # Another machine (PgBouncer, a remote server), no schedstat, or a backend that ended.
        if held is not None and getattr(_local, "schedstat", None) is held:
            _local.schedstat = None
            os.close(held[1])
        return None


def _connection():
    """This thread's default database connection (the wrapper itself: each attribute read
    through `django.db.connection` is another lookup of the thread's connection)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    return connections[DEFAULT_DB_ALIAS]


def _backend_pid(connection) -> int | None:
    """The PostgreSQL backend of this thread's connection, if it is open (libpq knows it; no
    round trip)."""
    driver = connection.connection
    if driver is None or connection.vendor != "postgresql":
        return None
    try:
        return driver.info.backend_pid  # psycopg 3 and psycopg2 ≥ 2.8
    except Exception:
        return None


def _count_sql(execute, sql, params, many, context):
    _local.sql = getattr(_local, "sql", 0) + 1
    return execute(sql, params, many, context)


_WARMUP_KEY = "HTTP_" + WARMUP_HEADER.upper().replace("-", "_")  # as WSGI spells it


def _begin(method: str, path: str) -> tuple:
    connection = _connection()
    if _count_sql not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_sql)
    _local.sql = 0
    pid = _backend_pid(connection)
    return kind_of(method, path), pid, _backend_ns(pid), time.thread_time_ns()


def _end(start: tuple) -> None:
    cpu_ns = time.thread_time_ns() - start[3]
    kind, pid_before, db_before = start[0], start[1], start[2]
    pid = _backend_pid(_connection())
    db_ns = None
    if pid is not None:
        now = _backend_ns(pid)
        if now is not None:
            # A connection opened during the request: the backend's whole life (its start-up
            # included) belongs to this request.
            db_ns = now - db_before if pid == pid_before and db_before is not None else now
    sql = getattr(_local, "sql", 0)
    # A save is also counted by its statements: one for an attempt the process knows, two for
    # its first save of an attempt (which reads the questions first).
    kinds = (kind, save_by_statements(sql)) if kind == "save" else (kind,)
    with _lock:
        for name in kinds:
            t = _totals.setdefault(name, {"n": 0, "cpu_ns": 0, "db_ns": 0, "db_n": 0, "sql": 0,
                                          "sql_max": 0})
            t["n"] += 1
            t["cpu_ns"] += cpu_ns
            if db_ns is not None:
                t["db_ns"] += db_ns
                t["db_n"] += 1
            t["sql"] += sql
            t["sql_max"] = max(t["sql_max"], sql)


class MeasuredApplication:
    """A WSGI application measured from the call until the server closes its response (when
    the response has been iterated, and under gunicorn written, and Django's
    `request_finished` has run), in the thread that runs it: the same under every server."""

    def __init__(self, application):
        # Both servers load the application in each worker, after it has started.
        self.application = application
        _start_flusher()

    def __call__(self, environ, start_response):
        if environ.get(_WARMUP_KEY):
            return self.application(environ, start_response)
        start = _begin(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
        try:
            response = self.application(environ, start_response)
        except BaseException:
            _end(start)
            raise
        return _Closing(response, start)


class _Closing:
    """The application's response, which ends the measurement when the server closes it."""

    def __init__(self, response, start: tuple):
        self.response, self.start = response, start

    def __iter__(self):
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            _end(self.start)


def _start_flusher() -> None:
    """Write this worker's figures every `FLUSH_SECONDS` from a thread of its own, so that
    they are on disk `FLUSH_SECONDS` after its last request: granian's workers do not run
    `atexit` handlers when they are stopped."""

    def flush_forever():
        written = None
        while True:
            time.sleep(FLUSH_SECONDS)
            with _lock:
                counted = sum(t["n"] for t in _totals.values())
                if counted != written:
                    _write()
                    written = counted

    threading.Thread(target=flush_forever, name="bench-request-cpu", daemon=True).start()


def _write() -> None:
    folder = os.environ.get(ENV)
    if not folder:
        return
    path = Path(folder) / f"{os.getpid()}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(_totals))
    tmp.replace(path)


# ------------------------------------------------------------------------------------------
# In the benchmark
# ------------------------------------------------------------------------------------------


def collect(folder: Path) -> dict[str, dict]:
    """Per kind: requests counted, and per request: server CPU ms, PostgreSQL CPU ms (None
    when no backend could be read, e.g. SQLite), SQL statements (mean and max)."""
    sums: dict[str, dict] = {}
    for path in Path(folder).glob("*.json"):
        for kind, t in json.loads(path.read_text()).items():
            s = sums.setdefault(kind, {"n": 0, "cpu_ns": 0, "db_ns": 0, "db_n": 0, "sql": 0,
                                       "sql_max": 0})
            for k in ("n", "cpu_ns", "db_ns", "db_n", "sql"):
                s[k] += t[k]
            s["sql_max"] = max(s["sql_max"], t["sql_max"])
    out = {}
    for kind, s in sums.items():
        n = s["n"]
        out[kind] = {
            "requests": n,
            "server_cpu_ms": round(s["cpu_ns"] / n / 1e6, 3) if n else None,
            "db_cpu_ms": round(s["db_ns"] / s["db_n"] / 1e6, 3) if s["db_n"] else None,
            "sql_mean": round(s["sql"] / n, 2) if n else None,
            "sql_max": s["sql_max"],
        }
    return out
