"""Fixtures shared by the demo tests."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from inference import notify
from inference.models import DemoJob

# The Redis database these tests use (each engineer's or CI job's own).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def api_client(client, django_user_model):
    """A logged-in client; `.user` is its user."""
    user = django_user_model.objects.create_user("waiter", password="pw-12345!")
    client.force_login(user)
    client.user = user
    return client


def queued_job(user) -> DemoJob:
    """A queued job no worker will ever run (no message was sent for it)."""
    return DemoJob.objects.create(kind="face-generate", user=user, params={"seed": 1, "count": 1},
                                  cache_key="x" * 64,
                                  expires_at=timezone.now() + timedelta(minutes=5))


@pytest.fixture
def redis_broker(settings):
    """This process's broker setting pointed at the local Redis: the production paths of
    inference.notify and inference.wakeups. Yields the client they use."""
    redis = pytest.importorskip("redis")
    url = TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    settings.CELERY_BROKER_URL = url
    notify._redis.cache_clear()
    yield notify._redis()
    notify._redis.cache_clear()


def lesson_with_demos(mini_pack, client, make_user, enrol, demos: str):
    """The mini pack's second lesson with `demos` (directive blocks) appended, the pack loaded,
    and `client` logged in as a student of it; returns (the student, the course)."""
    from courses.services import course_pack_load

    path = mini_pack / "week01" / "02-second.md"
    path.write_text(path.read_text() + demos)
    course = course_pack_load(path=mini_pack).course
    user = make_user("reader")
    enrol(user, course, "student")
    client.force_login(user)
    return user, course
