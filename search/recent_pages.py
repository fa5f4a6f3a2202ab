"""Listing pages the engine answered a moment ago, shared by identical requests: the home page is the same
for every visitor, so the engine answers it once per LISTING_CACHE_SECONDS and page, and identical
requests arriving while it works wait for that one answer instead of each asking again. A failed answer is
never kept. Writes this process sends to the index drop every page at once; other processes' writes show
within the kept time (the listing already lags the database by its refresh)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from cachetools import TTLCache

from runtime import clock

T = TypeVar("T")

_pages: TTLCache | None = TTLCache(maxsize=1000, ttl=1.0, timer=clock.monotonic)


def keep_pages(seconds: float, pages: int = 1000) -> None:
    """How long (0: never) and how many answers are kept; the app sets it at start."""
    global _pages
    _pages = TTLCache(maxsize=pages, ttl=seconds, timer=clock.monotonic) if seconds > 0 else None


async def page(key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
    """The answer kept for `key`, the one being fetched, or a new fetch shared with whoever asks next."""
    pages = _pages
    if pages is None:
        return await fetch()
    answer = pages.get(key)
    if answer is None:
        answer = asyncio.ensure_future(fetch())
        pages[key] = answer

        def drop_if_failed(done: asyncio.Future) -> None:
            if (done.cancelled() or done.exception() is not None) and pages.get(key) is done:
                del pages[key]

        answer.add_done_callback(drop_if_failed)
    # Shielded: a caller that goes away (a closed connection) does not cancel the others' answer.
    return await asyncio.shield(answer)


def kept(key: Hashable) -> bool:
    """Whether `page(key, ...)` would answer without a new engine request (kept, or being fetched)."""
    pages = _pages
    return pages is not None and key in pages  # a TTLCache holds no expired key


def forget_pages() -> None:
    if _pages is not None:
        _pages.clear()
