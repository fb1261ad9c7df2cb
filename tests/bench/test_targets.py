"""The targets table and the per-request figures' bookkeeping, without a server: a run that did
not measure what a target names says so instead of passing or failing it."""

import json
import os

from bench import request_cpu, targets


def storm(students=3000, think=(10.0, 30.0), spread=10.0, p95=120.0, sql=(2, 3, 4)):
    steps = {s: {"p95_ms": p95} for s in ("login_page", "login", "start", "save", "submit")}
    per_request = {
        "save": {"requests": 100, "server_cpu_ms": 0.6, "db_cpu_ms": 0.3, "sql_mean": sql[0],
                 "sql_max": sql[0]},
        "start": {"requests": 10, "server_cpu_ms": 3.0, "db_cpu_ms": 1.0, "sql_mean": sql[1],
                  "sql_max": sql[1]},
        "submit": {"requests": 10, "server_cpu_ms": 3.0, "db_cpu_ms": 1.0, "sql_mean": sql[2],
                   "sql_max": sql[2]},
    }
    return {"params": {"students": students, "think_min": think[0], "think_max": think[1],
                       "start_spread": spread},
            "steps": steps, "errors": 0, "students_failed": 0,
            "db_check": {"lost_answers": 0}, "per_request": per_request}


def by_target(rows):
    return {r["target"].split(":")[0].split(",")[0]: r for r in rows}


def test_every_target_is_met_by_a_full_run_that_meets_it():
    rows = targets.evaluate({
        "exam-storm": storm(),
        "instant-starts": {"students": 3000, "last_answered_s": 2.5, "students_failed": 0},
        "ceiling": {"ratio": 0.6, "save": {"rps": 600}, "bare": {"rps": 1000}},
    })
    assert [r["status"] for r in rows] == ["met"] * 5


def test_a_quick_run_marks_the_3000_student_targets_not_measured():
    rows = by_target(targets.evaluate({
        "exam-storm": storm(students=300, think=(1.0, 3.0), spread=1.0),
        "instant-starts": {"students": 300, "last_answered_s": 0.4, "students_failed": 0},
    }))
    assert rows["3000 students"]["status"] == "not measured"
    assert "300 students" in rows["3000 students"]["today"]
    assert rows["3000 starts at one instant"]["status"] == "not measured"
    assert rows["autosave / bare view"]["status"] == "not measured"
    # What the quick run does measure is judged.
    assert rows["server + database CPU per save"]["status"] == "met"


def test_targets_that_are_missed_say_not_met():
    rows = by_target(targets.evaluate({
        "exam-storm": storm(p95=900.0, sql=(3, 10, 10)),
        "instant-starts": {"students": 3000, "last_answered_s": 35.9, "students_failed": 0},
        "ceiling": {"ratio": 0.08, "save": {"rps": 200}, "bare": {"rps": 2500}},
    }))
    for name in ("3000 students", "3000 starts at one instant", "autosave / bare view",
                 "query budget (SQL statements per request"):
        assert rows[name]["status"] == "NOT met", rows[name]
    assert rows["query budget (SQL statements per request"]["today"] == \
        "save 3, start 10, submit 10"


def test_the_ratio_row_gives_the_floor_beside_it_and_is_judged_by_the_save_alone():
    ceiling = {"ratio": 0.31, "floor_ratios": {"answer_echo": 0.7, "answer_row": 0.52}, "save": {"rps": 1550},
               "bare": {"rps": 5000}}
    row = by_target(targets.evaluate({"ceiling": ceiling}))["autosave / bare view"]
    assert row["status"] == "NOT met"
    assert row["today"] == "0.310 (1550 / 5000 rps); the answer row written alone: 0.520"


def test_a_ceiling_alone_gives_the_save_cpu_by_process():
    """The ceiling runs without per-request hooks: its save phase's CPU by process (the whole
    server, every PostgreSQL process) per save answered is the figure, and says so."""
    ceiling = {"ratio": 0.4, "bare": {"rps": 2500},
               "save": {"rps": 1000, "requests": 8000,
                        "cpu_ms_per_request": {"server": 0.9, "postgres": 0.4}}}
    row = by_target(targets.evaluate({"ceiling": ceiling}))["server + database CPU per save"]
    assert row["status"] == "NOT met" and row["value"] == 1.3
    assert "ceiling by process, 8000 saves" in row["today"]
    # The storm's per-request figure comes first when the run has both.
    row = by_target(targets.evaluate({"exam-storm": storm(), "ceiling": ceiling}))[
        "server + database CPU per save"]
    assert row["status"] == "met" and "exam storm" in row["today"]


def test_workers_figures_add_up_per_kind(tmp_path):
    one = {"save": {"n": 3, "cpu_ns": 3_000_000, "db_ns": 1_500_000, "db_n": 3, "sql": 6,
                    "sql_max": 2}}
    two = {"save": {"n": 1, "cpu_ns": 5_000_000, "db_ns": 500_000, "db_n": 1, "sql": 3,
                    "sql_max": 3},
           "bare": {"n": 2, "cpu_ns": 400_000, "db_ns": 0, "db_n": 0, "sql": 0, "sql_max": 0}}
    (tmp_path / "1.json").write_text(json.dumps(one))
    (tmp_path / "2.json").write_text(json.dumps(two))
    got = request_cpu.collect(tmp_path)
    assert got["save"] == {"requests": 4, "server_cpu_ms": 2.0, "db_cpu_ms": 0.5,
                           "sql_mean": 2.25, "sql_max": 3}
    assert got["bare"]["db_cpu_ms"] is None  # no backend read: not zero


def test_requests_are_sorted_into_the_exam_steps():
    assert request_cpu.kind_of("PUT", "/api/attempts/12/responses/7/") == "save"
    assert request_cpu.kind_of("POST", "/api/attempts/12/submit/") == "submit"
    assert request_cpu.kind_of("POST", "/api/courses/c/quizzes/q/attempts/") == "start"
    assert request_cpu.kind_of("GET", "/accounts/login/") == "login_page"
    assert request_cpu.kind_of("POST", "/accounts/login/") == "login"
    assert request_cpu.kind_of("GET", "/api/attempts/12/responses/7/") == "other"


def test_a_backends_cpu_is_read_again_from_one_open_file():
    """`_backend_ns` keeps the thread's backend's schedstat file open; another backend or one
    that ended closes it."""
    me, parent = os.getpid(), os.getppid()
    first = request_cpu._backend_ns(me)
    sum(range(2_000_000))  # CPU time for this process
    assert request_cpu._backend_ns(me) > first
    assert request_cpu._local.schedstat[0] == me
    open_files = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        assert request_cpu._backend_ns(parent) > 0 and request_cpu._backend_ns(me) > 0
    assert len(os.listdir("/proc/self/fd")) == open_files  # one file at a time
    assert request_cpu._backend_ns(2**22 + 1) is None  # above Linux's pid_max: no such process
    assert request_cpu._local.schedstat is None
    assert len(os.listdir("/proc/self/fd")) == open_files - 1
