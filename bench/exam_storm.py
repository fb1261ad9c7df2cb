"""The exam storm: N students log in, start one quiz at the same moment, answer ten questions
with an autosave after each, and submit; then the database is checked against what the
clients were told.

The timeline of one student:

1. log in (GET the login page for its CSRF token, POST the form) at a moment drawn uniformly
   in the login window (N / login-rate seconds: students arrive before the exam opens);
2. wait for the opening moment (one asyncio event: the barrier), plus a reaction delay drawn
   from [0, start-spread] (0 by default: everyone clicks at the same instant);
3. POST .../attempts/ (start), then for each question in the order shown: think for a time
   drawn uniformly from [think-min, think-max], answer it, PUT the autosave;
4. with probability `revisit` go back to one earlier question, change the answer, save again
   (a second save of the same slot: the compare-and-set sequence is exercised);
5. think once more, POST .../submit/.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from . import common, request_cpu
from .client import StepFailed, Student, make_answer

STEPS = ["login_page", "login", "start", "save", "submit"]
TARGET_P95_MS = 500.0


@dataclass
class StormParams:
    students: int = 3000
    think_min: float = 10.0
    think_max: float = 30.0
    login_rate: float = 50.0  # students arriving per second before the opening
    start_spread: float = 0.0  # seconds: 0 = the literal barrier
    revisit: float = 0.2
    connections: int = 64
    seed: int = 20250101
    # A floor (request_cpu.FLOORS) sent the same request right after each save, so that the
    # report gives what the floor costs under the storm's conditions beside the save. It adds
    # requests to the run: not for the targets' figures.
    floor_beside_saves: str | None = None


async def _run_students(base_url: str, params: StormParams, usernames: list[str], course: str,
                        quiz: str) -> dict:
    rec = common.Recorder()
    rng = random.Random(params.seed)
    lag = common.LoopLag()
    lag_task = asyncio.create_task(lag.run())
    login_window = len(usernames) / params.login_rate
    opened = asyncio.Event()
    failures: list[str] = []
    late = 0
    async with common.make_client(base_url, params.connections) as client:
        students = [Student(client, rec, u) for u in usernames]
        t0 = time.perf_counter()
        t_open = t0 + login_window + 2.0

        async def one(student: Student, r: random.Random):
            nonlocal late
            try:
                await asyncio.sleep(r.uniform(0, login_window))
                await student.login()
                if opened.is_set():
                    late += 1
                await opened.wait()
                if params.start_spread:
                    await asyncio.sleep(r.uniform(0, params.start_spread))
                attempt = await student.start(course, quiz)
                questions = sorted(attempt["questions"], key=lambda q: q["number"])
                plan = list(questions)
                if r.random() < params.revisit:
                    plan.append(r.choice(questions[:-1]))
                for q in plan:
                    await asyncio.sleep(r.uniform(params.think_min, params.think_max))
                    answer = make_answer(q, r)
                    await student.save(q["slot_id"], answer)
                    if params.floor_beside_saves:
                        await student.save_to_floor(params.floor_beside_saves, q["slot_id"],
                                                    answer)
                await asyncio.sleep(r.uniform(params.think_min, params.think_max) / 2)
                await student.submit()
            except StepFailed as exc:
                failures.append(f"{student.username}: {exc}")
            except Exception as exc:  # a bug in the client: report it, do not hide it
                failures.append(f"{student.username}: {type(exc).__name__}: {exc}")

        async def opener():
            await asyncio.sleep(max(0.0, t_open - time.perf_counter()))
            opened.set()

        tasks = [asyncio.create_task(one(s, random.Random(rng.random()))) for s in students]
        tasks.append(asyncio.create_task(opener()))
        await asyncio.gather(*tasks)
        t_end = time.perf_counter()
    loop = lag.stop()
    lag_task.cancel()
    return {"rec": rec, "students": students, "failures": failures, "late": late,
            "t0": t0, "t_open": t_open, "t_end": t_end, "loop_lag": loop}


def verify_database(students: list[Student], course_slug: str, quiz_slug: str) -> dict:
    """Every acknowledged save is stored; every submitted attempt is graded exactly once."""
    from django.db.models import Count, Prefetch

    from quizzes import qtypes
    from quizzes.models import Attempt, Quiz, Response

    quiz = Quiz.objects.get(course__slug=course_slug, slug=quiz_slug)
    ids = [s.attempt["id"] for s in students if s.attempt]
    attempts = {a.pk: a for a in Attempt.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("responses", queryset=Response.objects.select_related("version")))}
    acked = lost = newer_unacked = graded_ok = grading_problems = submitted = 0
    problems: list[str] = []
    for s in students:
        if not s.attempt:
            continue
        attempt = attempts.get(s.attempt["id"])
        if attempt is None:
            lost += len(s.acked)
            problems.append(f"{s.username}: attempt {s.attempt['id']} missing")
            continue
        by_slot = {r.slot_id: r for r in attempt.responses.all()}
        for slot_id, (answer, sequence) in s.acked.items():
            acked += 1
            r = by_slot.get(slot_id)
            stored = None if r is None or r.answer is None else qtypes.get(
                r.version.qtype).to_display(r.question_data, r.layout, r.answer)
            if r is None or r.sequence < sequence or (r.sequence == sequence
                                                       and stored != answer):
                lost += 1
                if len(problems) < 20:
                    problems.append(f"{s.username} slot {slot_id}: acked {answer!r} seq "
                                    f"{sequence}, stored {stored!r} seq "
                                    f"{None if r is None else r.sequence}")
            elif r.sequence > sequence:
                newer_unacked += 1
        if s.submitted is not None:
            submitted += 1
            told = datetime.fromisoformat(s.submitted["submitted_at"])
            responses = list(by_slot.values())
            expected = sum(r.fraction * float(r.max_mark) for r in responses
                           if r.fraction is not None)
            ok = (attempt.state == Attempt.State.SUBMITTED and attempt.score is not None
                  and attempt.submitted_at == told
                  and all(r.fraction is not None for r in responses)
                  and abs(float(attempt.score) - expected) < 1e-3)
            graded_ok += ok
            if not ok:
                grading_problems += 1
                if len(problems) < 20:
                    problems.append(f"{s.username}: attempt {attempt.pk} state {attempt.state} "
                                    f"score {attempt.score} submitted_at "
                                    f"{attempt.submitted_at} (told {told})")
    # Prepared attempts not yet handed out may have no user: only owned attempts count.
    duplicates = (Attempt.objects.filter(quiz=quiz).exclude(user=None).values("user_id")
                  .annotate(n=Count("id")).filter(n__gt=1).count())
    return {"acknowledged_saves": acked, "lost_answers": lost,
            "stored_newer_than_acknowledged": newer_unacked,
            "submitted": submitted, "graded_once_ok": graded_ok,
            "grading_problems": grading_problems, "students_with_two_attempts": duplicates,
            "attempts_in_db": Attempt.objects.filter(quiz=quiz).exclude(user=None).count(),
            "problems": problems}


def run(params: StormParams, *, db_url: str, cache_url: str | None,
        server_config: common.ServerConfig, keep_db: bool = False,
        drop_template: bool = False, log_dir: Path | None = None) -> dict:
    log_dir = log_dir or common.REPO / "var" / "bench"
    info = common.machine_info()
    t_setup = time.perf_counter()
    common.prepare_database(db_url, cache_url)
    common.collectstatic_if_needed(db_url)
    common.setup_django(db_url, cache_url)
    from .fixture import create_exam

    exam = create_exam(params.students)
    if cache_url:
        from django.core.cache import cache

        cache.clear()
    from django.db import connections

    connections.close_all()
    setup_s = time.perf_counter() - t_setup
    server = common.Server(db_url, cache_url, server_config, log_dir / "exam-storm-server.log")
    with server:
        meter = common.CpuMeter(server.pids)
        meter.start()
        out = common.run_clients(_run_students(server.base_url, params, exam["usernames"],
                                               exam["course"], exam["quiz"]))
        cpu = meter.stop()
    per_request = server.request_figures()  # complete now that the workers have exited
    rec: common.Recorder = out["rec"]
    summary = rec.summary(STEPS + ([params.floor_beside_saves] if params.floor_beside_saves
                                   else []))
    saves = rec.samples.get("save", [])
    save_span = (max(s[0] for s in saves) - min(s[0] for s in saves)) if len(saves) > 1 else 0
    starts = rec.samples.get("start", [])
    start_drain = (max(s[0] + s[1] / 1000 for s in starts) - out["t_open"]) if starts else None
    check = verify_database(out["students"], exam["course"], exam["quiz"])
    if not keep_db:
        connections.close_all()
        common.drop_database(db_url, template=drop_template)
    wall = out["t_end"] - out["t0"]
    result = {
        "benchmark": "exam-storm", "machine": info, "params": asdict(params),
        "server": server_config.describe(), "database": db_url.rsplit("@", 1)[-1],
        "cache": cache_url, "prepared_attempts": exam.get("prepared_attempts", False),
        "setup_s": round(setup_s, 1), "wall_s": round(wall, 1),
        "requests": rec.total(), "errors": rec.total_errors(),
        "rps_overall": round(rec.total() / wall, 1),
        "save_rps": round(len(saves) / save_span, 1) if save_span else None,
        "start_storm_drained_s": None if start_drain is None else round(start_drain, 2),
        "late_logins": out["late"], "students_failed": len(out["failures"]),
        "failures": out["failures"][:20], "steps": summary, "db_check": check, "cpu": cpu,
        "per_request": per_request,
        "postgres_cpu_ms_per_request": round(cpu["cpu_s"]["postgres"] * 1000 / rec.total(), 2)
        if rec.total() else None,
        "client_loop_lag_ms": out["loop_lag"],
    }
    result["targets"] = targets(result)
    return result


def targets(result: dict) -> dict:
    steps = result["steps"]
    return {
        "p95_below_500ms": {k: (steps[k]["p95_ms"] is not None
                                and steps[k]["p95_ms"] < TARGET_P95_MS)
                            for k in ("login", "start", "save", "submit")},
        "zero_errors": result["errors"] == 0 and result["students_failed"] == 0,
        "zero_lost_answers": result["db_check"]["lost_answers"] == 0,
        "graded_exactly_once": (result["db_check"]["grading_problems"] == 0
                                and result["db_check"]["students_with_two_attempts"] == 0),
    }


def _saves_by_statements(per_request: dict[str, dict]) -> list[str]:
    """A line splitting the saves' CPU by the statements each ran: on PostgreSQL one for an
    attempt the worker knew, two for a worker's first save of an attempt (which reads its
    questions first)."""
    parts = []
    for sql in range(1, 1 + (per_request.get("save") or {}).get("sql_max", 0)):
        c = per_request.get(request_cpu.save_by_statements(sql))
        if c:
            db = "–" if c["db_cpu_ms"] is None else f"{c['db_cpu_ms']:.2f}"
            parts.append(f"{sql} SQL: {c['requests']}, {c['server_cpu_ms']:.2f} + {db} ms")
    return ["- saves by statements run, server + db CPU: " + "; ".join(parts)] if parts else []


def report(result: dict) -> str:
    p, c, m = result["params"], result["db_check"], result["machine"]
    lines = [
        f"## Exam storm: {p['students']} students ({m['date_utc']})",
        "",
        f"Machine: {m['nproc']} × {m['cpu_model']}, {m['ram_gib']} GiB; load average before "
        f"{m['loadavg_before']}. Server: `{result['server']}`, database {result['database']}, "
        f"cache {result['cache'] or 'locmem'}. Client: asyncio + aiohttp, "
        f"{p['connections']} pooled connections. Prepared attempts: "
        f"{'yes' if result.get('prepared_attempts') else 'no'}.",
        f"Think {p['think_min']}–{p['think_max']} s per answer, logins at "
        f"{p['login_rate']}/s, start spread {p['start_spread']} s, revisit {p['revisit']}.",
        *([f"Beside each save, its request sent to the floor `{p['floor_beside_saves']}` "
           "(config/bench_views.py): these figures are not the targets'."]
          if p.get("floor_beside_saves") else []),
        "",
        common.step_table(result["steps"], TARGET_P95_MS, result.get("per_request")),
        "",
        common.PER_REQUEST_NOTE + f" All PostgreSQL processes: "
        f"{result.get('postgres_cpu_ms_per_request')} ms per request of the run.",
        "",
        f"- requests {result['requests']} in {result['wall_s']} s: {result['rps_overall']} rps "
        f"overall, saves {result['save_rps']} /s while answering; start storm drained in "
        f"{result['start_storm_drained_s']} s after the opening",
        f"- errors {result['errors']}, students failed {result['students_failed']}, "
        f"late logins {result['late_logins']}",
        f"- database: {c['acknowledged_saves']} acknowledged saves, lost answers "
        f"**{c['lost_answers']}** (stored but unacknowledged: "
        f"{c['stored_newer_than_acknowledged']}); {c['submitted']} submitted, graded once "
        f"{c['graded_once_ok']}, grading problems {c['grading_problems']}, students with two "
        f"attempts {c['students_with_two_attempts']}",
        *_saves_by_statements(result.get("per_request") or {}),
        "- client event-loop lag p50/p99/max: " + "/".join(
            common.fmt_ms(result["client_loop_lag_ms"][k]) for k in ("p50_ms", "p99_ms", "max_ms"))
        + " ms",
        "",
        common.cpu_table(result["cpu"]),
        "",
        "Targets: " + ", ".join(
            f"{k} {'met' if v else 'NOT met'}" if isinstance(v, bool) else
            f"{k}: " + "/".join(f"{s} {'met' if ok else 'NOT met'}" for s, ok in v.items())
            for k, v in result["targets"].items()),
    ]
    if result["failures"]:
        lines += ["", "First failures:", *[f"    {f}" for f in result["failures"][:5]]]
    if c["problems"]:
        lines += ["", "Database problems:", *[f"    {f}" for f in c["problems"][:5]]]
    return "\n".join(lines)
