"""The outbox drainer: nothing lost while the engine is down, rows kept until acknowledged."""

from __future__ import annotations

import asyncio

import pytest
from elasticsearch import ConnectionError, ConnectionTimeout

from indexer.sync import OutboxDrainer, drain, drain_batch
from models.job import Job
from models.outbox import IndexOutbox
from runtime import clock
from sections.jobs import job_document
from search.engine import SearchEngine
from search.index import BulkRejected, bulk_write, ensure_alias, indices_behind_alias
from tests.helpers.api import login_as
from tests.helpers.postings import post_job
from tests.helpers.faults import silent_server, slow_proxy
from tests.helpers.services import free_port
from sections.jobs import JOBS


async def indexed_ids(app) -> set[int]:
    client = app.ctx.search.client
    await client.indices.refresh(index=JOBS.name)
    response = await client.search(index=JOBS.name, query={"match_all": {}}, size=1000)
    return {int(hit["_id"]) for hit in response["hits"]["hits"]}


async def test_outage_loses_nothing(client, app):
    owner = await login_as(client, "owner")
    down = SearchEngine("http://127.0.0.1:9", embedded=True, request_timeout=1)
    try:
        ids = [await post_job(client, owner, positions=f"厨师{i}") for i in range(3)]
        await client.post("/job/close", json={"job_id": ids[0]}, headers=owner)
        with pytest.raises(ConnectionError):
            await drain(down.client)
    finally:
        await down.close()
    assert await IndexOutbox.all().count() == 4  # nothing consumed while the engine was down
    assert await drain(app.ctx.search.client) == 4
    assert await IndexOutbox.all().count() == 0
    assert await indexed_ids(app) == set(ids)
    held = await app.ctx.search.client.get(index=JOBS.name, id=str(ids[0]))
    assert held["_source"] == job_document(await Job.get(id=ids[0]))
    assert held["_source"]["status"] == 2


async def test_a_deleted_job_leaves_the_index(client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await drain(app.ctx.search.client)
    await Job.filter(id=job_id).delete()
    await IndexOutbox.create(biz_type=1, posting_id=job_id, reason="delete", create_at=clock.now())
    await drain(app.ctx.search.client)
    assert await indexed_ids(app) == set()


async def test_a_late_writer_never_puts_an_older_state_over_a_newer_one(client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner, positions="厨师")
    engine = app.ctx.search.client
    before = await Job.get(id=job_id)
    late = (before.version, job_document(before))  # what a slow drainer read before the edit
    await client.post("/jobs/update", json={"id": job_id, "positions": "面点师"}, headers=owner)
    await drain(engine)
    await bulk_write(engine, JOBS, [late], [])  # arrives last: accepted (the engine has newer), changes nothing
    held = await engine.get(index=JOBS.name, id=str(job_id))
    assert held["_source"]["positions"] == "面点师"
    assert held["_version"] == (await Job.get(id=job_id)).version == before.version + 1


async def test_a_closed_posting_stays_a_document_so_a_late_open_state_cannot_relist_it(client, app):
    """Elasticsearch forgets a delete's version after index.gc_deletes (60 s): a late write of an older state
    would then bring a deleted document back. A closed posting is never deleted: it stays, status 2, with its
    version, against which any older state, however late, is refused."""
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    engine = app.ctx.search.client
    await drain(engine)
    still_open = await Job.get(id=job_id)
    late = (still_open.version, job_document(still_open))
    await client.post("/job/close", json={"job_id": job_id}, headers=owner)
    await drain(engine)
    await bulk_write(engine, JOBS, [late], [])
    held = await engine.get(index=JOBS.name, id=str(job_id))
    assert held["_source"]["status"] == 2 and held["_version"] == still_open.version + 1
    listed = await client.post("/jobs/list", json={"query_type": 3})
    assert listed.json()["data"]["jobs"] == []


async def test_drainers_and_writers_do_not_wait_for_a_drain_stuck_on_the_engine(client, app, settings):
    owner = await login_as(client, "owner")
    first = await post_job(client, owner, positions="厨师")
    async with silent_server() as hung_engine:
        hung = SearchEngine(hung_engine.url, embedded=True, request_timeout=3)
        stuck = asyncio.create_task(drain(hung.client))
        try:
            while not hung_engine.connections:  # the stuck drain has claimed its rows and is at the engine
                await asyncio.sleep(0.01)
            second = await post_job(client, owner, positions="服务员")  # a job write is not blocked
            if settings.resolved_database_url.startswith("mysql"):
                assert await drain(app.ctx.search.client) == 1  # another drainer skips the claimed row
            else:  # SQLite has no row locks: the second drainer does the work twice, loses nothing
                assert await drain(app.ctx.search.client) == 2
            assert not stuck.done()  # all of the above happened while the first drain was in flight
            with pytest.raises(ConnectionTimeout):
                await stuck
        finally:
            await hung.close()
    # The stuck drain rolled back: its row was kept, and the next drain indexes it.
    if settings.resolved_database_url.startswith("mysql"):
        assert [row.posting_id for row in await IndexOutbox.all()] == [first]
        assert await drain(app.ctx.search.client) == 1
    assert await IndexOutbox.all().count() == 0
    assert await indexed_ids(app) == {first, second}


async def test_a_write_before_the_alias_exists_fails_and_keeps_its_rows(client, app):
    owner = await login_as(client, "owner")
    engine = app.ctx.search.client
    for name in (await engine.indices.get(index=f"{JOBS.name}_v*")).body:
        await engine.indices.delete(index=name)  # as after an engine restart
    job_id = await post_job(client, owner)
    with pytest.raises(BulkRejected):
        await drain(engine)
    assert not await engine.indices.exists(index=JOBS.name)  # no concrete `jobs` index was auto-created
    assert await IndexOutbox.filter(biz_type=1, posting_id=job_id).count() == 1
    await ensure_alias(engine, JOBS)
    assert await drain(engine) == 1
    assert await indexed_ids(app) == {job_id}


async def test_concurrent_first_starts_create_one_index_behind_the_alias(client, app):
    engine = app.ctx.search.client
    for name in (await engine.indices.get(index=f"{JOBS.name}_v*")).body:
        await engine.indices.delete(index=name)
    names = await asyncio.gather(*(ensure_alias(engine, JOBS) for _ in range(5)))
    assert len(set(names)) == 1
    assert await indices_behind_alias(engine, JOBS) == [names[0]]


async def test_a_change_committed_during_a_drain_keeps_its_row_and_reaches_the_index(client, app, engine):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner, positions="厨师")
    async with slow_proxy(engine.url, delay=0.5) as slow_engine:
        slow = SearchEngine(slow_engine.url, embedded=True, request_timeout=5)
        try:
            in_flight = asyncio.create_task(drain_batch(slow.client))
            while not slow_engine.connections:  # the drain has claimed its row and waits for the engine
                await asyncio.sleep(0.01)
            edited = await client.post("/jobs/update", json={"id": job_id, "positions": "面点师"}, headers=owner)
            assert edited.status_code == 200 and not in_flight.done()
            assert await in_flight == 1
        finally:
            await slow.close()
    assert [row.reason for row in await IndexOutbox.filter(biz_type=1, posting_id=job_id)] == ["update"]
    await drain(app.ctx.search.client)
    assert (await app.ctx.search.client.get(index=JOBS.name, id=str(job_id)))["_source"]["positions"] == "面点师"


async def test_the_background_drainer_outlives_an_engine_outage(client, app, engine):
    owner = await login_as(client, "owner")
    port = free_port()  # the engine's address, with nothing listening there yet: the engine is down
    down_then_up = SearchEngine(f"http://127.0.0.1:{port}", embedded=True, request_timeout=2)
    failed_rounds: list[bool] = []
    drainer = OutboxDrainer(down_then_up.client, interval=0.2, on_failure=lambda: failed_rounds.append(True))
    task = asyncio.create_task(drainer.run())
    try:
        job_id = await post_job(client, owner)
        drainer.nudge()
        async with asyncio.timeout(10):
            while len(failed_rounds) < 2:  # rounds ran and failed, a second after the first: the loop goes on
                await asyncio.sleep(0.05)
        assert await IndexOutbox.filter(biz_type=1, posting_id=job_id).count() == 1 and not task.done()
        async with slow_proxy(engine.url, delay=0, port=port):  # the engine comes back at the same address
            async with asyncio.timeout(10):
                while await IndexOutbox.filter(biz_type=1, posting_id=job_id).exists():
                    await asyncio.sleep(0.05)
        assert job_id in await indexed_ids(app)
    finally:
        drainer.stop()
        await asyncio.wait_for(task, 10)
        await down_then_up.close()
