"""The ceiling: how fast the same server answers a bare Django JSON view (no database, no
session read), the save's own request sent to floors that store less than a save and check
nothing (config/bench_views.py: nothing stored, the answer set in the cache, its row written
alone or in batches), and the autosave, each driven by the same client at the same
concurrency in a closed loop (each of C virtual users sends its next request as soon as the
last one returns).

autosave throughput / bare-view throughput says how much of the stack's capacity the save
itself costs (target: at least 50%); each floor's throughput over the bare view's says how far
a save that stores its answer that way could go on the same server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from functools import partial
from pathlib import Path

from . import common
from .client import Student, make_answer
from .request_cpu import FLOORS  # each floor is a phase between the bare view and the save

# Result key: the phase's row in the report, and its column in the CPU table.
PHASES = {"bare": "bare JSON view",
          "answer_echo": "the save's request, nothing stored or checked",
          "answer_cache": "the save's request, its answer written to the cache, nothing checked",
          "answer_row": "the save's request, its answer's row written, nothing checked",
          "answer_rows_batched": "the same, the rows written in batches by a writer thread",
          "save": "autosave (PUT)"}
PHASE_COLUMNS = {"bare": "bare view", "answer_echo": "request only",
                 "answer_cache": "answer in the cache only",
                 "answer_row": "answer row only", "answer_rows_batched": "answer rows, batched",
                 "save": "autosave"}


def _key(floor: str) -> str:
    return floor.replace("-", "_")


async def _closed_loop(rec: common.Recorder, step: str, workers: list, duration: float,
                       warmup: float, meter: common.CpuMeter) -> dict:
    stop_at = time.perf_counter() + warmup + duration
    t_measure = time.perf_counter() + warmup

    async def loop(do):
        while time.perf_counter() < stop_at:
            await do()

    async def meter_from_measure():
        await asyncio.sleep(warmup)
        meter.start()

    await asyncio.gather(meter_from_measure(), *(loop(w) for w in workers))
    cpu = meter.stop()
    rows = [r for r in rec.samples.get(step, []) if r[0] >= t_measure]
    ms = sorted(r[1] for r in rows)
    return {"requests": len(rows), "errors": sum(1 for r in rows if not r[2]),
            "rps": round(len(rows) / duration, 1),
            "p50_ms": common.percentile(ms, 50), "p95_ms": common.percentile(ms, 95),
            "p99_ms": common.percentile(ms, 99),
            # What each process used per request answered, from the end of the warm-up until
            # the last request returned: where a request's cost to the machine goes.
            "cpu_ms_per_request": {k: round(v * 1000 / len(rows), 3) if rows else None
                                   for k, v in cpu["cpu_s"].items()}}


async def _run(base_url: str, usernames: list[str], course: str, quiz: str, concurrency: int,
               duration: float, warmup: float, meter: common.CpuMeter) -> dict:
    rec = common.Recorder()
    async with common.make_client(base_url, concurrency) as client:
        students = [Student(client, rec, u) for u in usernames[:concurrency]]
        sem = asyncio.Semaphore(16)

        async def prepare(s):
            async with sem:
                await s.login()
                await s.start(course, quiz)

        await asyncio.gather(*(prepare(s) for s in students))

        async def bare_once():
            started = time.perf_counter()
            try:
                r = await client.get("/bench/bare/")
                rec.add("bare", started, (time.perf_counter() - started) * 1000,
                        r.status_code == 200, f"http {r.status_code}")
            except Exception as exc:
                rec.add("bare", started, (time.perf_counter() - started) * 1000, False,
                        type(exc).__name__)

        bare = await _closed_loop(rec, "bare", [bare_once] * concurrency, duration, warmup,
                                  meter)

        def answering(action) -> list:
            """One closed-loop worker per student: `action(student, slot_id=, answer=)` on a
            random question of their attempt with a plausible answer."""
            def worker(s: Student):
                rng = random.Random(s.username)
                questions = s.attempt["questions"]

                async def once():
                    q = rng.choice(questions)
                    try:
                        await action(s, slot_id=q["slot_id"], answer=make_answer(q, rng))
                    except Exception:
                        pass  # recorded by the student

                return once

            return [worker(s) for s in students]

        phases = {"bare": bare}
        for floor in FLOORS:
            await asyncio.to_thread(_vacuum_answers)
            phases[_key(floor)] = await _closed_loop(
                rec, floor, answering(partial(Student.save_to_floor, floor=floor)), duration,
                warmup, meter)
        await asyncio.to_thread(_vacuum_answers)
        phases["save"] = await _closed_loop(rec, "save", answering(Student.save), duration,
                                            warmup, meter)
    return {**phases, "students": students}


def _vacuum_answers() -> None:
    """VACUUM the answer rows between phases, outside their measured seconds: the floors that
    write and the save update the same rows, and the row versions one phase leaves would
    otherwise be pruned and vacuumed in the next one's time."""
    from django.db import connection

    from quizzes.models import Response

    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {connection.ops.quote_name(Response._meta.db_table)}")
    finally:
        connection.close()


def run(*, concurrency: int, duration: float, warmup: float, db_url: str, cache_url: str | None,
        server_config: common.ServerConfig, keep_db: bool = False,
        log_dir: Path | None = None) -> dict:
    log_dir = log_dir or common.REPO / "var" / "bench"
    info = common.machine_info()
    common.prepare_database(db_url, cache_url)
    common.collectstatic_if_needed(db_url)
    common.setup_django(db_url, cache_url)
    from django.db import connections

    from .exam_storm import verify_database
    from .fixture import create_exam

    exam = create_exam(concurrency)
    if cache_url:
        from django.core.cache import cache

        cache.clear()
    connections.close_all()
    # Without the per-request figures (bench/request_cpu.py): their reads and bookkeeping cost
    # the server process 0.1-0.3 ms of CPU a save in this closed loop (four alternated pairs),
    # which would be measured as the save's. What a request costs is read by process instead.
    server_config = dataclasses.replace(server_config, measure_requests=False)
    server = common.Server(db_url, cache_url, server_config, log_dir / "ceiling-server.log")
    with server:
        meter, phase_meter = common.CpuMeter(server.pids), common.CpuMeter(server.pids)
        meter.start()
        out = common.run_clients(_run(server.base_url, exam["usernames"], exam["course"],
                                      exam["quiz"], concurrency, duration, warmup, phase_meter))
        cpu = meter.stop()
    check = verify_database(out["students"], exam["course"], exam["quiz"])
    if not keep_db:
        connections.close_all()
        common.drop_database(db_url)
    bare_rps = out["bare"]["rps"]

    def ratio_to_bare(key: str) -> float | None:
        return round(out[key]["rps"] / bare_rps, 3) if bare_rps else None

    ratio = ratio_to_bare("save")
    return {"benchmark": "ceiling", "machine": info, "server": server_config.describe(),
            "cache": cache_url, "concurrency": concurrency, "duration_s": duration,
            **{key: out[key] for key in PHASES},
            "ratio": ratio, "floor_ratios": {_key(f): ratio_to_bare(_key(f)) for f in FLOORS},
            "lost_answers": check["lost_answers"], "acknowledged_saves":
            check["acknowledged_saves"], "cpu_whole_run": cpu,
            "target_ratio_met": ratio is not None and ratio >= 0.5}


def report(result: dict) -> str:
    f = common.fmt_ms
    floors = result["floor_ratios"]
    return "\n".join([
        f"## Ceiling: {result['concurrency']} concurrent closed-loop clients, "
        f"{result['duration_s']} s each ({result['machine']['date_utc']})",
        "",
        f"Server: `{result['server']}`, cache {result['cache'] or 'locmem'}.",
        "",
        "| view | rps | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
        *(f"| {label} | {p['rps']} | {p['errors']} | {f(p['p50_ms'])} | {f(p['p95_ms'])} | "
          f"{f(p['p99_ms'])} |" for label, p in ((PHASES[k], result[k]) for k in PHASES)),
        "",
        f"autosave / bare = **{result['ratio']}** (target ≥ 0.5: "
        f"{'met' if result['target_ratio_met'] else 'NOT met'}); lost answers "
        f"{result['lost_answers']} of {result['acknowledged_saves']} acknowledged.",
        "",
        f"The floors, sent exactly what a save is sent, answered where the proven save is and "
        f"checking nothing (config/bench_views.py): storing nothing, "
        f"**{floors['answer_echo']}** of the bare view, the most any save answered there could "
        f"reach; writing the "
        f"answer to the cache (one SET), **{floors['answer_cache']}**, the most a save "
        f"acknowledged from the cache could reach; writing the answer's row in one UPDATE, "
        f"**{floors['answer_row']}**, the most any save that stores its answer in PostgreSQL "
        f"before it answers could reach with a statement of its own; writing the rows in one "
        f"UPDATE per batch from a writer thread of each process (group commit), "
        f"**{floors['answer_rows_batched']}**.",
        "",
        common.cpu_table(result["cpu_whole_run"]),
        "",
        _machine_per_request(result),
    ])


_PROCESSES = ("load_generator", "server", "postgres", "redis", "other", "machine")


def _machine_per_request(result: dict) -> str:
    """Each process's CPU per request answered in each phase, and what a save adds to the bare
    request and to the answer-row floor: the ratio is the bare view's machine time over the
    save's."""
    per = {k: result[k].get("cpu_ms_per_request") for k in PHASES}
    if not all(p and None not in p.values() for p in per.values()):
        return ""
    b, s, w = per["bare"], per["save"], per["answer_row"]
    lines = ["CPU ms per request answered, by process, while each phase was measured:", "",
             "| process | " + " | ".join(PHASE_COLUMNS[k] for k in PHASES)
             + " | the save adds to the bare view | to the answer row |",
             "|---|" + "---:|" * (len(PHASES) + 2)]
    for k in _PROCESSES:
        lines.append(f"| {k} | " + " | ".join(f"{per[p][k]:.3f}" for p in PHASES)
                     + f" | {s[k] - b[k]:+.3f} | {s[k] - w[k]:+.3f} |")
    side = server_side_ratio(result["bare"], result["save"])
    if side is not None:
        lines += ["", f"Without the load generator, which shares the cores: bare view / autosave "
                      f"CPU of the server, PostgreSQL and Redis = {side:.3f}."]
    return "\n".join(lines)


def server_side_ratio(bare: dict, save: dict) -> float | None:
    """The ratio as the server's side of the machine sees it: what the server, PostgreSQL and
    Redis spend on a bare request over what they spend on a save."""
    b, s = bare.get("cpu_ms_per_request"), save.get("cpu_ms_per_request")
    keys = ("server", "postgres", "redis")
    if not b or not s or any(b.get(k) is None or s.get(k) is None for k in keys):
        return None
    spent = sum(s[k] for k in keys)
    return round(sum(b[k] for k in keys) / spent, 3) if spent else None
