"""What a demo batch costs the database besides the model: connections kept between tasks,
and progress written only when a student could see it."""

from datetime import timedelta

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection
from django.utils import timezone

from config.celery import app
from inference import worker
from inference.models import DemoJob
from inference.worker import claim, runners


@pytest.fixture
def worker_fixup():
    """Celery's Django fixup as a worker process installs it (connected to the task signals)."""
    fixup = DjangoWorkerFixup(app)
    fixup.install()
    yield fixup
    for signal, handler in ((signals.task_prerun, fixup.on_task_prerun),
                            (signals.task_postrun, fixup.on_task_postrun),
                            (signals.worker_process_init, fixup.on_worker_process_init),
                            (signals.beat_embedded_init, fixup.close_database)):
        signal.disconnect(handler)


def run_task_signals():
    task = app.tasks["config.health"]
    signals.task_prerun.send(sender=task, task_id="t", task=task)
    signals.task_postrun.send(sender=task, task_id="t", task=task)


@pytest.fixture
def persistent_connection(monkeypatch):
    """A connection opened under CONN_MAX_AGE=60, the production setting (the test database's
    own connection is opened with 0)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    connection.close()
    connection.ensure_connection()
    yield connection
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks(worker_fixup,
                                                              persistent_connection):
    """Celery closes every connection around every task unless DB_REUSE_MAX is set; then each
    demo task paid for a new PostgreSQL backend process."""
    assert worker_fixup.db_reuse_max  # config/celery.py
    before = connection.connection
    assert before is not None
    for _ in range(3):
        run_task_signals()
    assert connection.connection is before


@pytest.mark.django_db(transaction=True)
def test_an_obsolete_connection_is_still_dropped(worker_fixup, persistent_connection):
    """As Django does around a request: past CONN_MAX_AGE the next task gets a fresh one."""
    run_task_signals()
    assert connection.connection is not None
    connection.close_at = 0  # past its age
    run_task_signals()
    assert connection.connection is None


@pytest.mark.django_db
def test_progress_is_written_only_when_the_last_write_is_half_a_second_old(django_user_model):
    user = django_user_model.objects.create_user("p", password="pw-12345!")
    job = DemoJob.objects.create(kind="face-generate", user=user, params={"seed": 1, "count": 1},
                                 cache_key="k", expires_at=timezone.now() + timedelta(minutes=5))
    batch = claim.claim_ids([job.pk])
    assert [(j.progress, j.message) for j in batch] == [(0.1, "loading model")]
    far = 10**9  # no time limit here
    runners._progress(batch, 0.3, "generating", far)  # right after the claim: not worth a write
    assert DemoJob.objects.values_list("progress", "message").get() == (0.1, "loading model")
    batch[0].heartbeat_at -= timedelta(seconds=1)  # a slow batch, a second later
    runners._progress(batch, 0.8, "saving", far)
    assert DemoJob.objects.values_list("progress", "message").get() == (0.8, "saving")


def test_the_time_limit_is_checked_even_when_nothing_is_written():
    with pytest.raises(runners.JobTimeout):
        runners._progress([], 0.5, "x", deadline=0)


@pytest.mark.django_db
@pytest.mark.parametrize("coalesced", [False, True])
def test_a_message_for_a_job_this_process_already_batched_reads_no_row(
        django_user_model, django_assert_num_queries, settings, request, coalesced):
    """Without coalesced messages it is simply done (no query). With them (inference/wakeups.py)
    it also stands for jobs of its kind that sent no message: one query finds none queued."""
    settings.DEMO_COALESCE_MESSAGES = coalesced
    if coalesced:
        request.getfixturevalue("redis_broker")
    user = django_user_model.objects.create_user("b", password="pw-12345!")
    jobs = [DemoJob.objects.create(kind="face-generate", user=user,
                                   params={"seed": i, "count": 1}, cache_key="k",
                                   expires_at=timezone.now() + timedelta(minutes=5))
            for i in range(2)]
    taken = claim.claim_ids([j.pk for j in jobs])  # one batch took both
    assert {j.pk for j in taken} == {j.pk for j in jobs}
    with django_assert_num_queries(1 if coalesced else 0):
        assert worker.demo_job_execute(job_id=str(jobs[1].pk)) == (
            "claimed elsewhere" if coalesced else "running elsewhere")


def test_the_record_of_taken_jobs_is_bounded(settings):
    record = claim._TakenHere(size=3)
    record.add([DemoJob(pk=f"00000000-0000-0000-0000-00000000000{i}") for i in range(5)])
    assert "00000000-0000-0000-0000-000000000000" not in record
    assert "00000000-0000-0000-0000-000000000004" in record
    # Past the heartbeat's staleness, recovery may have requeued it: the row decides again.
    settings.DEMO_HEARTBEAT_STALE_SECONDS = 0
    assert "00000000-0000-0000-0000-000000000004" not in record
