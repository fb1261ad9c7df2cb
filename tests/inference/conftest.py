"""Fixtures shared by the demo tests."""

import pytest

from inference import notify


@pytest.fixture
def redis_broker(settings):
    """This process's broker setting pointed at the local Redis: the production paths of
    inference.notify and inference.wakeups. Yields the client they use."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    settings.CELERY_BROKER_URL = url
    notify._redis.cache_clear()
    yield notify._redis()
    notify._redis.cache_clear()
