"""Readiness: can this process reach its database, cache and search engine?"""

from __future__ import annotations

import asyncio
import logging

from models import db
from search.engine import CREDENTIALS_REFUSED, refused_credentials

log = logging.getLogger("server.health")


async def _probe(name: str, check) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(), timeout=2.0)
        return name, "ok"
    except WorkersMissing as exc:
        log.warning("readiness: workers not serving: %s", exc)
        return name, f"unavailable: {exc}"
    except Exception as exc:  # a probe reports any failure rather than raising it
        if status := refused_credentials(exc):
            log.error("readiness: " + CREDENTIALS_REFUSED.format(status=status))
            return name, f"unavailable: credentials refused ({status})"
        log.warning("readiness: %s unavailable: %s", name, type(exc).__name__)
        return name, f"unavailable: {type(exc).__name__}"


class WorkersMissing(Exception):
    """Some of the server's workers are not serving (the message names them)."""


async def _workers_all_serving(roster) -> None:
    # A blocking round trip to the worker manager's state process: off the event loop.
    missing = await asyncio.to_thread(roster.missing)
    if missing:
        raise WorkersMissing("; ".join(missing))


async def readiness(ctx) -> dict[str, str]:
    probes = [
        _probe("database", db.ping),
        _probe("cache", ctx.cache.ping),
        _probe("search", ctx.search.ping),
    ]
    if ctx.workers is not None:  # several workers: each answers for all of them
        probes.append(_probe("workers", lambda: _workers_all_serving(ctx.workers)))
    return dict(await asyncio.gather(*probes))
