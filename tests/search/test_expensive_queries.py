"""The test engine refuses expensive queries as a cluster with `search.allow_expensive_queries: false` does
(tests/fakes/expensive_queries.py), so every test shows that the app sends none: a listing that used one
would answer 500 here as it would on such a cluster."""

from __future__ import annotations

import pytest
from elasticsearch import BadRequestError

from search.engine import SearchEngine

INDEX = "expensive_probe_v1"
REASON = "[{}] queries cannot be executed when 'search.allow_expensive_queries' is set to false."
EXPENSIVE = [
    ("wildcard", {"wildcard": {"name": {"value": "*厨*"}}}),
    ("regexp", {"regexp": {"name": ".*厨.*"}}),
    ("prefix", {"prefix": {"name": "厨"}}),
    ("fuzzy", {"fuzzy": {"name": "厨师"}}),
    ("query_string", {"query_string": {"query": "name:厨*"}}),
    ("script", {"script": {"script": "doc['n'].value > 1"}}),
]


@pytest.fixture
async def search(engine):
    client = SearchEngine(engine.url, embedded=True).client
    await client.indices.delete(index=INDEX, ignore_unavailable=True)
    await client.indices.create(index=INDEX, mappings={"properties": {"name": {"type": "keyword"}, "n": {"type": "integer"}}})
    await client.index(index=INDEX, id="1", document={"name": "厨师", "n": 2}, refresh=True)
    yield client
    await client.indices.delete(index=INDEX, ignore_unavailable=True)
    await client.close()


@pytest.mark.parametrize(("kind", "clause"), EXPENSIVE, ids=[kind for kind, _ in EXPENSIVE])
async def test_an_expensive_clause_anywhere_in_a_search_or_count_is_refused_as_elasticsearch_does(search, kind, clause):
    nested = {"bool": {"filter": [{"term": {"n": 2}}, {"bool": {"should": [clause]}}]}}
    for call in (search.search, search.count):
        with pytest.raises(BadRequestError) as refused:
            await call(index=INDEX, query=nested)
        assert refused.value.meta.status == 400 and refused.value.error == "search_phase_execution_exception"
        assert refused.value.body["error"]["root_cause"][0]["reason"] == REASON.format(kind)
    with pytest.raises(BadRequestError):
        await search.search(index=INDEX, post_filter=clause)
    with pytest.raises(BadRequestError):
        await search.search(index=INDEX, size=0, aggs={"some": {"filter": clause}})


async def test_a_multi_search_answers_the_expensive_search_with_its_error(search):
    answer = await search.msearch(searches=[{"index": INDEX}, {"query": EXPENSIVE[0][1]}])
    [item] = answer["responses"]
    assert item["status"] == 400 and item["error"]["root_cause"][0]["reason"] == REASON.format("wildcard")


async def test_cheap_queries_and_a_terms_aggregation_are_answered(search):
    phrase = {"bool": {"filter": [{"match_phrase": {"name": "厨师"}}, {"range": {"n": {"gte": 1}}}]}}
    assert (await search.search(index=INDEX, query=phrase))["hits"]["total"]["value"] == 1
    assert (await search.count(index=INDEX, query={"term": {"name": "厨师"}}))["count"] == 1
    names = await search.search(index=INDEX, size=0, aggs={"names": {"terms": {"field": "name"}}})
    assert [bucket["key"] for bucket in names["aggregations"]["names"]["buckets"]] == ["厨师"]
