"""The Moodle conformance corpus, read through the real import service into the database.

The corpus lives outside the repository: ``<repo>/../shared/conformance/moodle`` (CI), or under
``$SHARED_DIR``. A missing corpus is a failure, never a skip, with or without ``CI``: these
tests are the proof that the platform stores what Moodle itself would import.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    return Path(os.environ.get("SHARED_DIR") or REPO.parent / "shared")


@pytest.fixture(scope="session")
def moodle_corpus() -> Path:
    folder = shared_dir() / "conformance" / "moodle"
    if not folder.is_dir():
        where = "SHARED_DIR" if os.environ.get("SHARED_DIR") else "<repo>/../shared"
        pytest.fail(
            f"Moodle conformance corpus not found at {folder} (looked in {where}"
            f"{', CI is set' if os.environ.get('CI') else ''}). Put the shared folder next to "
            "the repository (<repo>/../shared/conformance/moodle) or set SHARED_DIR to the "
            "folder that contains conformance/.",
            pytrace=False,
        )
    return folder


@pytest.fixture
def bank_course(db):
    from courses.models import Course

    return Course.objects.create(slug="moodle-conformance", title="Moodle 적합성")
