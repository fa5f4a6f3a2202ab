"""Rate limits: fixed one-minute windows counted in the cache with Redis' own atomic commands.

Counters live in Redis (shared by every worker and process), never in a process's memory, and expire
with their window: nothing to clean up after a crash. The window is the minute of the app's one clock
(tests move it), named in the key: a new minute starts a new count, whatever Redis' own clock says.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass

import redis.asyncio as redis
from redis.exceptions import RedisError

from runtime import clock
from server.services.errors import RateLimited

log = logging.getLogger("server.rate_limits")
WINDOW_SECONDS = 60
# After Redis failed, reads go unmetered this long before it is asked again: a hung Redis costs one
# request its timeout, not every list.
READS_UNMETERED_SECONDS = 10.0


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


_reads_unmetered_until: float | None = None  # clock.monotonic() may be any number, even negative


@dataclass(frozen=True)
class ReadBudget:
    """Lists and searches a minute that reach the engine: per client address for anonymous callers (None:
    not metered, behind a declared proxy whose own limit does this, as for connections), per account for
    logged-in ones (0: off). Generous: carrier-grade NAT puts many people behind one address.

    Lists need no Redis otherwise, so Redis down does not stop them: the budget is not kept meanwhile (one
    WARNING), and is again on the first request READS_UNMETERED_SECONDS later once Redis is back."""

    cache: redis.Redis
    address: str | None
    per_address: int
    per_user: int

    async def spend(self, viewer_id: int | None) -> None:
        global _reads_unmetered_until
        if viewer_id is not None:
            scope, who, per_minute = "reads-user", str(viewer_id), self.per_user
        else:
            scope, who, per_minute = "reads-ip", self.address, self.per_address
        if who is None or per_minute <= 0:
            return
        if _reads_unmetered_until is not None and clock.monotonic() < _reads_unmetered_until:
            return
        try:
            await hit(self.cache, scope, who, per_minute)
        except (RedisError, OSError) as exc:
            _reads_unmetered_until = clock.monotonic() + READS_UNMETERED_SECONDS
            log.warning("read budget not kept for %g s: cache unavailable: %s", READS_UNMETERED_SECONDS,
                        type(exc).__name__)
