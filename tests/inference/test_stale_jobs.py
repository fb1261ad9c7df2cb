"""A demo nobody ran in time, or whose worker kept dying, says so in the course's language,
whichever part of the system notices: the student's status request, the worker reading the
job's message, or recovery when a worker starts (Celery processes write in LANGUAGE_CODE)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from inference import tasks

from .conftest import queued_job

pytestmark = pytest.mark.django_db

EXPIRED_KO = "제시간에 데모를 맡은 워커가 없었습니다. 다시 실행하세요."


def status(client, job) -> dict:
    response = client.get(f"/api/demos/jobs/{job.pk}/")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def overdue(job):
    job.expires_at = timezone.now() - timedelta(seconds=1)
    job.save(update_fields=["expires_at"])
    return job


def test_the_status_request_expires_an_overdue_job(api_client):
    job = overdue(queued_job(api_client.user))
    body = status(api_client, job)
    assert (body["status"], body["message"]) == ("expired", EXPIRED_KO)


def test_the_worker_expires_an_overdue_job_in_the_course_language(api_client):
    job = overdue(queued_job(api_client.user))
    with translation.override(settings.LANGUAGE_CODE):  # a worker process: no request
        tasks.demo_run(str(job.pk), kind=job.kind)  # its message arrives too late
    body = status(api_client, job)
    assert (body["status"], body["message"]) == ("expired", EXPIRED_KO)


def test_recovery_expires_overdue_jobs_and_fails_jobs_lost_three_times(api_client):
    waited = overdue(queued_job(api_client.user))
    lost = queued_job(api_client.user)
    lost.status, lost.tries = "running", 3
    lost.heartbeat_at = timezone.now() - timedelta(hours=1)
    lost.save()
    with translation.override(settings.LANGUAGE_CODE):  # a worker starting
        tasks.demo_jobs_recover()
    body = status(api_client, waited)
    assert (body["status"], body["message"]) == ("expired", EXPIRED_KO)
    body = status(api_client, lost)
    assert body["status"] == "failed"
    assert body["message"] == "이 데모를 실행하던 워커가 여러 번 멈췄습니다. 나중에 다시 해 보세요."
