"""The performance targets, each with the figure this run measured beside it.

`evaluate(results)` takes the results of the benchmarks that ran (any of "exam-storm",
"instant-starts", "ceiling") and returns one row per target: what it asks, today's figure, and
"met", "NOT met" or "not measured" (the run did not measure what the target names: `--quick`
runs 300 students, not 3000; a figure from the smaller run is shown beside it, marked so).
"""

from __future__ import annotations

SAVE_CPU_MS = 1.0
P95_MS = 500.0
INSTANT_S = 3.0
QUERY_BUDGET = {"save": 2, "start": 3, "submit": 4}
STORM_STEPS = ("login", "start", "save", "submit")

MET, NOT_MET, NOT_MEASURED = "met", "NOT met", "not measured"


def _ratio(ceiling: dict | None) -> dict:
    row = {"target": "autosave / bare view, same server, same run", "goal": "≥ 0.5"}
    if not ceiling or ceiling.get("ratio") is None:
        return {**row, "today": "–", "status": NOT_MEASURED}
    r, floor = ceiling["ratio"], (ceiling.get("floor_ratios") or {}).get("answer_row")
    today = f"{r:.3f} ({ceiling['save']['rps']} / {ceiling['bare']['rps']} rps)"
    if floor is not None:  # what a save that only wrote its answer's row reached
        today += f"; the answer row written alone: {floor:.3f}"
    return {**row, "today": today, "status": MET if r >= 0.5 else NOT_MET, "value": r}


def _save_cpu(storm: dict | None, ceiling: dict | None) -> dict:
    """Per save as the storm's server measured it (the thread that answered, its PostgreSQL
    backend); else, from a ceiling alone, by process over its save phase: the whole server
    process (its HTTP handling included) and every PostgreSQL process, per save answered."""
    row = {"target": "server + database CPU per save", "goal": f"≤ {SAVE_CPU_MS:g} ms"}
    c = ((storm or {}).get("per_request") or {}).get("save")
    if c and c.get("server_cpu_ms") is not None and c.get("db_cpu_ms") is not None:
        server, db, source = c["server_cpu_ms"], c["db_cpu_ms"], \
            f"exam storm, {c['requests']} saves"
    else:
        p = ((ceiling or {}).get("save") or {}).get("cpu_ms_per_request") or {}
        if p.get("server") is None or p.get("postgres") is None:
            return {**row, "today": "–", "status": NOT_MEASURED}
        server, db, source = p["server"], p["postgres"], \
            f"ceiling by process, {ceiling['save']['requests']} saves"
    total = server + db
    return {**row, "today": f"{total:.2f} ms (server {server:.2f} + database {db:.2f}; "
                            f"{source})",
            "status": MET if total <= SAVE_CPU_MS else NOT_MET, "value": total}


def _storm(storm: dict | None) -> dict:
    row = {"target": "3000 students, think 10–30 s, clicks spread over 10 s: every step p95, "
                     "errors, lost answers",
           "goal": f"< {P95_MS:g} ms, 0 errors, 0 lost"}
    if not storm:
        return {**row, "today": "–", "status": NOT_MEASURED}
    p, steps, check = storm["params"], storm["steps"], storm["db_check"]
    worst = max((s for s in STORM_STEPS if steps.get(s, {}).get("p95_ms") is not None),
                key=lambda s: steps[s]["p95_ms"], default=None)
    errors = storm["errors"] + storm["students_failed"]
    today = (f"worst p95 {worst} {steps[worst]['p95_ms']:.0f} ms" if worst else "no steps") + \
        f", {errors} errors, {check['lost_answers']} lost"
    ok = (worst is not None and all(steps[s]["p95_ms"] is not None
                                    and steps[s]["p95_ms"] < P95_MS for s in STORM_STEPS)
          and errors == 0 and check["lost_answers"] == 0)
    # The scenario the target names, or a harder one (more students, a tighter spread).
    named = (p["students"] >= 3000 and p["think_min"] == 10 and p["think_max"] == 30
             and p["start_spread"] <= 10)
    if not named:
        return {**row, "today": f"{today} (measured: {p['students']} students, think "
                                f"{p['think_min']:g}–{p['think_max']:g} s, spread "
                                f"{p['start_spread']:g} s)", "status": NOT_MEASURED}
    return {**row, "today": today, "status": MET if ok else NOT_MET}


def _instant(instant: dict | None) -> dict:
    row = {"target": "3000 starts at one instant: time until the last is answered",
           "goal": f"≤ {INSTANT_S:g} s"}
    if not instant or instant.get("last_answered_s") is None:
        return {**row, "today": "–", "status": NOT_MEASURED}
    s, n = instant["last_answered_s"], instant["students"]
    failed = instant["students_failed"]
    today = f"{s:.2f} s" + (f", {failed} failed" if failed else "")
    if n < 3000:
        return {**row, "today": f"{today} (measured: {n} starts)", "status": NOT_MEASURED}
    return {**row, "today": today, "status": MET if s <= INSTANT_S and not failed else NOT_MET,
            "value": s}


def _queries(storm: dict | None, instant: dict | None) -> dict:
    row = {"target": "query budget (SQL statements per request, most seen)",
           "goal": ", ".join(f"{k} ≤ {v}" for k, v in QUERY_BUDGET.items())}
    found = {}
    for result in (instant, storm):  # the storm's figure wins where both have one
        for kind in QUERY_BUDGET:
            c = ((result or {}).get("per_request") or {}).get(kind)
            if c and c.get("requests"):
                found[kind] = c["sql_max"]
    if not found:
        return {**row, "today": "–", "status": NOT_MEASURED}
    today = ", ".join(f"{k} {found[k]}" if k in found else f"{k} –" for k in QUERY_BUDGET)
    if len(found) < len(QUERY_BUDGET):
        return {**row, "today": today, "status": NOT_MEASURED}
    ok = all(found[k] <= v for k, v in QUERY_BUDGET.items())
    return {**row, "today": today, "status": MET if ok else NOT_MET, "value": found}


def evaluate(results: dict[str, dict]) -> list[dict]:
    storm, instant, ceiling = (results.get(k) for k in ("exam-storm", "instant-starts",
                                                         "ceiling"))
    return [_ratio(ceiling), _save_cpu(storm, ceiling), _storm(storm), _instant(instant),
            _queries(storm, instant)]


def table(rows: list[dict]) -> str:
    lines = ["## Targets", "", "| target | goal | today | |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['target']} | {r['goal']} | {r['today']} | {r['status']} |")
    return "\n".join(lines)
