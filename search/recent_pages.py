"""Listing pages the engine answered a moment ago, shared by identical requests: the home page is the same
for every visitor, so the engine answers it once per LISTING_CACHE_SECONDS and page, and identical
requests arriving while it works wait for that one answer instead of each asking again. A failed answer is
never kept. Each section keeps its own pages: a write this process sends to a section's index drops that
section's pages only; other processes' writes show within the kept time (the listing already lags the
database by its refresh)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from cachetools import TTLCache

from runtime import clock

T = TypeVar("T")

_seconds, _size = 1.0, 1000
_pages: dict[str, TTLCache] = {}  # by section name
_drops: Counter = Counter()  # how many times each section's pages were dropped (None: every section's)


def keep_pages(seconds: float, pages: int = 1000) -> None:
    """How long (0: never) and how many answers per section are kept; the app sets it at start."""
    global _seconds, _size
    _seconds, _size = seconds, pages
    _pages.clear()


def _of(section: str) -> TTLCache | None:
    if _seconds <= 0:
        return None
    pages = _pages.get(section)
    if pages is None:
        pages = _pages[section] = TTLCache(maxsize=_size, ttl=_seconds, timer=clock.monotonic)
    return pages


async def page(section: str, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
    """The answer kept for `key`, the one being fetched, or a new fetch shared with whoever asks next."""
    pages = _of(section)
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


def kept(section: str, key: Hashable) -> bool:
    """Whether `page(section, key, ...)` would answer without a new engine request (kept, or being fetched)."""
    pages = _pages.get(section) if _seconds > 0 else None
    return pages is not None and key in pages  # a TTLCache holds no expired key


def drops(section: str) -> tuple[int, int]:
    """Changes whenever the section's pages are dropped: what was made from a page before it is stale."""
    return _drops[None], _drops[section]


def forget_pages(section: str | None = None) -> None:
    """Drop a section's kept pages (None: every section's)."""
    for name in ([section] if section is not None else list(_pages)):
        if (pages := _pages.get(name)) is not None:
            pages.clear()
    _drops[section] += 1
