"""Shared fixtures: users, a loaded course pack, and a real Celery worker process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _no_save_shapes_from_earlier_tests():
    """The save path caches what it read about an attempt's questions per process
    (quizzes.attempt_runtime), keyed by ids. SQLite hands out a rolled-back test's ids again,
    so a shape cached by one test would describe another test's rows."""
    from quizzes import attempt_runtime

    attempt_runtime.shapes_cache_clear()


@pytest.fixture
def mini_pack(tmp_path: Path) -> Path:
    """A writable copy of the small test pack."""
    target = tmp_path / "mini-pack"
    shutil.copytree(FIXTURES / "mini-pack", target)
    return target


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str, *, is_staff: bool = False, password: str = "pw-12345!"):
        return django_user_model.objects.create_user(
            username=username, password=password, is_staff=is_staff)

    return make


@pytest.fixture
def mini_course(db, mini_pack):
    from courses.services import course_pack_load

    return course_pack_load(path=mini_pack).course


@pytest.fixture
def enrol():
    from courses.services import enrollment_create

    def enrol_user(user, course, role="student"):
        return enrollment_create(user=user, course=course, role=role)

    return enrol_user


def _database_url_for_worker() -> str:
    """The URL of the database the tests use right now (the test database, not the dev one)."""
    from django.db import connection

    cfg = connection.settings_dict
    if cfg["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{cfg['NAME']}"
    user = cfg.get("USER") or ""
    auth = f"{user}:{cfg.get('PASSWORD') or ''}@" if user else ""
    return f"postgres://{auth}{cfg.get('HOST') or '127.0.0.1'}:{cfg.get('PORT') or 5432}/{cfg['NAME']}"


def start_worker(log_path: Path, *, name: str, extra_env: dict | None = None,
                 timeout: float = 90, queues: str = "default,gpu") -> subprocess.Popen:
    """Start a real `celery worker` process on the test database; return once it is ready."""
    env = {**os.environ, "DATABASE_URL": _database_url_for_worker(), "PYTHONUNBUFFERED": "1",
           **(extra_env or {})}
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_worker
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues,
         "-P", "threads", "-c", "4", "-l", "info", "-n", f"{name}-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    proc.log_path = log_path  # type: ignore[attr-defined]
    proc.log_file = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{log_path.read_text()}")
        if "ready." in log_path.read_text():
            return proc
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"celery worker did not start in {timeout} s:\n{log_path.read_text()}")


def wait_until_settled(job_ids, *, timeout: float, every: float = 0.2) -> None:
    """Wait until none of these demo jobs is queued or running (a rescuing worker's work)."""
    from inference.models import DemoJob

    deadline = time.monotonic() + timeout
    while DemoJob.objects.filter(pk__in=job_ids, status__in=("queued", "running")).exists():
        assert time.monotonic() < deadline, list(
            DemoJob.objects.filter(pk__in=job_ids).values_list("status", "message"))
        time.sleep(every)


def stop_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.log_file.close()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the test database and broker, for the whole session.

    Tests that use it must use `transactional_db` so their rows are committed and visible to
    the worker.
    """
    from config.celery import app

    with django_db_blocker.unblock():
        proc = start_worker(tmp_path_factory.mktemp("worker") / "worker.log", name="test")
    yield proc
    stop_worker(proc)
    app.close()
