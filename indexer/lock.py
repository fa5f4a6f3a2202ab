"""A Redis lock that lives only as long as its holder: a short TTL, renewed while the work runs.

A crashed holder stops renewing, so the lock is free again within `ttl` seconds: no operator needed.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager, suppress

import redis.asyncio as redis
from redis.exceptions import LockError, LockNotOwnedError, RedisError

from runtime.errors import DomainError

log = logging.getLogger("indexer.lock")


def reindex_lock(section_name: str) -> str:
    """Keeps two reindexes of one section's index apart (one lock per section: two sections may reindex at once)."""
    return f"indexer:reindex:{section_name}"


class LockBusy(DomainError):
    """Another live process holds the lock."""


@asynccontextmanager
async def renewed_lock(cache: redis.Redis, key: str, ttl: float = 15.0, what: str = "the work"):
    lock = cache.lock(key, timeout=ttl)
    if not await lock.acquire(blocking=False):
        raise LockBusy(f"{what} is already running in another process (lock {key!r}, "
                       f"released within {ttl:g} s of its holder stopping)")

    async def renew() -> None:
        # Three tries per TTL: one Redis hiccup must not let the lock lapse.
        while True:
            await asyncio.sleep(ttl / 3)
            try:
                await lock.reacquire()
            except LockNotOwnedError:
                log.error("lost the lock %s while %s was running", key, what)
                return
            except RedisError as exc:
                log.warning("could not renew the lock %s, trying again: %s", key, type(exc).__name__)

    renewer = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewer.cancel()
        await asyncio.gather(renewer, return_exceptions=True)
        with suppress(LockError, RedisError):  # unreleased, it still expires within `ttl`
            await lock.release()
