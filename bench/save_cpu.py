"""Server CPU per answer save, measured in one process (no HTTP server, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench CACHE_URL=redis://127.0.0.1:6379/1 \
        python -m bench.save_cpu [--requests 2000]

Creates a throw-away test database (`test_<name>`), one student with an open attempt on a
10-question quiz, then sends the same save `--requests` times through Django's test client
(the whole middleware stack, the session and the user read as in production) and reports the
CPU time of this thread per request (`time.thread_time`: Python, the template and the database
driver; not PostgreSQL's own work) and the queries per request, for:

- `live`: GET /health/live, the floor (middleware, URL resolution, a JSON reply);
- `htmx`: the page's autosave (POST form, HTML status line);
- `api`: PUT /api/attempts/<id>/responses/<slot>/ (JSON in and out);
- `api, no statement`: the same save with its one statement answered in Python, as PostgreSQL
  would answer it, without a round trip: the cost of everything but the statement;
- `api, 0.5 ms wait as the statement`: the statement replaced by a 0.5 ms sleep (about its
  round trip): what it costs this thread to wait and resume, apart from the statement.

The last two leave the stored answer behind and come last.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-save-cpu-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


def _fixture():
    from django.contrib.auth import get_user_model

    from courses.models import Course, Enrollment
    from quizzes import services
    from quizzes.models import Quiz, Slot

    from .fixture import QUESTIONS

    course = Course.objects.create(slug="save-cpu", title="save cpu")
    category = services.category_get_or_create_path(course=course, path=("Bench", "Save"))
    quiz = Quiz.objects.create(course=course, slug="save-cpu", title="save cpu", published=True)
    for i, (qtype, stem, data) in enumerate(QUESTIONS):
        question = services.question_create(course=course, category=category, name=f"q{i}",
                                            qtype=qtype, stem=stem, data=data)
        Slot.objects.create(quiz=quiz, position=i + 1, question=question)
    user = get_user_model().objects.create_user(username="saver", password="pw-12345!")
    Enrollment.objects.create(user=user, course=course, role=Enrollment.Role.STUDENT)
    attempt = services.attempt_start(user=user, quiz=quiz)
    response = attempt.responses.select_related("version").get(slot__position=1)
    return user, attempt, response.slot_id


def _run(label: str, send, n: int) -> dict:
    from django.db import connection, reset_queries

    for _ in range(50):  # warm: imports, caches, the first connection
        send()
    cpu, queries = [], []
    connection.force_debug_cursor = True
    for _ in range(n):
        reset_queries()
        start = time.thread_time()
        status = send()
        cpu.append(time.thread_time() - start)
        queries.append(len(connection.queries))
        if status not in (200,):
            raise SystemExit(f"{label}: status {status}")
    connection.force_debug_cursor = False
    return {"label": label, "n": n, "cpu_ms_mean": 1000 * statistics.fmean(cpu),
            "cpu_ms_median": 1000 * statistics.median(cpu),
            "queries": statistics.fmean(queries)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.save_cpu")
    p.add_argument("--requests", type=int, default=2000)
    args = p.parse_args(argv)
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        user, attempt, slot = _fixture()
        client = Client()
        client.force_login(user)
        state = {"seq": 0, "i": 0}
        save_url = f"/attempts/{attempt.pk}/save/{slot}/"
        api_url = f"/api/attempts/{attempt.pk}/responses/{slot}/"

        def live():
            return client.get("/health/live", secure=True).status_code

        def htmx():
            state["i"] += 1
            r = client.post(save_url, {f"s{slot}-choice": str(state["i"] % 2),
                                       f"s{slot}-sequence": str(state["seq"])},
                            HTTP_HX_REQUEST="true", secure=True)
            state["seq"] += 1
            return r.status_code

        def api():
            state["i"] += 1
            r = client.put(api_url, {"answer": {"choice": str(state["i"] % 4)},
                                     "sequence": state["seq"]}, content_type="application/json",
                           secure=True)
            if r.status_code == 200:
                state["seq"] = r.json()["sequence"]
            return r.status_code

        rows = [_run("live", live, args.requests), _run("htmx", htmx, args.requests),
                _run("api", api, args.requests)]
        from quizzes import attempt_runtime

        written = attempt_runtime._session_guarded_write, attempt_runtime._guarded_write
        try:
            for label, wait in (("api, no statement", 0.0),
                                ("api, 0.5 ms wait as the statement", 0.0005)):
                def statement(*, wait=wait, **_):
                    if wait:
                        time.sleep(wait)
                    return (1, False)  # the row a write returns: position, flagged

                attempt_runtime._session_guarded_write = attempt_runtime._guarded_write = \
                    statement
                rows.append(_run(label, api, args.requests))
        finally:
            attempt_runtime._session_guarded_write, attempt_runtime._guarded_write = written
        print("| request | n | CPU ms mean | CPU ms median | queries |")
        print("|---|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['label']} | {r['n']} | {r['cpu_ms_mean']:.3f} | "
                  f"{r['cpu_ms_median']:.3f} | {r['queries']:.1f} |")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
