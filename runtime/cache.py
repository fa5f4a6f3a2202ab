"""The cache: Redis in production, an in-process Redis (fakeredis) with the same interface in dev."""

from __future__ import annotations

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError


def connect_cache(redis_url: str | None, *, connect_timeout: float = 1.0, socket_timeout: float = 1.0) -> redis.Redis:
    """The client connects lazily: a Redis down at start-up fails only the calls that need it.

    Short timeouts turn a hung Redis into a quick error (a 503 at the edge, server/errors.py) rather than
    redis-py's default 5 s wait. Calls work again as soon as Redis is back, without a restart.
    """
    if redis_url:
        return redis.Redis.from_url(
            redis_url,
            decode_responses=True,
            socket_connect_timeout=connect_timeout,
            socket_timeout=socket_timeout,
            # One immediate retry on a broken connection (a pooled one from before a Redis restart); none
            # on a timeout, which would only double the wait on a hung Redis.
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
    from fakeredis import FakeAsyncRedis

    return FakeAsyncRedis(decode_responses=True)
