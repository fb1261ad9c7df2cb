"""CPU time and SQL queries per request of the exam's hot requests, in-process (Django's test
client) with the server's production settings on a benchmark database; `--profile` adds a
cProfile on the CPU clock: `python -m bench.profile [--n 200] [--profile --step save --top 25]`;
`--prepared` builds the attempts ahead first (quizzes/attempt_build.py), as the worker does
before an opening, so the start measured is the claim.

CPU time (not wall time) of the Django side only: no HTTP server, no client, and little
sensitivity to other jobs on the machine, so it compares code before and after a change.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import time

from . import common


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--step", default="all", choices=["all", "start", "save", "submit", "login"])
    p.add_argument("--db-url", default=common.DEFAULT_DB_URL.rsplit("/", 1)[0] + "/bench_profile")
    p.add_argument("--cache-url", default=common.DEFAULT_CACHE_URL)
    p.add_argument("--server-env", action="append", default=[])
    p.add_argument("--sort", default="cumulative")
    p.add_argument("--profile", action="store_true", help="cProfile (CPU clock) and print")
    p.add_argument("--start-via", default="api", choices=["api", "page"],
                   help="start through the API (answers with the questions) or the page's form "
                        "(a redirect: the start alone)")
    p.add_argument("--prepared", action="store_true",
                   help="build the attempts ahead (the worker's quiz_attempts_prepare, timed as "
                        "'prepare'), so each start only claims one")
    args = p.parse_args()
    cache_url = None if args.cache_url in ("", "none") else args.cache_url
    import os

    os.environ.update(dict(item.split("=", 1) for item in args.server_env))
    common.prepare_database(args.db_url, cache_url)
    common.collectstatic_if_needed(args.db_url)
    common.setup_django(args.db_url, cache_url)
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .client import make_answer
    from .fixture import create_exam

    exam = create_exam(args.n)
    if cache_url:
        from django.core.cache import cache

        cache.clear()
    import random

    rng = random.Random(1)
    clients = []

    results = {}

    def timed(label, fn, items):
        prof = cProfile.Profile(time.process_time) if args.step in ("all", label) \
            and args.profile else None
        queries = 0
        cpu = wall = 0.0
        for item in items:
            reset_queries()  # the query log keeps 9000: a full one makes the count wrong
            with CaptureQueriesContext(connection) as q:
                if prof:
                    prof.enable()
                t, c = time.perf_counter(), time.process_time()
                fn(item)
                wall += time.perf_counter() - t
                cpu += time.process_time() - c
                if prof:
                    prof.disable()
            queries += len(q)
        n = len(items)
        results[label] = {"cpu_ms": round(cpu / n * 1000, 2), "wall_ms": round(wall / n * 1000, 2),
                          "queries": round(queries / n, 1)}
        print(f"=== {label}: {n} requests, CPU {cpu / n * 1000:.2f} ms each (wall "
              f"{wall / n * 1000:.2f}), {queries / n:.1f} SQL queries each"
              + (" [profiled]" if prof else ""), flush=True)
        if prof:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())

    def login(username):
        c = Client(enforce_csrf_checks=False, HTTP_HOST="127.0.0.1")
        if clients:
            c.handler = clients[0].handler  # one handler, as in a server worker
        r = c.post("/accounts/login/", {"username": username, "password": common.PASSWORD})
        assert r.status_code == 302, r.status_code
        clients.append(c)

    timed("login", login, exam["usernames"])
    if args.prepared:
        from quizzes.attempt_build import quiz_attempts_prepare
        from quizzes.models import Quiz

        quiz_id = Quiz.objects.get(course__slug=exam["course"], slug=exam["quiz"]).pk
        # One call builds every student's attempt; reported per attempt (the worker's cost).
        began, cpu_began = time.perf_counter(), time.process_time()
        built = quiz_attempts_prepare(quiz_id=quiz_id)
    if args.prepared and built:  # the fixture may have prepared them already
        results["prepare"] = {
            "cpu_ms": round((time.process_time() - cpu_began) / built * 1000, 2),
            "wall_ms": round((time.perf_counter() - began) / built * 1000, 2), "built": built}
        print(f"=== prepare: {built} attempts built ahead, CPU "
              f"{results['prepare']['cpu_ms']:.2f} ms each", flush=True)
    attempts = []

    def start(c):
        r = c.post(f"/api/courses/{exam['course']}/quizzes/{exam['quiz']}/attempts/")
        assert r.status_code == 201, r.content[:300]
        attempts.append((c, r.json()))

    def start_page(c):
        r = c.post(f"/courses/{exam['course']}/quizzes/{exam['quiz']}/start/")
        assert r.status_code == 302 and "/attempts/" in r["Location"], r.content[:300]
        attempts.append((c, r["Location"].rstrip("/").rsplit("/", 1)[1]))

    timed("start", start_page if args.start_via == "page" else start, clients)
    if args.start_via == "page":  # the questions, untimed, for the saves
        attempts = [(c, c.get(f"/api/attempts/{attempt_id}/").json())
                    for c, attempt_id in attempts]
    saves = []
    for c, a in attempts:
        for q in a["questions"]:
            saves.append((c, a["id"], q))

    def save(item):
        c, attempt_id, q = item
        r = c.put(f"/api/attempts/{attempt_id}/responses/{q['slot_id']}/",
                  json.dumps({"answer": make_answer(q, rng), "sequence": q["sequence"]}),
                  content_type="application/json")
        assert r.status_code == 200, r.content[:300]
        q["sequence"] = r.json()["sequence"]

    timed("save", save, saves[: args.n * 3])

    def submit(item):
        c, a = item
        r = c.post(f"/api/attempts/{a['id']}/submit/")
        assert r.status_code == 200, r.content[:300]

    timed("submit", submit, attempts)
    print(json.dumps(results))
    reset_queries()
    connection.close()
    common.drop_database(args.db_url)


if __name__ == "__main__":
    main()
