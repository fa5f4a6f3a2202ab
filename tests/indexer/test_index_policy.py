"""The operator's replicas on every index the app and the indexer make, and a reindex that switches the alias
only to an index with the declared health (ELASTICSEARCH_REPLICAS, ELASTICSEARCH_WAIT_FOR_STATUS)."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys

import pytest

from indexer.heal import IndexHealer
from indexer.reindex import reindex
from indexer.sync import drain
from runtime.settings import Settings
from search.engine import SearchEngine, engine_options
from search.index import ensure_alias, indices_behind_alias, section_indices
from search.index_policy import IndexNotReady
from sections.jobs import JOBS
from tests.helpers.api import login_as
from tests.helpers.faults import unacknowledging_engine
from tests.helpers.postings import post_job

WHY = "replicas cannot be allocated: set ELASTICSEARCH_REPLICAS or ELASTICSEARCH_WAIT_FOR_STATUS=yellow"


def operators_engine(url: str, **settings) -> SearchEngine:
    """The engine as the app and the CLI build it from these settings (embedded: it waits for yellow)."""
    return SearchEngine(url, embedded=True, **engine_options(Settings(_env_file=None, **settings), embedded=True))


async def replicas_of(client, index: str) -> dict:
    held = (await client.indices.get_settings(index=index)).body[index]["settings"]["index"]
    return {name: held[name] for name in ("number_of_replicas", "auto_expand_replicas") if name in held}


async def holds(client, index: str, replicas: dict) -> bool:
    """The index's settings, read back, say `replicas` (a range leaves the number to the engine)."""
    return replicas.items() <= (await replicas_of(client, index)).items()


async def lose_every_index(client) -> None:
    for name in await section_indices(client, JOBS):
        await client.indices.delete(index=name)


@pytest.mark.parametrize("declared, held", [
    ({"elasticsearch_replicas": "2"}, {"number_of_replicas": "2", "auto_expand_replicas": "false"}),
    ({"elasticsearch_replicas": "0-2"}, {"auto_expand_replicas": "0-2"}),
    ({}, {"auto_expand_replicas": "0-all"}),  # the default: a copy on every node
])
async def test_every_index_made_at_start_by_a_reindex_or_a_heal_has_the_operators_replicas(client, app, engine,
                                                                                           declared, held):
    owner = await login_as(client, "owner")
    await post_job(client, owner)  # so the heal below is a lost index's rebuild
    operators = operators_engine(engine.url, **declared)
    try:
        await lose_every_index(operators.client)
        made_at_start = await ensure_alias(operators.client, JOBS, policy=operators.policy)
        assert await holds(operators.client, made_at_start, held)
        reindexed = await reindex(operators.client, JOBS, policy=operators.policy)
        assert await holds(operators.client, reindexed, held)
        await lose_every_index(operators.client)
        await IndexHealer(operators.client, app.ctx.cache, 30, operators.policy).round()
        [healed] = await indices_behind_alias(operators.client, JOBS)
        assert await holds(operators.client, healed, held)
    finally:
        await operators.close()


async def test_the_indexers_reindex_gives_its_index_the_operators_replicas(client, app, settings, engine):
    """The command the embedded engine's supervisor runs (ELASTICSEARCH_WAIT_FOR_STATUS unset: it waits for
    yellow, which is all one osmem node answers), with the operator's replicas."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELASTICSEARCH_")}
    env.update(DATABASE_URL=settings.resolved_database_url, ELASTICSEARCH_REPLICAS="2",
               ELASTICSEARCH_WAIT_FOR_STATUS_SECONDS="3")
    done = await asyncio.to_thread(subprocess.run, [
        sys.executable, "-m", "server.cli", "index", "--es-url", engine.url, "--plain-json", "reindex", "--no-lock",
        "--section", "jobs"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [index] = await indices_behind_alias(app.ctx.search.client, JOBS)
    assert done.stdout.split() == [index]
    assert await replicas_of(app.ctx.search.client, index) == {"number_of_replicas": "2",
                                                               "auto_expand_replicas": "false"}


async def test_a_reindex_never_reaching_the_declared_health_keeps_the_old_index_serving(client, app, engine, caplog):
    owner = await login_as(client, "owner")
    jobs = [await post_job(client, owner, positions=f"厨师{i}") for i in range(3)]
    await drain(app.ctx.search.client)
    serving = await indices_behind_alias(app.ctx.search.client, JOBS)
    # One replica, every copy placed (green), on one node: it never will be.
    operators = operators_engine(engine.url, elasticsearch_replicas="1", elasticsearch_wait_for_status="green",
                                 elasticsearch_wait_for_status_seconds=1)
    try:
        with pytest.raises(IndexNotReady, match=WHY):
            await reindex(operators.client, JOBS, policy=operators.policy)
    finally:
        await operators.close()
    assert await indices_behind_alias(app.ctx.search.client, JOBS) == serving  # the alias unchanged
    assert await section_indices(app.ctx.search.client, JOBS) == serving  # the new one dropped
    listed = await client.post("/jobs/list", json={"query_type": 3, "page_size": 50})
    assert [job["id"] for job in listed.json()["data"]["jobs"]] == sorted(jobs, reverse=True)
    [said] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name == "indexer.reindex"]
    assert f"search index jobs not switched to {JOBS.name}_v" in said
    assert WHY in said and f"{serving} keeps serving" in said


async def test_a_rebuild_never_reaching_the_declared_health_is_not_served_and_says_why(client, app, engine, caplog):
    await lose_every_index(app.ctx.search.client)
    operators = operators_engine(engine.url, elasticsearch_replicas="1", elasticsearch_wait_for_status="green",
                                 elasticsearch_wait_for_status_seconds=1)
    try:
        with pytest.raises(IndexNotReady):
            await IndexHealer(operators.client, app.ctx.cache, 30, operators.policy).round()
    finally:
        await operators.close()
    assert await section_indices(app.ctx.search.client, JOBS) == []  # nothing half-made left behind
    assert (await client.post("/jobs/list", json={})).status_code == 503
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(WHY in line and "its list answers 503 until a rebuild succeeds" in line for line in said), said


async def test_an_alias_switch_not_acknowledged_keeps_the_old_index_and_says_so(client, app, engine, caplog):
    owner = await login_as(client, "owner")
    job = await post_job(client, owner)
    await drain(app.ctx.search.client)
    [old] = await indices_behind_alias(app.ctx.search.client, JOBS)
    async with unacknowledging_engine(engine.url) as url:
        unsure = SearchEngine(url, embedded=True)
        try:
            new = await reindex(unsure.client, JOBS, policy=unsure.policy)
        finally:
            await unsure.close()
    assert await indices_behind_alias(app.ctx.search.client, JOBS) == [new]  # the switch did happen here...
    assert await section_indices(app.ctx.search.client, JOBS) == sorted([old, new])  # ...the old index stays
    listed = await client.post("/jobs/list", json={"query_type": 3})
    assert [item["id"] for item in listed.json()["data"]["jobs"]] == [job]
    [said] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name == "indexer.reindex"]
    assert f"the alias switch to {new} was not acknowledged in time; keeping ['{old}']" in said
