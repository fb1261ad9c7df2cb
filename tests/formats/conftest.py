"""Fixtures for the format tests.

The Moodle conformance corpus is the one shipped in ``tests/conformance/moodle``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The tests import quizzes.formats from this checkout, whatever the working directory.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture(scope="session")
def moodle_dir() -> Path:
    return REPO / "tests" / "conformance" / "moodle"
