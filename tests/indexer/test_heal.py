"""A section's index lost or broken on the cluster comes back by itself (indexer/heal.py): rebuilt from the
database by one process, the list answering 503 until it is whole, never an empty index served as complete."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

import pytest
from elasticsearch import ConnectionError

from indexer import heal as heal_module
from indexer import reindex as reindex_module
from indexer.heal import IndexHealer, heal
from indexer.lock import reindex_lock
from indexer.sync import OutboxDrainer, drain
from search.engine import SearchEngine
from search.index import BulkRejected, ensure_alias, indices_behind_alias, section_indices
from sections import JOBS, SEEKERS, all_sections
from tests.helpers.api import SEED_CARD, login_as, post_job


async def listed(client) -> tuple[int, list[int]]:
    response = await client.post("/jobs/list", json={"query_type": 3, "page_size": 50})
    jobs = response.json()["data"]["jobs"] if response.status_code == 200 else []
    return response.status_code, [job["id"] for job in jobs]


async def test_a_lost_index_comes_back_with_every_posting_and_no_operator(client, app, caplog, monkeypatch):
    owner = await login_as(client, "owner")
    jobs = [await post_job(client, owner, positions=f"厨师{i}") for i in range(3)]
    engine = app.ctx.search.client
    await drain(engine)
    for name in await section_indices(engine, JOBS):  # the cluster loses the index (and so its alias)
        await engine.indices.delete(index=name)
    assert await listed(client) == (503, [])
    jobs.append(await post_job(client, owner, positions="面点师"))  # written while the index is gone

    during: list[tuple[int, list[int]]] = []
    loading = reindex_module._load

    async def watched(*args, **kwargs):  # the list as each load starts (the main load, then the catch-up)
        during.append(await listed(client))
        return await loading(*args, **kwargs)

    monkeypatch.setattr(reindex_module, "_load", watched)
    healer = IndexHealer(engine, app.ctx.cache, interval=0.1)
    running = asyncio.create_task(healer.run())
    try:
        for _ in range(100):
            with suppress(BulkRejected):  # the app's drainer beside the healer: refused until the alias is back
                await drain(engine)
            if (answer := await listed(client))[0] == 200:
                break
            await asyncio.sleep(0.1)
    finally:
        healer.stop()
        await running
    assert answer == (200, sorted(jobs, reverse=True))
    assert during[0] == (503, [])  # while the rebuild loads: 503, never an empty or partial page
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name == "indexer.heal"]
    assert any("jobs is lost or broken (its alias is missing)" in line for line in errors)
    assert len(await indices_behind_alias(engine, JOBS)) == 1 == len(await section_indices(engine, JOBS))


async def test_two_indices_behind_the_alias_are_repaired_where_found(client, app, caplog, monkeypatch):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    engine = app.ctx.search.client
    await drain(engine)
    # A crashed create race: a second index behind the alias, and every write through it fails.
    await engine.indices.create(index="jobs_v9", mappings=JOBS.definition()["mappings"],
                                aliases={JOBS.name: {}})
    assert len(await indices_behind_alias(engine, JOBS)) == 2
    during: list[tuple[int, list[int]]] = []
    loading = reindex_module._load

    async def watched(*args, **kwargs):
        during.append(await listed(client))
        return await loading(*args, **kwargs)

    monkeypatch.setattr(reindex_module, "_load", watched)
    await IndexHealer(engine, app.ctx.cache, interval=30).round()
    assert during[0] == (503, [])  # not both indices' postings meanwhile
    assert len(await indices_behind_alias(engine, JOBS)) == 1
    second = await post_job(client, owner, positions="洗碗工")
    await drain(engine)  # writes go through again
    assert await listed(client) == (200, [second, job_id])
    assert any("its alias points at 2 indices" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


async def test_a_section_whose_heal_fails_keeps_no_other_from_healing_in_the_round(client, app, monkeypatch, caplog):
    engine = app.ctx.search.client
    for section in all_sections():
        for name in await section_indices(engine, section):
            await engine.indices.delete(index=name)
    real = heal_module.heal

    async def failing_for_jobs(client_, cache, section):
        if section is JOBS:
            raise ConnectionError("jobs' rebuild broke off")
        return await real(client_, cache, section)

    monkeypatch.setattr(heal_module, "heal", failing_for_jobs)
    with pytest.raises(ConnectionError):  # the round still fails, so the next comes after a pause
        await IndexHealer(engine, app.ctx.cache, interval=30).round()
    assert await indices_behind_alias(engine, JOBS) == []
    others = [section for section in all_sections() if section is not JOBS]
    assert others and all([len(await indices_behind_alias(engine, section)) == 1 for section in others])
    assert any("index check of jobs failed" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


async def test_one_process_rebuilds_while_the_others_wait(client, app):
    """The reindex lock: a process finding it held leaves the index to its holder (a crashed holder's lock
    lapses within its TTL, so no operator is needed either)."""
    engine = app.ctx.search.client
    for name in await section_indices(engine, SEEKERS):
        await engine.indices.delete(index=name)
    await app.ctx.cache.set(reindex_lock(SEEKERS.name), "another process", ex=15)
    assert await heal(engine, app.ctx.cache, SEEKERS) is None
    assert await indices_behind_alias(engine, SEEKERS) == []
    await app.ctx.cache.delete(reindex_lock(SEEKERS.name))
    assert await heal(engine, app.ctx.cache, SEEKERS) == "seekers_v1"  # the deleted ones' numbers are free
    response = await client.post("/seekers/list", json={})
    assert response.status_code == 200 and response.json()["data"]["total"] == 0


async def test_a_start_on_a_cluster_never_makes_an_empty_index_in_place_of_a_lost_one(client, app):
    worker = await login_as(client, "worker")
    assert (await client.post("/seeker/create", json=SEED_CARD, headers=worker)).status_code == 200
    engine = app.ctx.search.client
    for name in await section_indices(engine, SEEKERS):
        await engine.indices.delete(index=name)
    assert await ensure_alias(engine, SEEKERS, create=False) is None  # what a start on a cluster does
    assert await indices_behind_alias(engine, SEEKERS) == []
    await heal(engine, app.ctx.cache, SEEKERS)
    assert (await client.post("/seekers/list", json={})).json()["data"]["total"] == 1


async def test_an_alias_removed_alone_leaves_no_orphan_index(client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    engine = app.ctx.search.client
    await drain(engine)
    [orphan] = await indices_behind_alias(engine, JOBS)
    await engine.indices.delete_alias(index=orphan, name=JOBS.name)  # an operator's mistake
    await engine.indices.create(index=f"{orphan}_backup")  # an operator's own copy: the pattern matches it
    name = await heal(engine, app.ctx.cache, JOBS)
    assert await section_indices(engine, JOBS) == [name] != [orphan]
    assert await engine.indices.exists(index=f"{orphan}_backup")
    await engine.indices.delete(index=f"{orphan}_backup")
    assert await listed(client) == (200, [job_id])


async def test_a_process_that_saw_the_index_lost_does_not_rebuild_it_again(client, app, monkeypatch):
    """It looked before another process healed it, and took the lock after: it looks again under the lock."""
    engine = app.ctx.search.client
    [healthy] = await indices_behind_alias(engine, JOBS)
    looks = []
    real = heal_module.indices_behind_alias

    async def stale_first(client_, section):
        looks.append(section.name)
        return [] if len(looks) == 1 else await real(client_, section)

    monkeypatch.setattr(heal_module, "indices_behind_alias", stale_first)
    assert await heal(engine, app.ctx.cache, JOBS) is None
    assert await indices_behind_alias(engine, JOBS) == [healthy]


async def test_a_failed_drain_sends_the_healer_to_look_at_once(client, app):
    await post_job(client, await login_as(client, "owner"))
    nudged: list[bool] = []
    down = SearchEngine("http://127.0.0.1:9", embedded=True, request_timeout=1)
    try:
        with pytest.raises(ConnectionError):
            await OutboxDrainer(down.client, on_failure=lambda: nudged.append(True)).round()
    finally:
        await down.close()
    assert nudged == [True]
