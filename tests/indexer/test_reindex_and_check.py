"""Operator tools: reindex with zero downtime, drift check and repair, the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest

from indexer.check import check
from indexer.lock import LockBusy, reindex_lock, renewed_lock
from indexer.reindex import reindex
from indexer.sync import drain
from models.job import Job
from models.outbox import IndexOutbox
from models.user import User
from runtime import clock
from search.documents import POSITION_PARTS
from search.index import ensure_alias, indices_behind_alias
from search.recent_pages import forget_pages, keep_pages
from sections import all_sections
from sections.jobs import JOBS, job_document
from sections.jobs.samples import random_jobs
from tests.helpers.api import change_job, login_as
from tests.helpers.postings import post_job


async def seed(count: int) -> list[Job]:
    now = clock.now()
    owner = await User.create(openid="owner", create_at=now, update_at=now)
    await Job.bulk_create(random_jobs(count, owner.id, now=now), batch_size=500)
    return await Job.all().order_by("id")


async def test_reindex_switches_the_alias_and_drops_the_old_index(client, app):
    jobs = await seed(300)
    engine = app.ctx.search.client
    before = await indices_behind_alias(engine, JOBS)
    name = await reindex(engine, JOBS, batch_size=70)
    assert await indices_behind_alias(engine, JOBS) == [name] and name not in before
    assert not await engine.indices.exists(index=before[0])
    assert (await engine.count(index=JOBS.name))["count"] == len(jobs)
    settings = (await engine.indices.get_settings(index=name))[name]["settings"]["index"]
    # Bulk-load settings were put back: replicas auto-expand (ELASTICSEARCH_REPLICAS), refresh is the default.
    assert settings.get("auto_expand_replicas") == "0-all" and "refresh_interval" not in settings


async def test_reads_during_reindex_never_see_an_empty_listing(client, app):
    await seed(600)
    await reindex(app.ctx.search.client, JOBS)
    totals = []

    async def read_until(done: asyncio.Event):
        while not done.is_set():
            response = await client.post("/jobs/list", json={"query_type": 3, "page_size": 1})
            totals.append(response.json()["data"]["total"])
            await asyncio.sleep(0)

    done = asyncio.Event()
    reader = asyncio.create_task(read_until(done))
    await reindex(app.ctx.search.client, JOBS, batch_size=50)
    done.set()
    await reader
    assert len(totals) > 3 and min(totals) == max(totals) > 0


async def _renewal_seen(cache, key: str) -> None:
    """Until the lock's holder renews it: its time to live set back up. The TTL runs on Redis's clock (one
    for every process), which the app's clock cannot move, so the test waits for the renewal itself rather
    than sleeping past the TTL."""
    left = await cache.pttl(key)
    assert left > 0, "the lock is not held"
    async with asyncio.timeout(10):
        while (now_left := await cache.pttl(key)) <= left:
            assert now_left > 0, "the lock lapsed unrenewed"
            left = now_left
            await asyncio.sleep(0.02)


async def test_two_reindexes_cannot_run_at_once(client, app, settings, engine):
    if settings.redis_url is None:
        pytest.skip("needs a Redis shared between processes")
    await seed(10)
    async with renewed_lock(app.ctx.cache, reindex_lock("jobs"), ttl=2):
        with pytest.raises(LockBusy):
            await reindex(app.ctx.search.client, JOBS, lock=renewed_lock(app.ctx.cache, reindex_lock("jobs")))
        await _renewal_seen(app.ctx.cache, reindex_lock("jobs"))  # renewal keeps it for as long as it runs
        done = await asyncio.to_thread(_cli, ["reindex"], settings, engine)
    assert done.returncode == 75, done.stderr
    assert "already running" in done.stderr and "Traceback" not in done.stderr


# A holder that takes the reindex lock the way the CLI does, says so, and keeps renewing it until killed.
_HOLDER = """
import asyncio, sys
from indexer.lock import reindex_lock, renewed_lock
from runtime.cache import connect_cache

async def hold():
    async with renewed_lock(connect_cache(sys.argv[1]), reindex_lock("jobs"), ttl=float(sys.argv[2])):
        print("held", flush=True)
        await asyncio.sleep(3600)

asyncio.run(hold())
"""


async def test_a_killed_reindex_frees_its_lock_within_its_ttl(client, app, settings):
    if settings.redis_url is None:
        pytest.skip("needs a Redis shared between processes")
    await seed(3)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, settings.redis_url, "2"], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert await asyncio.to_thread(holder.stdout.readline) == "held\n"
        await _renewal_seen(app.ctx.cache, reindex_lock("jobs"))  # the live holder's renewals keep it
        with pytest.raises(LockBusy):
            await reindex(app.ctx.search.client, JOBS, lock=renewed_lock(app.ctx.cache, reindex_lock("jobs")))
    finally:
        holder.kill()
        holder.wait(10)
    for _ in range(40):  # a dead holder renews nothing: free within the 2 s TTL
        try:
            assert await reindex(app.ctx.search.client, JOBS, lock=renewed_lock(app.ctx.cache, reindex_lock("jobs")))
            return
        except LockBusy:
            await asyncio.sleep(0.1)
    pytest.fail("the lock of a killed holder was still held 4 s after its death")


async def test_changes_during_reindex_reach_the_new_index(client, app):
    jobs = await seed(400)
    engine = app.ctx.search.client
    edit = jobs[5]  # in the first batch the reindex loads
    next_index = f"{JOBS.name}_v{int((await indices_behind_alias(engine, JOBS))[0].rsplit('_v', 1)[1]) + 1}"

    async def edit_after_first_batch():
        # The loading index never refreshes (refresh_interval -1), so a count there stays 0 on Elasticsearch:
        # a realtime GET of the first batch's last job says that batch is in.
        while not await engine.exists(index=next_index, id=str(jobs[19].id)):
            await asyncio.sleep(0.001)
        await change_job(edit.id, positions="后来改的")
        assert next_index not in await indices_behind_alias(engine, JOBS)  # mid-load, not after the switch

    await asyncio.gather(reindex(engine, JOBS, batch_size=20),
                         asyncio.wait_for(edit_after_first_batch(), 60))
    # What readers search, at once: the reindex refreshed its catch-up.
    found = await engine.search(index=JOBS.name, query={"term": {"id": edit.id}})
    assert [hit["_source"]["positions"] for hit in found["hits"]["hits"]] == ["后来改的"]


async def test_check_finds_and_repairs_drift(client, app):
    jobs = await seed(120)
    engine = app.ctx.search.client
    await reindex(engine, JOBS)
    assert (await check(engine, JOBS)).clean
    missing, stale = jobs[3], jobs[50]
    await engine.delete(index=JOBS.name, id=str(missing.id), refresh=True)
    # Stale at the row's own version, as older document code would have written it.
    corrupted = {**job_document(stale), "positions": "篡改"}
    extra = {**job_document(jobs[0]), "id": 999_999}
    await engine.index(index=JOBS.name, id="999999", document=extra, refresh=True)
    # Not refreshed: the check refreshes before it compares, so a write of a moment ago counts.
    await engine.index(index=JOBS.name, id=str(stale.id), document=corrupted,
                       version=stale.version, version_type="external_gte")
    drift = await check(engine, JOBS, batch_size=40)
    assert (drift.missing, drift.stale, drift.extra) == ([missing.id], [stale.id], [999_999])
    await check(engine, JOBS, repair=True, batch_size=40)
    assert (await check(engine, JOBS)).clean
    assert (await engine.get(index=JOBS.name, id=str(stale.id)))["_source"]["positions"] == stale.positions


async def test_an_index_from_before_the_positions_parts_gets_them_at_start_and_its_documents_by_a_repair(
        client, app):
    """Upgrading: the field is added to the existing index (built-in analyzer: no settings it lacks); until a
    reindex or `check --repair` rewrites them, documents written before miss the positions filter."""
    jobs = await seed(30)
    engine = app.ctx.search.client
    for name in (await engine.indices.get(index=f"{JOBS.name}_v*")).body:
        await engine.indices.delete(index=name)
    before = JOBS.definition()
    del before["mappings"]["properties"][POSITION_PARTS]
    await engine.indices.create(index=f"{JOBS.name}_v1", **before, aliases={JOBS.name: {}})
    for job in jobs:
        old = {name: value for name, value in job_document(job).items() if name != POSITION_PARTS}
        await engine.index(index=JOBS.name, id=str(job.id), document=old, version=job.version,
                           version_type="external")
    await ensure_alias(engine, JOBS)  # what every start does
    await engine.indices.refresh(index=JOBS.name)

    async def cooks() -> list[int]:
        body = {"query_type": 3, "page_size": 50, "filter": {"positions": "厨"}}
        return sorted(job["id"] for job in (await client.post("/jobs/list", json=body)).json()["data"]["jobs"])

    wanted = sorted(job.id for job in jobs if "厨" in job.positions)
    assert wanted and await cooks() == []
    assert (await check(engine, JOBS)).stale == [job.id for job in jobs]
    await check(engine, JOBS, repair=True)
    assert (await check(engine, JOBS)).clean and await cooks() == wanted


def _cli(args: list[str], settings, engine, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": settings.resolved_database_url, "ELASTICSEARCH_URL": engine.url}
    env.pop("REDIS_URL", None)
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    return subprocess.run([sys.executable, "-m", "server.cli", "index", "--plain-json", *args], env=env,
                          capture_output=True, text=True, timeout=120, **kwargs)


async def test_cli_reindex_check_and_sync(client, app, settings, engine):
    jobs = await seed(50)
    done = await asyncio.to_thread(_cli, ["reindex"], settings, engine)
    assert done.returncode == 0, done.stderr
    # One line per section: the index now behind its alias.
    assert done.stdout.split() == [(await indices_behind_alias(app.ctx.search.client, section))[0]
                                   for section in all_sections()]
    await app.ctx.search.client.delete(index=JOBS.name, id=str(jobs[0].id), refresh=True)
    done = await asyncio.to_thread(_cli, ["check"], settings, engine)
    drift = {report["section"]: report for report in map(json.loads, done.stdout.splitlines())}
    assert done.returncode == 1 and drift["jobs"]["missing"] == [jobs[0].id] and not drift["seekers"]["missing"]
    done = await asyncio.to_thread(_cli, ["check", "--repair"], settings, engine)
    assert done.returncode == 0
    assert (await check(app.ctx.search.client, JOBS)).clean
    await change_job(jobs[1].id, positions="同步")
    done = await asyncio.to_thread(_cli, ["sync", "--once"], settings, engine)
    assert done.returncode == 0, done.stderr
    assert await IndexOutbox.all().count() == 0
    assert (await app.ctx.search.client.get(index=JOBS.name, id=str(jobs[1].id)))["_source"]["positions"] == "同步"


def test_cli_dsl_prints_what_the_listing_sends(settings, engine):
    body = {"query_type": 2, "filter": {"positions": "厨师长", "longitude": 116.4, "latitude": 39.9,
                                        "basic_protection": ["社保"]}, "page_num": 2, "page_size": 5}
    done = _cli(["dsl", "--section", "jobs", json.dumps(body)], settings, engine)
    assert done.returncode == 0, done.stderr
    header, _, dsl = done.stdout.partition("\n")
    assert header == "GET jobs/_search"
    dsl = json.loads(dsl)
    assert dsl["from"] == 5 and dsl["size"] == 5
    assert {"term": {"basic_protection": "社保"}} in dsl["query"]["bool"]["filter"]
    assert "_geo_distance" in dsl["sort"][0]


async def test_a_drain_after_a_reindex_consumes_its_rows_and_changes_nothing(client, app):
    jobs = await seed(5)
    for job in jobs[:3]:
        await change_job(job.id, positions="改过")  # pending outbox rows, already in the database rows
    engine = app.ctx.search.client
    await reindex(engine, JOBS)
    before = {job.id: await engine.get(index=JOBS.name, id=str(job.id)) for job in jobs}
    assert await drain(engine) == 3  # the rows are consumed...
    for job in jobs:  # ...and the reindexed documents stay exactly as they were, versions included
        held = await engine.get(index=JOBS.name, id=str(job.id))
        assert (held["_version"], held["_source"]) == (before[job.id]["_version"], before[job.id]["_source"])
    assert before[jobs[0].id]["_source"]["positions"] == "改过"


async def test_cli_sync_once_gives_up_on_a_dead_engine_and_keeps_the_rows(client, app, settings, engine):
    jobs = await seed(3)
    await IndexOutbox.create(biz_type=1, posting_id=jobs[0].id, reason="update", create_at=clock.now())
    done = await asyncio.to_thread(_cli, ["--es-url", "http://127.0.0.1:9", "sync", "--once"], settings, engine)
    assert done.returncode != 0
    assert "retrying" in done.stderr
    assert await IndexOutbox.all().count() == 1


async def test_a_repair_shows_in_this_processs_listing_at_once(client, app):
    """Listing pages are kept a moment (LISTING_CACHE_SECONDS); the index writes of `check --repair`, as
    every write this process sends, drop them."""
    owner = await login_as(client, "owner")
    ids = [await post_job(client, owner, positions=f"厨师{i}") for i in range(3)]
    engine = app.ctx.search.client
    await drain(engine)

    async def listed() -> dict[int, str]:
        response = await client.post("/jobs/list", json={"query_type": 3, "page_size": 50})
        return {job["id"]: job["positions"] for job in response.json()["data"]["jobs"]}

    keep_pages(60)  # kept through the test, however slow the machine
    try:
        stale = await Job.get(id=ids[0])
        await engine.index(index=JOBS.name, id=str(stale.id), document={**job_document(stale), "positions": "篡改"},
                           refresh=True, version=stale.version, version_type="external_gte")
        await engine.delete(index=JOBS.name, id=str(ids[1]), refresh=True)
        assert await listed() == {ids[0]: "篡改", ids[2]: "厨师2"}  # the drift, now a kept page
        await check(engine, JOBS, repair=True)
        assert await listed() == {ids[0]: "厨师0", ids[1]: "厨师1", ids[2]: "厨师2"}

        await engine.index(index=JOBS.name, id="999999", document={**job_document(stale), "id": 999_999}, refresh=True)
        forget_pages()  # that write came from elsewhere: the page kept a moment ago does not know it
        assert 999_999 in await listed()
        await check(engine, JOBS, repair=True)
        assert await listed() == {ids[0]: "厨师0", ids[1]: "厨师1", ids[2]: "厨师2"}
    finally:
        keep_pages(app.ctx.settings.listing_cache_seconds)
