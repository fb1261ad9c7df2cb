"""The limits every job creation checks (inference.services._admission, one SQL query):
what counts towards each, and the message a student gets past it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import ApplicationError
from inference import services
from inference.models import DemoJob

pytestmark = pytest.mark.django_db


def job(user, status="queued", age_s=0) -> DemoJob:
    made = DemoJob.objects.create(kind="face-generate", user=user, params={"seed": 1, "count": 1},
                                  cache_key="k", status=status,
                                  expires_at=timezone.now() + timedelta(minutes=5))
    if age_s:
        DemoJob.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - timedelta(seconds=age_s))
    return made


@pytest.fixture
def users(django_user_model):
    return (django_user_model.objects.create_user("me", password="pw-12345!"),
            django_user_model.objects.create_user("other", password="pw-12345!"))


def test_each_count_sees_only_what_it_should(users):
    me, other = users
    job(me, "queued")
    job(me, "running", age_s=120)        # active, but not of the last minute
    job(me, "succeeded")                 # of the last minute, not active
    job(me, "failed", age_s=120)         # neither
    job(other, "queued")                 # someone else's: only the queue counts it
    job(other, "succeeded")
    def counts(user, key="k"):
        return {**services._admission(user, key), "cached": None}

    assert counts(me) == {"mine_active": 2, "mine_recent": 2, "queued": 3, "cached": None}
    assert counts(other) == {"mine_active": 1, "mine_recent": 2, "queued": 3, "cached": None}


def test_the_same_query_finds_an_earlier_result_of_anyone(users):
    """The cache lookup rides along: a succeeded job with the same key, whoever made it."""
    me, other = users
    job(me, "queued")
    job(me, "failed")
    assert services._admission(other, "k")["cached"] is None  # nothing succeeded yet
    done = job(me, "succeeded")
    assert str(services._admission(other, "k")["cached"]).replace("-", "") == done.pk.hex
    assert services._admission(other, "another key")["cached"] is None


@pytest.mark.parametrize(("setting", "value", "code", "status"), [
    ("DEMO_MAX_IN_FLIGHT_PER_USER", 2, "too_many_in_flight", 429),
    ("DEMO_RATE_PER_MINUTE", 2, "rate_limited", 429),
    ("DEMO_QUEUE_CAP", 3, "busy", 503),
])
def test_past_a_limit_the_job_is_refused_and_nothing_is_stored(users, settings, setting, value,
                                                               code, status):
    me, other = users
    job(me, "queued")
    job(me, "succeeded" if setting == "DEMO_RATE_PER_MINUTE" else "running")
    job(other, "queued")
    setattr(settings, setting, value)
    before = DemoJob.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.demo_job_create(user=me, kind="face-generate", params={"count": 1})
    assert (refused.value.code, refused.value.status_code) == (code, status)
    assert DemoJob.objects.count() == before


def test_under_every_limit_the_job_is_queued(users, settings):
    me, _ = users
    job(me, "queued")
    settings.DEMO_MAX_IN_FLIGHT_PER_USER = 2
    settings.DEMO_RATE_PER_MINUTE = 2
    settings.DEMO_QUEUE_CAP = 2
    # (The test's transaction is never committed, so no message is sent for it.)
    created = services.demo_job_create(user=me, kind="face-generate", params={"count": 1})
    assert DemoJob.objects.get(pk=created.pk).status == "queued"


def test_lost_jobs_stop_counting_against_the_in_flight_limit(users, settings):
    """A queued job whose message was lost stays queued with nobody watching it: at the limit,
    the user's jobs past their expiry (or running with a stopped heartbeat) are marked lost as
    a status poll would mark them, and no longer count."""
    me, _ = users
    settings.DEMO_MAX_IN_FLIGHT_PER_USER = 2
    lost = job(me, "queued")
    DemoJob.objects.filter(pk=lost.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    stopped = job(me, "running")
    DemoJob.objects.filter(pk=stopped.pk).update(heartbeat_at=timezone.now() - timedelta(
        seconds=settings.DEMO_HEARTBEAT_STALE_SECONDS * 2 + 1))
    created = services.demo_job_create(user=me, kind="face-generate", params={"count": 1})
    assert DemoJob.objects.get(pk=created.pk).status == "queued"
    assert DemoJob.objects.get(pk=lost.pk).status == "expired"
    assert DemoJob.objects.get(pk=stopped.pk).status == "failed"
    # Jobs still within their time keep counting.
    services.demo_job_create(user=me, kind="face-generate", params={"count": 2})
    with pytest.raises(ApplicationError) as refused:
        services.demo_job_create(user=me, kind="face-generate", params={"count": 3})
    assert refused.value.code == "too_many_in_flight"
