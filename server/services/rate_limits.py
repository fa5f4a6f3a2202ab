"""Rate limits: fixed one-minute windows counted in the cache with Redis' own atomic commands.

Counters live in Redis (shared by every worker and process), never in a process's memory, and expire
with their window: nothing to clean up after a crash.
"""

from __future__ import annotations

import hashlib

import redis.asyncio as redis

from server.services.errors import RateLimited

WINDOW_SECONDS = 60


async def hit(cache: redis.Redis, scope: str, who: str, per_minute: int) -> None:
    """Count one request of `who` in `scope`; 429 with Retry-After once more than `per_minute` came in
    this window. `per_minute` 0 turns the limit off."""
    if per_minute <= 0:
        return
    key = f"ratelimit:{scope}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"  # no raw codes or IPs at rest
    async with cache.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=WINDOW_SECONDS, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = await pipe.execute()
    if count > per_minute:
        raise RateLimited(retry_after=max(int(ttl), 1))
