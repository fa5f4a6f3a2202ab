"""Readiness: can this process reach its database, cache and search engine?"""

from __future__ import annotations

import asyncio
import logging

from models import db

log = logging.getLogger("server.health")


async def _probe(name: str, check) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(), timeout=2.0)
        return name, "ok"
    except Exception as exc:  # a probe reports any failure rather than raising it
        log.warning("readiness: %s unavailable: %s", name, type(exc).__name__)
        return name, f"unavailable: {type(exc).__name__}"


async def readiness(ctx) -> dict[str, str]:
    results = await asyncio.gather(
        _probe("database", db.ping),
        _probe("cache", ctx.cache.ping),
        _probe("search", ctx.search.ping),
    )
    return dict(results)
