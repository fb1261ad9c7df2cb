"""Redis (the shared cache that holds sessions) restarting must not log everyone out or answer
500: sessions are written through to PostgreSQL, and the store reads them from there while the
cache is away. Before, Django's cached_db read the row from the database, then raised on
putting it back into the dead cache: every logged-in request of an exam failed until Redis
was back."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

REPO = Path(__file__).resolve().parents[2]
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


def _production_session_engine() -> str:
    """The SESSION_ENGINE that config.settings picks for a Redis cache (production)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.SESSION_ENGINE)"], cwd=REPO, capture_output=True, text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1",
             "CACHE_URL": DEAD_REDIS}, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.django_db
def test_logged_in_student_keeps_working_while_the_session_cache_is_down(
        client, make_user, mini_course, enrol):
    student = make_user("cache-down-student")
    enrol(student, mini_course)
    dead_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": DEAD_REDIS}}
    engine = _production_session_engine()
    client.force_login(student)  # logged in before the exam; the row is in PostgreSQL
    with override_settings(CACHES=dead_cache, SESSION_ENGINE=engine):
        response = client.get(f"/courses/{mini_course.slug}/")
    assert response.status_code == 200
    assert response.wsgi_request.user == student
