"""Fixtures for the format tests.

The Moodle conformance corpus lives outside the repository: ``<repo>/../shared`` in CI, or
wherever ``SHARED_DIR`` points.  A missing corpus is a failure, never a skip: these tests are
the only proof that we import what Moodle imports.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The tests import quizzes.formats from this checkout, whatever the working directory.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def shared_dir() -> Path:
    return Path(os.environ.get("SHARED_DIR") or REPO.parent / "shared")


@pytest.fixture(scope="session")
def moodle_dir() -> Path:
    folder = shared_dir() / "conformance" / "moodle"
    if not folder.is_dir():
        pytest.fail(
            f"Moodle conformance corpus not found at {folder}. It is the shared folder next "
            "to the repository (<repo>/../shared/conformance/moodle); set SHARED_DIR to the "
            "folder that contains conformance/ if it lives elsewhere.",
            pytrace=False,
        )
    return folder
