"""The Moodle conformance corpus, read through the real import service into the database.

The corpus is shipped with the tests (``tests/conformance/moodle``, Moodle's own fixtures under
GPL-3.0-or-later; its README says where each file comes from), so a fresh clone tests it with
nothing beside it. These tests are the proof that the platform stores what Moodle would import.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# One copy of the corpus for every test that reads it (tests/formats uses it too).
MOODLE_CORPUS = Path(__file__).resolve().parent / "moodle"


@pytest.fixture(scope="session")
def moodle_corpus() -> Path:
    return MOODLE_CORPUS


@pytest.fixture
def bank_course(db):
    from courses.models import Course

    return Course.objects.create(slug="moodle-conformance", title="Moodle 적합성")
