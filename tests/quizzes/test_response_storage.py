"""How the answer rows are stored on PostgreSQL (migration quizzes 0015)."""

import pytest
from django.db import connection

from quizzes.models import Response

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a PostgreSQL storage option")
def test_answer_pages_keep_room_for_heap_only_updates():
    """A save rewrites `answer`, `sequence` and `saved_at` (the submit the grade's columns): with
    room left on the page and none of them indexed, PostgreSQL updates the row without touching
    the table's indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
                       [Response._meta.db_table])
        assert "fillfactor=70" in cursor.fetchone()[0]
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass", [Response._meta.db_table])
        indexed = {row[0] for row in cursor.fetchall()}
    written = {"answer", "sequence", "saved_at", "fraction", "state", "feedback", "flagged"}
    assert indexed and not indexed & written, indexed
