"""A section's index lost or broken on the cluster comes back by itself (indexer/heal.py): rebuilt from the
database by one process, the list answering 503 until it is whole, never an empty index served as complete."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import timedelta

import pytest
from elasticsearch import ConnectionError

from indexer import heal as heal_module
from indexer import reindex as reindex_module
from indexer.heal import IndexHealer, heal
from indexer.lock import reindex_lock
from indexer.sync import OutboxDrainer, drain
from models.job import Job
from runtime import clock
from search.engine import SearchEngine
from search.index import AliasState, BulkRejected, ensure_alias, indices_behind_alias, section_indices
from sections.jobs import JOBS
from sections.seekers import SEEKERS
from sections.shops import SHOPS
from sections import all_sections
from tests.helpers.api import login_as
from tests.helpers.postings import post, post_job


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

    async def failing_for_jobs(client_, cache, section, policy):
        if section is JOBS:
            raise ConnectionError("jobs' rebuild broke off")
        return await real(client_, cache, section, policy)

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
    await post(client, worker, "seekers")
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
    real = heal_module.alias_state

    async def stale_first(client_, section):
        looks.append(section.name)
        return AliasState(()) if len(looks) == 1 else await real(client_, section)

    monkeypatch.setattr(heal_module, "alias_state", stale_first)
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


def heal_errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name == "indexer.heal"]


async def search_readiness(client, app) -> str:
    app.ctx.search.aliases.forget()  # readiness looks at most every 2 s; the test looks now
    return (await client.get("/readyz")).json()["data"]["search"]


async def test_an_index_squatting_the_alias_name_is_never_served_and_named_once(client, app, caplog):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    engine = app.ctx.search.client
    await drain(engine)
    for name in await section_indices(engine, JOBS):
        await engine.indices.delete(index=name)
    # Someone wrote to `jobs` while its alias was missing, without require_alias: a plain index took the name.
    await engine.indices.create(index=JOBS.name, mappings=JOBS.definition()["mappings"])
    impostor = JOBS.document(await Job.get(id=job_id)) | {"id": 999, "description": "冒名顶替"}
    await engine.index(index=JOBS.name, id="999", document=impostor, refresh=True)
    assert await listed(client) == (503, [])  # never the impostor's documents
    app.ctx.search.aliases.forget()
    nothing = await client.post("/jobs/list", json={"query_type": 3, "filter": {"keyword": "无此词"}})
    assert nothing.status_code == 503  # nor an empty page of it

    healer = IndexHealer(engine, app.ctx.cache, interval=30)
    for _ in range(3):
        await healer.round()
    assert heal_errors(caplog) == [
        "search index jobs is not served: a concrete index named jobs holds the alias's name, so the alias cannot "
        "be made; its list answers 503 until an operator deletes that index (keep its documents first if they "
        "matter: DELETE /jobs), then it is rebuilt from the database"]
    assert await engine.indices.exists(index=JOBS.name)  # not ours to delete
    assert await listed(client) == (503, [])
    await drain(engine)
    assert await search_readiness(client, app) == "degraded: jobs: a concrete index named jobs holds the alias's name"

    await engine.indices.delete(index=JOBS.name)  # the operator's part
    await healer.round()
    assert await listed(client) == (200, [job_id])
    assert await search_readiness(client, app) == "ok"


@pytest.mark.parametrize("fault, reason", [
    ("missing", "jobs: its alias is missing"),
    ("doubled", "jobs: its alias points at 2 indices ['{current}', 'jobs_v9']"),
])
async def test_readyz_says_search_degraded_while_an_alias_is_not_sound(client, app, fault, reason):
    engine = app.ctx.search.client
    await drain(engine)
    assert await search_readiness(client, app) == "ok"
    [current] = await indices_behind_alias(engine, JOBS)
    if fault == "missing":
        await engine.indices.delete(index=current)
    else:
        await engine.indices.create(index="jobs_v9", mappings=JOBS.definition()["mappings"], aliases={JOBS.name: {}})
    assert await search_readiness(client, app) == f"degraded: {reason.format(current=current)}"
    assert (await client.get("/readyz")).status_code == 503
    await IndexHealer(engine, app.ctx.cache, interval=30).round()
    assert await search_readiness(client, app) == "ok"


async def test_an_alias_pointed_at_another_sections_index_is_never_served_and_is_healed(client, app):
    """The probe moved the jobs alias onto the shops' index: the board showed no job, readiness said ok."""
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    engine = app.ctx.search.client
    await drain(engine)
    [jobs_index] = await indices_behind_alias(engine, JOBS)
    [shops_index] = await indices_behind_alias(engine, SHOPS)
    await engine.indices.update_aliases(actions=[{"remove": {"index": jobs_index, "alias": JOBS.name}},
                                                 {"add": {"index": shops_index, "alias": JOBS.name}}])
    app.ctx.search.aliases.forget()
    assert await listed(client) == (503, [])  # never the shops' (empty) answer as the jobs board
    assert await search_readiness(client, app) == \
        f"degraded: jobs: its alias points at ['{shops_index}'], not at one of its own indices"
    await IndexHealer(engine, app.ctx.cache, interval=30).round()
    app.ctx.search.aliases.forget()
    assert await listed(client) == (200, [job_id])
    assert await indices_behind_alias(engine, SHOPS) == [shops_index]  # the shops' own alias untouched
    assert await search_readiness(client, app) == "ok"


async def test_readyz_says_search_degraded_while_changes_wait_in_the_outbox(client, app, travel):
    engine = app.ctx.search.client
    await drain(engine)
    owner = await login_as(client, "owner")
    await post_job(client, owner)  # the suite's app leaves its outbox to the test
    assert await search_readiness(client, app) == "ok"  # a change a moment old: the drainer is on it
    travel(clock.now() + timedelta(seconds=app.ctx.settings.index_outbox_max_age_seconds + 1))
    assert await search_readiness(client, app) == ("degraded: 1 changes wait in the index outbox (older than "
                                                   "10 s or from before this process started)")
    await drain(engine)
    assert await search_readiness(client, app) == "ok"


async def test_a_degraded_search_is_logged_once_a_minute_however_often_readiness_is_asked(client, app, caplog, travel):
    caplog.set_level(logging.INFO, logger="server.health")
    engine = app.ctx.search.client
    await drain(engine)
    assert await search_readiness(client, app) == "ok"
    [current] = await indices_behind_alias(engine, JOBS)
    await engine.indices.delete(index=current)
    app.ctx.search.aliases.forget()
    caplog.clear()
    for _ in range(5):  # a load balancer polling
        assert (await client.get("/readyz")).status_code == 503
    said = [r for r in caplog.records if "readiness: search degraded" in r.getMessage()]
    assert len(said) == 1
    travel(clock.now() + timedelta(minutes=1, seconds=1))
    app.ctx.search.aliases.forget()
    assert (await client.get("/readyz")).status_code == 503
    assert len([r for r in caplog.records if "readiness: search degraded" in r.getMessage()]) == 2
    await IndexHealer(engine, app.ctx.cache, interval=30).round()
    app.ctx.search.aliases.forget()
    assert (await client.get("/readyz")).status_code == 200
    assert any("readiness: search ok again" in r.getMessage() for r in caplog.records)
