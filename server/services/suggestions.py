"""The search box's completions (`GET /search/suggest`): search/suggest.py completes a prefix from the
vocabulary, the section's hot searches that passed content security, and what its postings publish. The
published values are kept per process and read again with one aggregation at most every REFRESH_SECONDS, in
the background once a list exists: a request never waits for the engine but the very first of a section."""

from __future__ import annotations

import asyncio
import logging

from elasticsearch import ApiError, TransportError
from redis.exceptions import RedisError

from runtime import clock
from sections import Section
from search.suggest import complete, published_terms
from server.services.hot_searches import HotSearches

log = logging.getLogger("server.suggestions")

REFRESH_SECONDS = 60.0


class Suggestions:
    def __init__(self, engine, hot: HotSearches):
        self._engine = engine
        self._hot = hot
        self._published: dict[str, tuple[float, list[str]]] = {}
        self._refreshing: dict[str, asyncio.Task] = {}

    async def _read(self, section: Section) -> list[str]:
        try:
            values = await published_terms(self._engine.listing_client, section)
        except (ApiError, TransportError) as exc:  # completions go on from the vocabulary and hot searches
            log.warning("suggestions: published values of %s not read: %s", section.name, type(exc).__name__)
            values = self._published.get(section.name, (0.0, []))[1]
        self._published[section.name] = (clock.monotonic(), values)
        return values

    async def published(self, section: Section) -> list[str]:
        kept = self._published.get(section.name)
        if kept is None:
            return await self._read(section)
        read_at, values = kept
        if clock.monotonic() - read_at >= REFRESH_SECONDS and section.name not in self._refreshing:
            task = asyncio.ensure_future(self._read(section))
            self._refreshing[section.name] = task
            task.add_done_callback(lambda _: self._refreshing.pop(section.name, None))
        return values

    async def suggest(self, section: Section, prefix: str) -> list[str]:
        try:
            hot = [entry["keyword"] for entry in await self._hot.hot(section.name)]
        except (RedisError, OSError) as exc:  # completions go on from the vocabulary and published values
            log.warning("suggestions: hot searches not read: %s", type(exc).__name__)
            hot = []
        return complete(prefix, hot, await self.published(section))

    def forget(self) -> None:
        """For tests: the next call reads the engine."""
        self._published.clear()
