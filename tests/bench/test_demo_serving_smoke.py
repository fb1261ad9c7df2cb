"""The demo-serving benchmark, shrunk to a smoke test: a real gunicorn and Celery worker, two
clients asking for faces with `Prefer: wait`, on the embedded broker and an SQLite file.

It keeps `python -m bench demo-serving` runnable from a clean clone; the figures themselves
come from full runs on a quiet machine (docs/performance.md).
"""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.worker]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_serving_smoke_serves_every_job(tmp_path):
    out = tmp_path / "result.json"
    cmd = [sys.executable, "-m", "bench", "demo-serving", "--quick", "--clients", "1,2",
           "--jobs-per-client", "2", "--faces-per-job", "4", "--batching", "on",
           "--broker", "filesystem", "--database", "sqlite", "--cache", "",
           "--other-kinds", "", "--port", str(_free_port()), "--json", str(out),
           "--gradio", "off"]  # the comparison has its own test (test_demo_serving_gradio.py)
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["best_raw"] > 0 and result["faces"] == 4
    rows = result["rows"]
    assert [(r["label"], r["clients"]) for r in rows] == [("on", 1), ("on", 2)]
    for row in rows:
        assert row["errors"] == 0 and row["jobs"] == 2 * row["clients"], row
        assert row["images_s"] > 0 and row["cpu_ms_per_job"]["worker"] > 0
        # The raw generator measured around the run, and the worker's own model cost.
        assert row["raw_sustained"] > 0 and row["raw_cpu_ms"] > 0, row
        assert row["model_cpu_ms"] > 0, row
    assert "% of its sustained throughput around the run" in proc.stdout
