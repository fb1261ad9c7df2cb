"""The instant-starts benchmark, shrunk to a smoke test: 5 logged-in students press start at
one instant against a live server (granian, as deployed); every start is answered, each
student holds one attempt, and the server measured CPU and SQL for the starts in its workers.
"""


import pytest

from .test_exam_storm_smoke import run_bench

pytestmark = pytest.mark.slow


def test_instant_starts_smoke_answers_every_start_and_measures_it(tmp_path):
    result, stdout = run_bench(tmp_path, "instant-starts", "--smoke", "--starts", "5",
                               "--threads", "4", "--connections", "8")
    assert result["students_failed"] == 0, result["failures"]
    assert result["db_check"] == {"started": 5, "attempts_missing": 0,
                                  "students_with_two_attempts": 0}
    assert result["last_answered_s"] is not None
    start = result["per_request"]["start"]
    assert start["requests"] == 5  # the warm-up is not counted
    assert start["server_cpu_ms"] > 0 and start["sql_max"] >= 1
    if result["database"].startswith("127.0.0.1"):  # PostgreSQL on this machine
        assert start["db_cpu_ms"] is not None and start["db_cpu_ms"] > 0
    assert "| 3000 starts at one instant" in stdout  # the targets table
