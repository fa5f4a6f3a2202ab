"""The cache: Redis in production, an in-process Redis (fakeredis) with the same interface in dev."""

from __future__ import annotations

import redis.asyncio as redis


def connect_cache(redis_url: str | None) -> redis.Redis:
    if redis_url:
        return redis.Redis.from_url(redis_url, decode_responses=True)
    from fakeredis import FakeAsyncRedis

    return FakeAsyncRedis(decode_responses=True)
