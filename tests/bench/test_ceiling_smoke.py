"""The ceiling benchmark, shrunk to a smoke test: 4 students against a live server for a second
per phase (the bare view; the save's request answered without storing anything, with its
answer only set in the cache, with only its answer's row written, alone or in batches; the
save); it reports each phase's CPU per request by process (the server runs without the
per-request figures, whose cost would count as the requests') and loses nothing. The server is
granian, as deployed, and gunicorn (`--server gunicorn`, the bench extra) where it is
installed.

Runs `python -m bench` in a subprocess as the exam-storm smoke test does (PostgreSQL when the
suite runs on it, else an SQLite file)."""

import pytest

from .test_exam_storm_smoke import run_bench

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_ceiling_smoke_splits_each_phase_by_process(tmp_path, server):
    if server == "gunicorn":
        pytest.importorskip("gunicorn", reason="gunicorn is in the bench extra (make bench)")
    result, stdout = run_bench(tmp_path, "ceiling", "--server", server, "--duration", "1",
                               "--connections", "4", "--threads", "2")
    assert result["server"].startswith(f"{server} ")
    assert result["lost_answers"] == 0 and result["save"]["errors"] == 0
    for phase in ("bare", "answer_echo", "answer_cache", "answer_row", "answer_rows_batched",
                  "save"):
        assert result[phase]["requests"] > 0 and result[phase]["errors"] == 0, result[phase]
        cpu = result[phase]["cpu_ms_per_request"]
        # The server answered every request of the phase: it used CPU for them, and no process
        # used more than the whole machine did.
        assert cpu["server"] > 0, cpu
        assert all(cpu[k] <= cpu["machine"] for k in ("load_generator", "server", "redis"))
    assert result["floor_ratios"] == {
        floor: round(result[floor]["rps"] / result["bare"]["rps"], 3)
        for floor in ("answer_echo", "answer_cache", "answer_row", "answer_rows_batched")}
    assert ("| process | bare view | request only | answer in the cache only | answer row only "
            "| answer rows, batched | autosave |") in stdout
