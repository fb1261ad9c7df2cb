"""Django's Redis cache with one client object per connection pool instead of one per call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache operation, and
its constructor fills a table of some 170 response callbacks each time: measured in-process
(bench/save_cpu.py), that was about half the CPU of a cache read, and a logged-in request
reads the cache twice (its session and its user). A `redis.Redis` is safe to share between
threads (each command takes a connection from the pool), so one per pool serves them all.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.functional import cached_property


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._pools.get(index)
            if pool is None:
                pool = self._pools.setdefault(index, self._pool_class.from_url(
                    self._servers[index], **self._pool_options))
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    """`django.core.cache.backends.redis.RedisCache`, sharing its client objects."""

    @cached_property
    def _cache(self):
        return SharedClientRedisCacheClient(self._servers, **self._options)
