"""The app's MySQL pool lets as many requests query at once as DATABASE_POOL_SIZE says (Tortoise's own
default of 5 made the sixth concurrent request wait, and waiters starved behind newcomers)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections


async def test_sixteen_concurrent_queries_each_get_a_connection_of_their_own(client, settings):
    if not settings.resolved_database_url.startswith("mysql"):
        pytest.skip("the pool is MySQL's; SQLite has one connection")
    assert settings.database_pool_size >= 16
    database = connections.get("default")

    async def whose_connection() -> int:
        # Each query holds its connection for 0.3 s, so the sixteen are in flight together.
        rows = await database.execute_query_dict("SELECT CONNECTION_ID() AS id, SLEEP(0.3) AS slept")
        return rows[0]["id"]

    connection_ids = await asyncio.gather(*(whose_connection() for _ in range(16)))
    assert len(set(connection_ids)) == 16
