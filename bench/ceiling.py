"""The ceiling: how fast the same server answers a bare Django JSON view (no database, no
session read) versus the autosave, driven by the same client at the same concurrency in a
closed loop (each of C virtual users sends its next request as soon as the last one returns).

autosave throughput / bare-view throughput says how much of the stack's capacity the save
itself costs (target: at least 50%).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from pathlib import Path

from . import common
from .client import Student, make_answer


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

        def saver(s: Student):
            rng = random.Random(s.username)
            questions = s.attempt["questions"]

            async def save_once():
                q = rng.choice(questions)
                try:
                    await s.save(q["slot_id"], make_answer(q, rng))
                except Exception:
                    pass  # recorded by the student

            return save_once

        save = await _closed_loop(rec, "save", [saver(s) for s in students], duration, warmup,
                                  meter)
    return {"bare": bare, "save": save, "students": students}


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
    ratio = out["save"]["rps"] / out["bare"]["rps"] if out["bare"]["rps"] else None
    return {"benchmark": "ceiling", "machine": info, "server": server_config.describe(),
            "cache": cache_url, "concurrency": concurrency, "duration_s": duration,
            "bare": out["bare"], "save": out["save"],
            "ratio": None if ratio is None else round(ratio, 3),
            "lost_answers": check["lost_answers"], "acknowledged_saves":
            check["acknowledged_saves"], "cpu_both_phases": cpu,
            "target_ratio_met": ratio is not None and ratio >= 0.5}


def report(result: dict) -> str:
    b, s = result["bare"], result["save"]
    f = common.fmt_ms
    return "\n".join([
        f"## Ceiling: {result['concurrency']} concurrent closed-loop clients, "
        f"{result['duration_s']} s each ({result['machine']['date_utc']})",
        "",
        f"Server: `{result['server']}`, cache {result['cache'] or 'locmem'}.",
        "",
        "| view | rps | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
        f"| bare JSON view | {b['rps']} | {b['errors']} | {f(b['p50_ms'])} | {f(b['p95_ms'])} | "
        f"{f(b['p99_ms'])} |",
        f"| autosave (PUT) | {s['rps']} | {s['errors']} | {f(s['p50_ms'])} | {f(s['p95_ms'])} | "
        f"{f(s['p99_ms'])} |",
        "",
        f"autosave / bare = **{result['ratio']}** (target ≥ 0.5: "
        f"{'met' if result['target_ratio_met'] else 'NOT met'}); lost answers "
        f"{result['lost_answers']} of {result['acknowledged_saves']} acknowledged.",
        "",
        common.cpu_table(result["cpu_both_phases"]),
        "",
        _machine_per_request(b, s),
    ])


def _machine_per_request(bare: dict, save: dict) -> str:
    """Each process's CPU per request answered in each phase, and what a save adds: the
    ratio is the bare view's machine time over the save's."""
    b, s = bare.get("cpu_ms_per_request"), save.get("cpu_ms_per_request")
    if not b or not s or None in b.values() or None in s.values():
        return ""
    lines = ["CPU ms per request answered, by process, while each phase was measured:", "",
             "| process | bare view | autosave | the save adds |", "|---|---:|---:|---:|"]
    for k in ("load_generator", "server", "postgres", "redis", "other", "machine"):
        lines.append(f"| {k} | {b[k]:.3f} | {s[k]:.3f} | {s[k] - b[k]:+.3f} |")
    side = server_side_ratio(bare, save)
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
