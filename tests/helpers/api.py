"""Talking to the live test app as the mini-program does, and changing jobs as the app does (posting:
tests/helpers/postings.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from tortoise import Tortoise, connections

from indexer.sync import NullDrainer, OutboxDrainer, drain
from models.job import Job
from models.posting_reads import forget_recent
from models.posting_writes import save_posting
from models.outbox import IndexOutbox
from runtime import clock
from search.index import ensure_alias
from search.recent_pages import forget_pages
from sections import all_sections


async def reset_state(app) -> None:
    """Empty every table, the cache and the search index (a fresh `jobs_v1` behind the alias)."""
    conn = connections.get("default")
    for model in Tortoise.apps["models"].values():
        await conn.execute_script(f"DELETE FROM {model._meta.db_table}")
    forget_recent()  # ids may be used again (SQLite)
    await app.ctx.cache.flushdb()
    app.ctx.hot_searches.forget()
    engine = app.ctx.search.client
    for section in all_sections():
        for name in (await engine.indices.get(index=f"{section.name}_v*", allow_no_indices=True)).body:
            await engine.indices.delete(index=name)
        await ensure_alias(engine, section)
    forget_pages()


async def login_as(client: httpx.AsyncClient, name: str = "test") -> dict:
    """Register (or log in) the dev-provider user `name`; returns headers that authenticate as them."""
    response = await client.post("/wechat/user/register", json={"login_code": f"test:{name}",
                                                                 "phone_code": f"test:{name}"})
    assert response.status_code == 200, response.text
    user_id = response.json()["data"]["user_info"]["id"]
    return {"Authorization": response.headers["authorization"], "user_id": str(user_id)}


async def outbox_reasons(job_id: int) -> list[str]:
    return [row.reason for row in await IndexOutbox.filter(biz_type=1, posting_id=job_id).order_by("id")]


async def change_job(job_id: int, reason: str = "update", **fields) -> None:
    """Change a job the way the app does (models.job_writes): version, update_at and outbox row included."""
    job = await Job.get(id=job_id)
    job.update_from_dict(fields)
    await save_posting(job, reason, clock.now(), list(fields))


async def listed_now(client: httpx.AsyncClient, app) -> list[int]:
    """The ids of the latest-first listing once every committed change is in the index."""
    await drain(app.ctx.search.client)
    response = await client.post("/jobs/list", json={"query_type": 3, "page_size": 50})
    assert response.status_code == 200, response.text
    return [job["id"] for job in response.json()["data"]["jobs"]]


@asynccontextmanager
async def background_drainer(app) -> AsyncIterator[OutboxDrainer]:
    """The app's drainer running in the background as a served app's does (a round a minute: only a commit's
    nudge is in time), and the tests' NullDrainer again afterwards."""
    drainer = OutboxDrainer(app.ctx.search.client, interval=60)
    app.ctx.drainer = drainer
    task = asyncio.create_task(drainer.run())
    try:
        yield drainer
    finally:
        app.ctx.drainer = NullDrainer()
        drainer.stop()
        await task
