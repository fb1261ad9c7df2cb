"""The demo-serving benchmark beside Gradio, shrunk to a smoke test: our stack (real gunicorn
and Celery worker) and the same generator behind Gradio's batched queue, two clients each, as
shipped and with every face fetched as PNG.

Gradio is in the `bench` extra only (`make bench`); CI's `make test` does not install it, so the
test is skipped there with the reason shown by `-ra`.
"""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bench import gradio_side

REPO = Path(__file__).resolve().parents[2]
needs_gradio = pytest.mark.skipif(
    not gradio_side.installed(),
    reason="Gradio is not installed (the bench extra: pip install -e '.[bench]', or make bench)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@needs_gradio
@pytest.mark.slow
@pytest.mark.worker
def test_demo_serving_compares_with_gradio(tmp_path):
    out = tmp_path / "result.json"
    port = _free_port()
    cmd = [sys.executable, "-m", "bench", "demo-serving", "--quick", "--clients", "2",
           "--jobs-per-client", "2", "--faces-per-job", "4", "--batching", "on",
           "--broker", "filesystem", "--database", "sqlite", "--cache", "",
           "--other-kinds", "", "--port", str(port), "--json", str(out), "--gradio", "on"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    beside = json.loads(out.read_text())["beside_gradio"]
    assert list(beside) == ["ours", "ours, PNG fetched", "Gradio", "Gradio, PNG fetched"]
    for name, row in beside.items():
        # Every job served, with all its faces (and, where fetched, every face's file).
        assert row["errors"] == 0 and row["jobs"] == 4 and row["faces"] == 4, (name, row)
        assert row["images_s"] > 0 and row["p95_ms"] >= row["p50_ms"] > 0, (name, row)
        assert row["raw_sustained"] > 0, (name, row)
    assert beside["Gradio"]["cpu_ms_per_job"]["gradio"] > 0
    assert "## Beside Gradio: 2 clients, 4 faces per request" in proc.stdout
    assert "PNG fetched on both sides: ours" in proc.stdout


@needs_gradio
@pytest.mark.slow
def test_gradio_clients_get_every_face_in_the_shipped_format():
    """The queue API as the page uses it: join, then the event stream; WebP files as shipped."""
    with gradio_side.GradioServer(port=_free_port(), image_format="webp", max_batch=4) as server:
        row = gradio_side.gradio_end_to_end(server, 3, 2, 4, fetch=True,
                                            meter_factory=_NoMeter)
        assert row["errors"] == 0 and row["jobs"] == 6, row
        files = list(Path(server.dir).rglob("*.webp"))
        assert len(files) == 6 * 4  # a file per face (fresh seeds: no two alike)


def test_gradio_on_without_gradio_is_refused(monkeypatch, capsys):
    from bench import demo_serving

    monkeypatch.setattr(gradio_side, "installed", lambda: False)
    with pytest.raises(SystemExit):
        demo_serving.main(["--gradio", "on"])
    assert "Gradio is not installed" in capsys.readouterr().err


class _NoMeter:
    def __init__(self, groups):
        pass

    def used(self):
        return {"gradio": 0.0, "clients": 0.0}
