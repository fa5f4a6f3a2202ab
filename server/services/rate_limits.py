"""Rate limits: fixed one-minute windows counted in the cache with Redis' own atomic commands.

Counters live in Redis (shared by every worker and process), never in a process's memory, and expire
with their window: nothing to clean up after a crash. The window is the minute of the app's one clock
(tests move it), named in the key: a new minute starts a new count, whatever Redis' own clock says.
"""

from __future__ import annotations

import hashlib
import math

import redis.asyncio as redis

from runtime import clock
from server.services.errors import RateLimited

WINDOW_SECONDS = 60


async def hit(cache: redis.Redis, scope: str, who: str, per_minute: int) -> None:
    """Count one request of `who` in `scope`; 429 with Retry-After once more than `per_minute` came in
    this window. `per_minute` 0 turns the limit off."""
    if per_minute <= 0:
        return
    now = clock.epoch()
    window = int(now // WINDOW_SECONDS)
    # No raw codes or IPs at rest.
    key = f"ratelimit:{scope}:{hashlib.sha256(who.encode()).hexdigest()[:32]}:{window}"
    async with cache.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=WINDOW_SECONDS, nx=True)  # gone at the latest a window after its first count
        pipe.incr(key)
        _, count = await pipe.execute()
    if count > per_minute:
        raise RateLimited(retry_after=max(math.ceil((window + 1) * WINDOW_SECONDS - now), 1))
