"""The exam-storm benchmark, shrunk to a smoke test: 5 students against a live server for a few
seconds; no request fails, no acknowledged answer is lost, and the server's workers measure
each request (bench/request_cpu.py). The server is granian, as deployed, and gunicorn
(`--server gunicorn`, the bench extra) where it is installed.

It runs `python -m bench` in a subprocess (the benchmark configures Django for its own
database): PostgreSQL when the suite runs on it (a database of its own beside the test one),
else an SQLite file. Skipped when no local port can be bound.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _redis_url() -> str:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return "redis://127.0.0.1:6379/12"
    except OSError:
        return "none"


def _db_url(tmp_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return urlparse(url)._replace(path=f"/bench_smoke_{os.getpid()}").geturl()
    return f"sqlite:///{tmp_path / 'bench.sqlite3'}"


def run_bench(tmp_path: Path, *args: str) -> tuple[dict, str]:
    """`python -m bench ARGS` with one server worker against this suite's database and Redis:
    its JSON result and what it printed. Skipped when the server cannot bind a local port."""
    out = tmp_path / "result.json"
    cmd = [sys.executable, "-m", "bench", *args, "--workers", "1",
           "--db-url", _db_url(tmp_path), "--cache-url", _redis_url(), "--json", str(out)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=180)
    if proc.returncode == 77:
        pytest.skip(f"the server cannot bind a local port here: {proc.stderr[-500:]}")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text()), proc.stdout


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_exam_storm_smoke_loses_nothing(tmp_path, server):
    if server == "gunicorn":
        pytest.importorskip("gunicorn", reason="gunicorn is in the bench extra (make bench)")
    result, stdout = run_bench(tmp_path, "exam-storm", "--smoke", "--students", "5",
                               "--server", server, "--threads", "4", "--connections", "8")
    assert result["errors"] == 0 and result["students_failed"] == 0, result["failures"]
    check = result["db_check"]
    assert check["acknowledged_saves"] >= 50
    assert check["lost_answers"] == 0, check["problems"]
    assert check["submitted"] == 5 and check["graded_once_ok"] == 5, check["problems"]
    assert check["students_with_two_attempts"] == 0
    assert {"login", "start", "save", "submit"} <= set(result["steps"])
    # Every save is counted once more by its statements, and the report splits them so.
    per_request = result["per_request"]
    split = [c for kind, c in per_request.items() if kind.startswith("save, ")]
    assert split and sum(c["requests"] for c in split) == per_request["save"]["requests"]
    # Every request of the run was measured (the figures of each worker's last second too),
    # with its server and database CPU.
    for step in ("login", "start", "save", "submit"):
        assert per_request[step]["requests"] == result["steps"][step]["count"], step
        assert per_request[step]["server_cpu_ms"] > 0, per_request[step]
    assert "- saves by statements run, server + db CPU: " in stdout


def test_exam_storm_measures_a_floor_beside_each_save(tmp_path):
    """`--floor-beside-saves`: each save's request is sent to the floor right after it, and the
    floor's requests are measured as the save's are, without touching what the run checks."""
    result, stdout = run_bench(tmp_path, "exam-storm", "--smoke", "--students", "5",
                               "--floor-beside-saves", "answer-row", "--threads", "4",
                               "--connections", "8")
    assert result["errors"] == 0 and result["students_failed"] == 0, result["failures"]
    assert result["db_check"]["lost_answers"] == 0, result["db_check"]["problems"]
    steps, per_request = result["steps"], result["per_request"]
    assert steps["answer-row"]["count"] == steps["save"]["count"] > 0
    assert per_request["answer-row"]["requests"] == steps["save"]["count"]
    assert per_request["answer-row"]["server_cpu_ms"] > 0
    assert per_request["answer-row"]["sql_max"] == 1  # the one UPDATE
    assert "| answer-row | " in stdout
    assert "Beside each save, its request sent to the floor `answer-row`" in stdout
