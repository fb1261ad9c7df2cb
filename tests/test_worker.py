"""A real Celery worker process answers over the configured broker."""

import pytest

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_health_task_round_trip_through_a_real_worker(celery_worker_process):
    from config.celery import health

    result = health.delay().get(timeout=30)
    assert result["status"] == "ok"
    assert result["pid"] == celery_worker_process.pid
