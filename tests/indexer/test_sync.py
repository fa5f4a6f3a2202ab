"""The outbox drainer: nothing lost while the engine is down, rows kept until acknowledged."""

from __future__ import annotations

import pytest
from elasticsearch import ConnectionError

from indexer.documents import job_document
from indexer.sync import drain
from models.job import Job
from models.outbox import IndexOutbox
from search.engine import SearchEngine
from search.index import ALIAS
from server import clock
from tests.conftest import login_as
from tests.server.test_jobs import post_job


async def indexed_ids(app) -> set[int]:
    client = app.ctx.search.client
    await client.indices.refresh(index=ALIAS)
    response = await client.search(index=ALIAS, query={"match_all": {}}, size=1000)
    return {int(hit["_id"]) for hit in response["hits"]["hits"]}


async def test_outage_loses_nothing(client, app):
    owner = await login_as(client, "owner")
    down = SearchEngine("http://127.0.0.1:9", embedded=True, request_timeout=1)
    try:
        ids = [await post_job(client, owner, positions=f"厨师{i}") for i in range(3)]
        await client.post("/job/close", json={"job_id": ids[0]}, headers=owner)
        with pytest.raises(ConnectionError):
            await drain(down.client, app.ctx.cache)
    finally:
        await down.close()
    assert await IndexOutbox.all().count() == 4  # nothing consumed while the engine was down
    assert await drain(app.ctx.search.client, app.ctx.cache) == 4
    assert await IndexOutbox.all().count() == 0
    assert await indexed_ids(app) == set(ids)
    held = await app.ctx.search.client.get(index=ALIAS, id=str(ids[0]))
    assert held["_source"] == job_document(await Job.get(id=ids[0]))
    assert held["_source"]["status"] == 2


async def test_a_deleted_job_leaves_the_index(client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await drain(app.ctx.search.client, app.ctx.cache)
    await Job.filter(id=job_id).delete()
    await IndexOutbox.create(job_id=job_id, reason="delete", create_at=clock.now())
    await drain(app.ctx.search.client, app.ctx.cache)
    assert await indexed_ids(app) == set()
