"""Readiness: can this process reach its database, cache and search engine, and are its lists whole and current?"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from models import db
from models.outbox import rows_older_than
from runtime import clock
from sections import all_sections
from search.engine import CREDENTIALS_REFUSED, refused_credentials

log = logging.getLogger("server.health")


# A load balancer asks every few seconds: a failing probe is logged when its state changes, and again at most
# once a minute while it lasts.
_REPEAT_SECONDS = 60.0
_said: dict[str, tuple[str, float]] = {}


def _say(name: str, state: str, level: int, message: str, *args) -> None:
    last = _said.get(name)
    if last is None or last[0] != state or clock.monotonic() - last[1] >= _REPEAT_SECONDS:
        log.log(level, message, *args)
        _said[name] = (state, clock.monotonic())


async def _probe(name: str, check) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(), timeout=2.0)
        if _said.pop(name, None) is not None:
            log.info("readiness: %s ok again", name)
        return name, "ok"
    except Degraded as exc:
        _say(name, "degraded", logging.WARNING, "readiness: %s degraded: %s", name, exc)
        return name, f"degraded: {exc}"
    except WorkersMissing as exc:
        _say(name, "unavailable", logging.WARNING, "readiness: workers not serving: %s", exc)
        return name, f"unavailable: {exc}"
    except Exception as exc:  # a probe reports any failure rather than raising it
        if status := refused_credentials(exc):
            _say(name, "credentials", logging.ERROR, "readiness: " + CREDENTIALS_REFUSED.format(status=status))
            return name, f"unavailable: credentials refused ({status})"
        _say(name, "unavailable", logging.WARNING, "readiness: %s unavailable: %s", name, type(exc).__name__)
        return name, f"unavailable: {type(exc).__name__}"


class WorkersMissing(Exception):
    """Some of the server's workers are not serving (the message names them)."""


async def _workers_all_serving(roster) -> None:
    # A blocking round trip to the worker manager's state process: off the event loop.
    missing = await asyncio.to_thread(roster.missing)
    if missing:
        raise WorkersMissing("; ".join(missing))


class Degraded(Exception):
    """It answers, but what it serves is not whole or not current (the message says why)."""


async def _search_sound(ctx) -> None:
    """The engine answers, every section's alias points at one index of its own, and the outbox is being
    drained: nothing left from before this start, nothing older than INDEX_OUTBOX_MAX_AGE_SECONDS."""
    await ctx.search.ping()
    problems = []
    for section in all_sections():  # each look at most a couple of seconds old (AliasWatch)
        if problem := (await ctx.search.aliases.state(section)).problem():
            problems.append(f"{section.name}: {problem}")
    max_age = ctx.settings.index_outbox_max_age_seconds
    since = clock.now() - timedelta(seconds=max_age)
    if ctx.started_at is not None:
        since = max(since, ctx.started_at)
    try:
        waiting = await rows_older_than(since)
    except Exception:  # the database probe reports a database away
        waiting = 0
    if waiting:
        problems.append(f"{waiting} changes wait in the index outbox (older than {max_age:g} s or from "
                        "before this process started)")
    if problems:
        raise Degraded("; ".join(problems))


async def readiness(ctx) -> dict[str, str]:
    probes = [
        _probe("database", db.ping),
        _probe("cache", ctx.cache.ping),
        _probe("search", lambda: _search_sound(ctx)),
    ]
    if ctx.workers is not None:  # several workers: each answers for all of them
        probes.append(_probe("workers", lambda: _workers_all_serving(ctx.workers)))
    return dict(await asyncio.gather(*probes))
