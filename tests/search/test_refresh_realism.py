"""The test engine refreshes as Elasticsearch does (tests/fakes/refreshing_engine.py): a search sees what a
refresh published, a realtime GET sees every write, and `refresh=wait_for` on a never-refreshing index is
caught. Every other test runs on this engine, so these say what a missing refresh costs there."""

from __future__ import annotations

import asyncio

import pytest
from elasticsearch import BadRequestError

from search.engine import SearchEngine
from tests.fakes.refreshing_engine import RefreshingEngine

INDEX, ALIAS = "refresh_probe_v1", "refresh_probe"


@pytest.fixture(params=["embedded", "cluster"])
async def search(engine, request):
    """A client through the proxy, with the embedded engine's plain JSON or a cluster client's compatibility
    media types; a fresh index behind an alias, never refreshing unless a test says so."""
    client = SearchEngine(engine.url, embedded=request.param == "embedded").client
    await client.indices.delete(index=INDEX, ignore_unavailable=True)
    await client.indices.create(index=INDEX, settings={"refresh_interval": "-1"},
                                mappings={"properties": {"n": {"type": "integer"}}}, aliases={ALIAS: {}})
    yield client
    await client.indices.delete(index=INDEX, ignore_unavailable=True)
    await client.close()


async def searched(client) -> list[int]:
    found = await client.search(index=ALIAS, sort=[{"n": "asc"}])
    return [hit["_source"]["n"] for hit in found["hits"]["hits"]]


async def test_a_write_is_searchable_after_a_refresh_and_readable_at_once(search):
    await search.index(index=ALIAS, id="1", document={"n": 1})
    assert await searched(search) == [] and (await search.count(index=ALIAS))["count"] == 0
    assert (await search.get(index=ALIAS, id="1"))["_source"] == {"n": 1}  # realtime, as on Elasticsearch
    await search.indices.refresh(index=ALIAS)
    assert await searched(search) == [1] and (await search.count(index=ALIAS))["count"] == 1
    found = await search.search(index=ALIAS)
    assert [hit["_index"] for hit in found["hits"]["hits"]] == [INDEX]


async def test_a_delete_is_searchable_until_the_refresh(search):
    await search.index(index=ALIAS, id="1", document={"n": 1}, refresh=True)
    await search.delete(index=ALIAS, id="1")
    assert await searched(search) == [1]
    await search.bulk(operations=[{"index": {"_index": ALIAS, "_id": "2"}}, {"n": 2}], refresh=True)
    assert await searched(search) == [2]  # a refresh publishes every write before it


async def test_the_periodic_refresh_publishes_after_its_interval(search, engine):
    # The suite's engine refreshes only when asked; a cluster's (the process tests') on its timer too.
    timed = RefreshingEngine.start(engine.upstream)
    client = SearchEngine(timed.url, embedded=True).client
    try:
        await client.indices.put_settings(index=INDEX, settings={"refresh_interval": "200ms"})
        await client.index(index=ALIAS, id="1", document={"n": 1})
        assert await searched(client) == []
        for _ in range(100):
            if await searched(client) == [1]:
                return
            await asyncio.sleep(0.05)
        pytest.fail("the write was not searchable 5 s after it, with a refresh_interval of 200 ms")
    finally:
        await client.close()
        timed.stop()


async def test_the_suites_engine_never_refreshes_by_itself(search):
    await search.indices.put_settings(index=INDEX, settings={"refresh_interval": "200ms"})
    await search.index(index=ALIAS, id="1", document={"n": 1})
    await asyncio.sleep(0.5)
    assert await searched(search) == []


async def test_wait_for_on_an_index_that_never_refreshes_is_caught(search, engine):
    before = len(engine.violations)
    await search.indices.put_settings(index=INDEX, settings={"refresh_interval": "1s"})
    await search.index(index=ALIAS, id="1", document={"n": 1}, refresh="wait_for")
    assert await searched(search) == [1] and engine.violations[before:] == []  # a refreshing index answers it
    await search.indices.put_settings(index=INDEX, settings={"refresh_interval": "-1"})
    await search.index(index=ALIAS, id="2", document={"n": 2}, refresh="wait_for")
    caught = engine.violations[before:]
    del engine.violations[before:]  # this test's own, expected
    assert len(caught) == 1 and "refresh_interval is -1" in caught[0]


async def test_the_published_copies_stay_out_of_sight(search):
    await search.index(index=ALIAS, id="1", document={"n": 1}, refresh=True)
    everything = (await search.indices.get(index="*")).body
    assert INDEX in everything and not [name for name in everything if name.startswith(".")]
    assert not [name for name in (await search.indices.get_alias()).body if name.startswith(".")]
    rows = (await search.cat.indices(format="json")).body
    assert INDEX in [row["index"] for row in rows] and not [row for row in rows if row["index"].startswith(".")]
    # A new index under an old name starts with nothing published.
    await search.indices.delete(index=INDEX)
    await search.indices.create(index=INDEX, aliases={ALIAS: {}})
    assert await searched(search) == []


async def test_an_alias_switched_to_an_unrefreshed_index_is_caught(search, engine):
    await search.indices.create(index="refresh_probe_v2", settings={"refresh_interval": "-1"})
    try:
        await search.index(index="refresh_probe_v2", id="1", document={"n": 1})
        before = len(engine.violations)
        await search.indices.update_aliases(actions=[{"add": {"index": "refresh_probe_v2", "alias": ALIAS}}])
        caught = engine.violations[before:]
        del engine.violations[before:]  # this test's own, expected
        assert len(caught) == 1 and "partial index" in caught[0]
        await search.indices.refresh(index="refresh_probe_v2")
        await search.indices.update_aliases(actions=[{"remove": {"index": "refresh_probe_v2", "alias": ALIAS}},
                                                     {"add": {"index": "refresh_probe_v2", "alias": ALIAS}}])
        assert engine.violations[before:] == []
    finally:
        await search.indices.delete(index="refresh_probe_v2")


async def test_apis_whose_writes_it_cannot_follow_are_refused(search):
    with pytest.raises(BadRequestError) as refused:
        await search.delete_by_query(index=ALIAS, query={"match_all": {}})
    assert "does not take _delete_by_query" in refused.value.info["error"]["reason"]
    with pytest.raises(BadRequestError) as refused:
        await search.bulk(operations=[{"index": {"_index": ALIAS, "_id": "1"}}, {"n": 1}], filter_path="errors")
    assert "does not take filter_path" in refused.value.info["error"]["reason"]
    assert (await search.count(index=ALIAS))["count"] == 0 and not await search.exists(index=ALIAS, id="1")


async def test_an_id_with_a_slash_stays_one_document(search):
    await search.index(index=ALIAS, id="a/b", document={"n": 1}, refresh=True)
    assert (await search.get(index=ALIAS, id="a/b"))["_source"] == {"n": 1}
    assert [hit["_id"] for hit in (await search.search(index=ALIAS))["hits"]["hits"]] == ["a/b"]
