"""A demo job's message is stored in English, whoever writes it (a request in some user's
language, the worker, the recovery), and shown in the reader's language: an English reader of
a job that a Korean-speaking process wrote to reads English, and the other way round."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from inference import job_messages
from inference.models import DemoJob
from inference.recovery import demo_jobs_recover
from inference.worker import fail_batch
from inference.worker.runners import JobTimeout

from .conftest import queued_job

pytestmark = pytest.mark.django_db


def _message(client, job, language: str) -> str:
    response = client.get(f"/api/demos/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:300]
    return response.json()["message"]


def test_recovery_in_korean_stores_english_and_each_reader_reads_their_language(api_client):
    job = queued_job(api_client.user)
    job.status, job.tries = DemoJob.Status.RUNNING, 1
    job.heartbeat_at = timezone.now() - timedelta(hours=1)
    job.save()
    with translation.override("ko"):  # a worker process writes in the course's language
        demo_jobs_recover()
    job.refresh_from_db()
    assert job.message == job_messages.REQUEUED
    assert _message(api_client, job, "en") == "The worker restarted; your demo is queued again."
    assert _message(api_client, job, "ko") == "워커가 다시 시작되었습니다. 데모가 다시 대기열에 있습니다."


def test_a_worker_failure_is_translated_around_its_reason(api_client):
    job = queued_job(api_client.user)
    job.status = DemoJob.Status.RUNNING
    job.save()
    fail_batch([job], RuntimeError("CUDA out of memory"))
    job.refresh_from_db()
    assert job.message == "The model failed: CUDA out of memory"
    assert _message(api_client, job, "ko") == "모델 실행에 실패했습니다: CUDA out of memory"
    assert _message(api_client, job, "en") == "The model failed: CUDA out of memory"


def test_a_timeout_and_a_stage_read_in_korean(api_client):
    job = queued_job(api_client.user)
    job.status = DemoJob.Status.RUNNING
    job.save()
    fail_batch([job], JobTimeout())
    job.refresh_from_db()
    assert job.message == "The demo took too long and was stopped."
    assert _message(api_client, job, "ko") == "데모가 너무 오래 걸려 중단되었습니다."
    with translation.override("ko"):
        assert job_messages.job_message_display(job_messages.CAPTIONING) == "캡션을 만드는 중"


def test_an_older_message_already_in_korean_is_shown_as_it_is():
    with translation.override("en"):
        assert job_messages.job_message_display("취소되었습니다.") == "취소되었습니다."
        assert job_messages.job_message_display("") == ""
