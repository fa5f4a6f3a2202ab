"""What a posting did, for its owner: distinct viewers (not the owner, once a day each), favourites, unlocks and
impressions, counted in Redis off the request path and flushed to MySQL exactly once, even by a flush that
died mid-way; `/jobs/my`'s 7-day `stats` and `/posting/stats`' daily series, the owner's only."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError

from indexer.sync import drain
from models.posting_stats import PostingStat
from runtime import clock
from runtime.cache import connect_cache
from sections import by_name
from server.services import posting_stats
from server.services.posting_stats import BATCHES, PostingCounter, StatsFlusher
from tests.helpers.api import login_as
from tests.helpers.postings import post, post_job

NOON = datetime(2026, 12, 7, 12, 0)


@pytest.fixture
async def flush(app):
    """`await flush()`: what the app counted so far pushed to Redis (as its second does), then one flush round
    (as its minute does)."""
    flusher = StatsFlusher(app.ctx.cache, 60)

    async def run():
        await app.ctx.posting_stats.push()
        await flusher.round()

    return run


async def _user_id(headers: dict) -> int:
    return int(headers["user_id"])


async def _today(biz_type: int, posting_id: int) -> dict:
    row = await PostingStat.get_or_none(biz_type=biz_type, posting_id=posting_id, day=clock.now().date())
    return {kind: getattr(row, kind) if row else 0 for kind in posting_stats.KINDS}


async def _view(client, posting_id: int, headers=None):
    response = await client.post("/jobs/info", json={"job_id": posting_id}, headers=headers or {})
    assert response.status_code == 200, response.text


async def test_views_are_distinct_logged_in_users_but_the_owner_once_a_day(client, flush, travel):
    travel(NOON)
    owner, fan, other = [await login_as(client, name) for name in ("owner", "fan", "other")]
    job_id = await post_job(client, owner)
    for _ in range(20):  # one account viewing a posting 1,000 times (50 at once: under the per-client cap)
        await asyncio.gather(*(_view(client, job_id, fan) for _ in range(50)))
    for headers in (owner, owner, None, None, other):  # the owner's views and anonymous ones do not count
        await _view(client, job_id, headers)
    await flush()
    assert (await _today(1, job_id))["views"] == 2
    await _view(client, job_id, fan)  # again, after a flush: still one of the day's two
    await flush()
    assert (await _today(1, job_id))["views"] == 2
    await _view(client, job_id, await login_as(client, "newcomer"))  # the day's third, after two flushes
    await flush()
    assert (await _today(1, job_id))["views"] == 3
    travel(NOON + timedelta(days=1))  # a new day: counted again
    await _view(client, job_id, fan)
    await flush()
    assert (await _today(1, job_id))["views"] == 1


async def test_favourites_unlocks_and_impressions_are_counted_once_each(client, app, flush, tune):
    owner = await login_as(client, "owner")
    tune(free_contact_vouchers=2)
    worker = await login_as(client, "worker")
    jobs = [await post_job(client, owner) for _ in range(3)]
    await drain(app.ctx.search.client)
    for _ in range(2):  # again: no new favourite, no new unlock
        assert (await client.post("/job/collect", json={"job_id": jobs[0]}, headers=worker)).status_code == 200
        assert (await client.post("/contact_voucher/cost", json={"purpose_id": jobs[0], "purpose_type": 1},
                                  headers=worker)).status_code == 200
    await app.ctx.posting_stats.push()
    batches: list[tuple[bool, int]] = []  # (sent by a push, commands)
    execute, test = Pipeline.execute, asyncio.current_task()

    async def counted(pipe, *args, **kwargs):
        task = asyncio.current_task()
        batches.append((task is test or task.get_name() == "posting_stats_push", len(pipe.command_stack)))
        return await execute(pipe, *args, **kwargs)

    Pipeline.execute = counted
    try:
        for page in (1, 2):
            response = await client.post("/jobs/list", json={"query_type": 3, "page_num": page, "page_size": 2})
            assert response.status_code == 200
        await app.ctx.posting_stats.push()
    finally:
        Pipeline.execute = execute
    # Nothing sent to Redis on the request path; then one command in one pipeline (two, if the app's own push
    # came between the pages), whatever the number of postings shown.
    assert all(pushed for pushed, _ in batches) and [commands for _, commands in batches] in ([1], [1, 1]), batches
    await flush()
    assert await _today(1, jobs[0]) == {"views": 0, "favorites": 1, "contacts": 1, "impressions": 1}
    assert [(await _today(1, job_id))["impressions"] for job_id in jobs[1:]] == [1, 1]


async def test_counting_off_counts_nothing(client, app, flush, tune):
    tune(posting_stats=False)
    owner, worker = await login_as(client, "owner"), await login_as(client, "worker")
    job_id = await post_job(client, owner)
    await drain(app.ctx.search.client)
    await _view(client, job_id, worker)
    await client.post("/job/collect", json={"job_id": job_id}, headers=worker)
    await client.post("/jobs/list", json={})
    await flush()
    assert await PostingStat.all().count() == 0


async def test_a_flush_that_dies_before_or_after_its_commit_counts_nothing_twice(client, app, flush, monkeypatch):
    owner, worker = await login_as(client, "owner"), await login_as(client, "worker")
    job_id = await post_job(client, owner)
    await drain(app.ctx.search.client)
    await client.post("/job/collect", json={"job_id": job_id}, headers=worker)
    await client.post("/jobs/list", json={})
    await _view(client, job_id, worker)
    await app.ctx.posting_stats.push()
    upsert = posting_stats._upsert_sql
    monkeypatch.setattr(posting_stats, "_upsert_sql", lambda dialect, rows: "INSERT INTO no_such_table VALUES (1)")
    with pytest.raises(Exception):  # noqa: B017  dies inside its transaction: nothing applied
        await flush()
    assert await PostingStat.all().count() == 0
    monkeypatch.setattr(posting_stats, "_upsert_sql", upsert)

    async def redis_lost(self, name):
        raise RedisConnectionError("lost")

    monkeypatch.setattr(StatsFlusher, "_drop", redis_lost)
    await client.post("/jobs/list", json={"query_type": 3})  # a second batch meanwhile
    with pytest.raises(RedisConnectionError):  # dies after its commit, before dropping its batch
        await flush()
    monkeypatch.undo()
    assert await app.ctx.cache.scard(BATCHES) == 2  # both batches still listed
    await flush()
    await flush()
    assert await app.ctx.cache.scard(BATCHES) == 0
    assert await _today(1, job_id) == {"views": 1, "favorites": 1, "contacts": 0, "impressions": 2}


async def _stats(client, headers, **body):
    return await client.post("/posting/stats", json={"biz_type": 1, **body}, headers=headers)


async def test_the_owner_reads_7_days_in_my_postings_and_a_daily_series(client, app, flush, travel):
    travel(NOON)
    owner, worker, other = [await login_as(client, name) for name in ("owner", "worker", "other")]
    job_id = await post_job(client, owner)
    shop_id = await post(client, owner, "shops")
    await drain(app.ctx.search.client)
    for days_ago in (7, 6, 0):  # a view each day by two people; the 7th day back is out of the 7 days
        travel(NOON - timedelta(days=days_ago))
        for viewer in (worker, other):
            await _view(client, job_id, viewer)
        await flush()
    travel(NOON)
    await client.post("/job/collect", json={"job_id": job_id}, headers=worker)
    await client.post("/shop/collect", json={"shop_id": shop_id}, headers=worker)
    await flush()
    mine = (await client.post("/jobs/my", json={"biz_type": 1}, headers=owner)).json()["data"]["contacts"]
    assert [item["stats"] for item in mine] == [{"views": 4, "favorites": 1, "contacts": 0}]
    shops = (await client.post("/jobs/my", json={"biz_type": 3}, headers=owner)).json()["data"]["contacts"]
    assert [item["stats"] for item in shops] == [{"views": 0, "favorites": 1, "contacts": 0}]
    answer = (await _stats(client, owner, id=job_id, days=9)).json()["data"]
    assert [(day["day"], day["views"]) for day in answer["series"]] == [
        ((NOON - timedelta(days=8 - n)).strftime("%Y-%m-%d"), 2 if n in (1, 2, 8) else 0) for n in range(9)]
    assert answer["series"][-1] == {"day": "2026-12-07", "views": 2, "favorites": 1, "contacts": 0,
                                    "impressions": 0}
    assert len((await _stats(client, owner, id=job_id)).json()["data"]["series"]) == 7  # the default
    # Anyone else, or an unknown id: not found, alike.
    refused, unknown = await _stats(client, worker, id=job_id), await _stats(client, owner, id=job_id + 1000)
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()
    assert (await _stats(client, owner, biz_type=3, id=shop_id)).status_code == 200
    for days in (0, 91, "x", -1, 1.5):
        assert (await _stats(client, owner, id=job_id, days=days)).status_code == 400, days
    assert (await _stats(client, None, id=job_id)).status_code == 401


async def test_my_postings_of_a_section_carry_zeros_before_anything_was_counted(client):
    owner = await login_as(client, "owner")
    await post(client, owner, "seekers")
    items = (await client.post("/jobs/my", json={"biz_type": 2}, headers=owner)).json()["data"]["contacts"]
    assert [item["stats"] for item in items] == [{"views": 0, "favorites": 0, "contacts": 0}]
    assert by_name("seekers").biz_type == 2


async def test_redis_away_the_requests_go_on_and_the_push_is_dropped(client, app, flush, caplog):
    owner, worker = await login_as(client, "owner"), await login_as(client, "worker")
    job_id = await post_job(client, owner)
    refused = connect_cache("redis://127.0.0.1:1/0", connect_timeout=0.5, socket_timeout=0.5)
    counter = PostingCounter(refused, app.ctx.settings, 60)
    try:
        counter.viewed(1, job_id, await _user_id(owner), await _user_id(worker))
        counter.shown(1, [job_id])
        await counter.push()  # no exception: logged once
        await counter.push()
    finally:
        await refused.aclose()
    assert [r.message for r in caplog.records if "posting stats" in r.message][:1] == [
        "posting stats of a push lost: cache unavailable: ConnectionError"]
