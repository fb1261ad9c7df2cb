"""Instant starts: N students, already logged in, press "start" at the same instant (a literal
barrier), and the figure is the time from that instant until the last start is answered.

The students' sessions are written before the server starts (through the project's session
engine, so they are in the database and in the shared cache, as they would be for students
who logged in before the exam opened): the run measures the starts, not N logins. Each student
sends its CSRF secret as cookie and header, as a browser's page script does. Every start goes
through the client's connection pool (`--connections`, as through a reverse proxy's upstream
pool) and is retried on a 5xx or a transport error as the page does; afterwards every student
must hold exactly one attempt, with every question.
"""

from __future__ import annotations

import asyncio
import secrets
import string
import time
from pathlib import Path

from . import common
from .client import StepFailed, Student

TARGET_S = 3.0  # the last of 3000 starts answered within this


def create_sessions(usernames: list[str]) -> dict[str, dict[str, str]]:
    """Logged-in sessions for these users, written as Django's login() writes them; returns
    each user's cookies: session, CSRF, and the session's proof that the login's response sets
    (quizzes.session_proofs)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.utils.crypto import get_random_string
    from django.utils.module_loading import import_string

    from quizzes import session_proofs

    store = import_module(settings.SESSION_ENGINE).SessionStore
    # The backend login() would record: the first that can load a user (django-axes comes
    # first and cannot).
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS
                   if hasattr(import_string(path), "get_user"))
    alphabet = string.ascii_letters + string.digits
    cookies, sessions = {}, {}
    for user in get_user_model().objects.filter(username__in=usernames):
        key = get_random_string(32, string.ascii_lowercase + string.digits)
        sessions[key] = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend,
                         HASH_SESSION_KEY: user.get_session_auth_hash()}
        cookies[user.username] = {
            settings.SESSION_COOKIE_NAME: key,
            # An unmasked 32-character secret: Django accepts it in the header as it is.
            settings.CSRF_COOKIE_NAME: "".join(secrets.choice(alphabet) for _ in range(32)),
            session_proofs.COOKIE_NAME: session_proofs.cookie_value(key, user),
        }
    _store_sessions(store, sessions)
    return cookies


def _store_sessions(store, sessions: dict[str, dict]) -> None:
    """Write the sessions in bulk where the engine keeps them in the database (db, cached_db
    and the project's config.sessions), filling the shared cache too for a cached one; any
    other engine saves them one by one."""
    from datetime import timedelta

    from django.conf import settings
    from django.core.cache import caches
    from django.utils import timezone

    if not hasattr(store, "get_model_class"):
        for key, data in sessions.items():
            s = store(key)
            s.update(data)
            s.save(must_create=True)
        return
    encoder = store()
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store.get_model_class().objects.bulk_create(
        [store.get_model_class()(session_key=key, session_data=encoder.encode(data),
                                 expire_date=expire) for key, data in sessions.items()],
        batch_size=1000)
    prefix = getattr(store, "cache_key_prefix", None)
    if prefix:
        caches[settings.SESSION_CACHE_ALIAS].set_many(
            {prefix + key: data for key, data in sessions.items()},
            settings.SESSION_COOKIE_AGE)


async def _run(base_url: str, cookies: dict[str, dict], course: str, quiz: str,
               connections: int) -> dict:
    rec = common.Recorder()
    lag = common.LoopLag()
    lag_task = asyncio.create_task(lag.run())
    failures: list[str] = []
    opened = asyncio.Event()
    async with common.make_client(base_url, connections) as client:
        students = []
        for username, jar in cookies.items():
            s = Student(client, rec, username)
            s.cookies = dict(jar)
            students.append(s)

        async def one(s: Student):
            await opened.wait()
            try:
                attempt = await s.start(course, quiz)
                if len(attempt["questions"]) == 0:
                    failures.append(f"{s.username}: an attempt without questions")
            except StepFailed as exc:
                failures.append(f"{s.username}: {exc}")
            except Exception as exc:  # a bug in the client: report it, do not hide it
                failures.append(f"{s.username}: {type(exc).__name__}: {exc}")

        tasks = [asyncio.create_task(one(s)) for s in students]
        await asyncio.sleep(0.5)  # every task is parked on the event
        t_open = time.perf_counter()
        opened.set()
        await asyncio.gather(*tasks)
    loop = lag.stop()
    lag_task.cancel()
    starts = rec.samples.get("start", [])
    last = max((t + ms / 1000 for t, ms, ok in starts if ok), default=None)
    return {"rec": rec, "students": students, "failures": failures, "loop_lag": loop,
            "last_answered_s": None if last is None else last - t_open}


def verify(students: list[Student], course_slug: str, quiz_slug: str) -> dict:
    from django.db.models import Count

    from quizzes.models import Attempt, Quiz

    quiz = Quiz.objects.get(course__slug=course_slug, slug=quiz_slug)
    started = [s for s in students if s.attempt]
    told = {s.attempt["id"] for s in started}
    stored = set(Attempt.objects.filter(pk__in=told, quiz=quiz)
                 .values_list("pk", flat=True))
    # Prepared attempts not yet handed out may have no user: only owned attempts count.
    two = (Attempt.objects.filter(quiz=quiz).exclude(user=None).values("user_id")
           .annotate(n=Count("id")).filter(n__gt=1).count())
    return {"started": len(started), "attempts_missing": len(told - stored),
            "students_with_two_attempts": two}


def run(*, students: int, connections: int, db_url: str, cache_url: str | None,
        server_config: common.ServerConfig, keep_db: bool = False, drop_template: bool = False,
        log_dir: Path | None = None) -> dict:
    log_dir = log_dir or common.REPO / "var" / "bench"
    info = common.machine_info()
    t_setup = time.perf_counter()
    common.prepare_database(db_url, cache_url)
    common.collectstatic_if_needed(db_url)
    common.setup_django(db_url, cache_url)
    from django.db import connections as dbs

    from .fixture import create_exam

    exam = create_exam(students)
    if cache_url:
        from django.core.cache import cache

        cache.clear()
    cookies = create_sessions(exam["usernames"])
    dbs.close_all()
    setup_s = time.perf_counter() - t_setup
    server = common.Server(db_url, cache_url, server_config, log_dir / "instant-starts-server.log")
    with server:
        meter = common.CpuMeter(server.pids)
        meter.start()
        out = common.run_clients(_run(server.base_url, cookies, exam["course"], exam["quiz"],
                                      connections))
        cpu = meter.stop()
    per_request = server.request_figures()
    check = verify(out["students"], exam["course"], exam["quiz"])
    if not keep_db:
        dbs.close_all()
        common.drop_database(db_url, template=drop_template)
    rec: common.Recorder = out["rec"]
    last = out["last_answered_s"]
    result = {
        "benchmark": "instant-starts", "machine": info, "students": students,
        "connections": connections, "server": server_config.describe(),
        "database": db_url.rsplit("@", 1)[-1], "cache": cache_url,
        "prepared_attempts": exam.get("prepared_attempts", False),
        "setup_s": round(setup_s, 1), "steps": rec.summary(["start"]),
        "errors": rec.total_errors(), "students_failed": len(out["failures"]),
        "failures": out["failures"][:20],
        "last_answered_s": None if last is None else round(last, 2),
        "db_check": check, "cpu": cpu, "per_request": per_request,
        "client_loop_lag_ms": out["loop_lag"],
    }
    result["target_met"] = (students >= 3000 and last is not None and last <= TARGET_S
                            and result["students_failed"] == 0)
    return result


def report(result: dict) -> str:
    m, c = result["machine"], result["db_check"]
    last = result["last_answered_s"]
    return "\n".join([
        f"## Instant starts: {result['students']} students press start at one instant "
        f"({m['date_utc']})",
        "",
        f"Machine: {m['nproc']} × {m['cpu_model']}, {m['ram_gib']} GiB; load average before "
        f"{m['loadavg_before']}. Server: `{result['server']}`, database {result['database']}, "
        f"cache {result['cache'] or 'locmem'}; {result['connections']} pooled client "
        f"connections; prepared attempts: {'yes' if result['prepared_attempts'] else 'no'}.",
        "",
        common.step_table(result["steps"], None, result["per_request"]),
        "",
        common.PER_REQUEST_NOTE,
        "",
        f"- the last start was answered **{last} s** after the instant (target for 3000: "
        f"≤ {TARGET_S:g} s)",
        f"- errors {result['errors']}, students failed {result['students_failed']}; "
        f"{c['started']} started, attempts missing {c['attempts_missing']}, students with two "
        f"attempts {c['students_with_two_attempts']}",
        "",
        common.cpu_table(result["cpu"]),
        *(["", "First failures:", *[f"    {f}" for f in result["failures"][:5]]]
          if result["failures"] else []),
    ])
