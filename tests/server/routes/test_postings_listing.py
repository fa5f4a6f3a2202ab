"""The listing follows the database: new, edited, closed, refreshed and expiring jobs."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from indexer.sync import drain
from models.outbox import IndexOutbox
from runtime import clock
from search.documents import POSITION_PARTS
from search.engine import SearchEngine
from search.index import ensure_alias
from sections.jobs import JOBS
from tests.helpers.api import background_drainer, change_job, login_as
from tests.helpers.faults import silent_server
from tests.helpers.postings import post_job


async def listed(client, query_type=1, **filt) -> list[int]:
    response = await client.post("/jobs/list", json={"query_type": query_type, "filter": filt, "page_size": 50})
    assert response.status_code == 200, response.text
    return [job["id"] for job in response.json()["data"]["jobs"]]


async def test_a_top_that_ended_a_second_ago_is_no_longer_first(client, app):
    owner = await login_as(client, "owner")
    older = await post_job(client, owner, positions="厨师")
    newer = await post_job(client, owner, positions="服务员")
    now = clock.now()
    await change_job(older, "top", top_start_time=now - timedelta(days=1), top_end_time=now + timedelta(hours=1))
    await drain(app.ctx.search.client)
    assert await listed(client) == [older, newer]
    await change_job(older, "top", top_end_time=clock.now() - timedelta(seconds=1))
    await drain(app.ctx.search.client)
    assert await listed(client) == [newer, older]
    item = (await client.post("/jobs/list", json={})).json()["data"]["jobs"][1]
    assert item["is_top"] == 0 and item["top_end_time"]


async def test_top_expiry_needs_no_reindex(client, app, travel):
    owner = await login_as(client, "owner")
    older = await post_job(client, owner)
    newer = await post_job(client, owner)
    ends = clock.now() + timedelta(hours=72)
    await change_job(older, "top", top_start_time=clock.now(), top_end_time=ends)
    await drain(app.ctx.search.client)
    travel(ends - timedelta(seconds=1))
    assert await listed(client) == [older, newer]
    travel(ends + timedelta(milliseconds=1))  # nothing written since: the listing alone sees the end
    assert await listed(client) == [newer, older]
    assert (await client.post("/jobs/list", json={})).json()["data"]["jobs"][1]["is_top"] == 0


async def test_edit_close_and_refresh_show_in_the_listing(client, app):
    owner = await login_as(client, "owner")
    first = await post_job(client, owner, positions="厨师")
    second = await post_job(client, owner, positions="服务员")
    await drain(app.ctx.search.client)
    assert await listed(client, 3) == [second, first]
    await client.post("/jobs/update", json={"id": first, "positions": "面点师"}, headers=owner)
    await drain(app.ctx.search.client)
    assert await listed(client, positions="面点师") == [first]
    assert await listed(client, positions="厨师") == []
    await client.post("/jobs/refresh", json={"job_id": first}, headers=owner)
    await drain(app.ctx.search.client)
    assert await listed(client, 1) == [first, second]  # refreshed moves up in recommended
    assert await listed(client, 3) == [second, first]  # latest stays by creation
    await client.post("/job/close", json={"job_id": second}, headers=owner)
    await drain(app.ctx.search.client)
    assert await listed(client, 1) == [first]
    assert await IndexOutbox.all().count() == 0


async def test_a_field_added_to_the_mapping_reaches_an_existing_index_at_start(client, app):
    engine = app.ctx.search.client
    for name in (await engine.indices.get(index="jobs_v*")).body:
        await engine.indices.delete(index=name)
    definition = JOBS.definition()
    del definition["mappings"]["properties"]["held"]  # an index made before the field existed
    await engine.indices.create(index="jobs_v1", mappings=definition["mappings"], aliases={JOBS.name: {}})
    await ensure_alias(engine, JOBS)  # what every start does
    mapping = (await engine.indices.get_mapping(index=JOBS.name)).body["jobs_v1"]["mappings"]["properties"]
    assert mapping["held"] == {"type": "boolean"}
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await drain(engine)  # a document with the new field is accepted
    assert job_id in await listed(client)


async def test_background_drainer_shows_a_new_job_within_a_second(client, app):
    owner = await login_as(client, "owner")
    async with background_drainer(app):
        job_id = await post_job(client, owner)
        started = time.monotonic()
        while job_id not in await listed(client):
            assert time.monotonic() - started < 1.5, "the new job did not reach the listing"
            await asyncio.sleep(0.05)


async def test_engine_down_listing_is_503_and_writes_still_work(client, app):
    owner = await login_as(client, "owner")
    search = app.ctx.search
    app.ctx.search = SearchEngine("http://127.0.0.1:9", embedded=True, request_timeout=1)
    try:
        started = time.monotonic()
        response = await client.post("/jobs/list", json={})
        assert time.monotonic() - started < 2
        assert response.status_code == 503
        assert response.json()["code"] == 503 and "unavailable" in response.json()["data"]
        job_id = await post_job(client, owner)
        assert (await client.post("/jobs/info", json={"job_id": job_id})).status_code == 200
    finally:
        await app.ctx.search.close()
        app.ctx.search = search
    await drain(app.ctx.search.client)
    assert await listed(client) == [job_id]


async def test_a_hung_engine_makes_the_listing_503_within_its_timeout(client, app):
    search = app.ctx.search
    async with silent_server() as hung:
        app.ctx.search = SearchEngine(hung.url, embedded=True)
        try:
            started = time.monotonic()
            response = await client.post("/jobs/list", json={})
            waited = time.monotonic() - started
        finally:
            await app.ctx.search.close()
            app.ctx.search = search
    assert response.status_code == 503 and response.json()["code"] == 503
    assert hung.connections and waited < 10  # it did wait on the engine, then gave up (3 s search timeout)


async def test_an_engine_that_refuses_the_query_is_a_server_error_not_an_outage(client, app, caplog):
    engine = app.ctx.search.client
    for name in (await engine.indices.get(index=f"{JOBS.name}_v*")).body:
        await engine.indices.delete(index=name)
    response = await client.post("/jobs/list", json={})
    assert response.status_code == 503  # no index yet (a restarted engine being refilled): an outage
    # An index the listing's query does not fit (the positions filter's field not a string): the engine answers 400.
    await engine.indices.create(index=f"{JOBS.name}_v1", mappings={"properties": {POSITION_PARTS: {"type": "long"}}},
                                aliases={JOBS.name: {}})
    response = await client.post("/jobs/list", json={"filter": {"positions": "厨"}})
    assert response.status_code == 500 and response.json()["code"] == 500
    assert any("refused the query: 400" in record.getMessage() for record in caplog.records)
