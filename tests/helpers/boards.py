"""Boards the listing tests read: many sample postings of one section, in the database and its index."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from indexer.reindex import reindex
from models.user import User
from runtime import clock
from tests.helpers.api import reset_state


@asynccontextmanager
async def seeded_board(server, section, sample: Callable, count: int, openid: str,
                       **options) -> AsyncIterator[tuple[httpx.AsyncClient, list]]:
    """Everything emptied, then `count` postings of `sample(count, owner_id, now=..., **options)` (one owner,
    `openid`), the section reindexed: an HTTP client on the app and the postings as stored."""
    app, base_url = server
    await reset_state(app)
    now = clock.now()
    owner = await User.create(openid=openid, create_at=now, update_at=now)
    await section.model.bulk_create(sample(count, owner.id, now=now, **options), batch_size=500)
    await reindex(app.ctx.search.client, section)
    postings = await section.model.all()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield http, postings
