"""The `positions` filter (contains) is a term on the positions' parts (search/contains.py), not a wildcard:
it finds exactly what `wanted in position` finds, for any characters, never across two positions of a
card. Checked on the engine against Python, for tricky positions and every text inside them."""

from __future__ import annotations

import pytest

from search.contains import substrings_of
from search.documents import POSITION_PARTS
from search.engine import SearchEngine
from sections.jobs import JOBS
from sections.jobs.search import job_filters
from sections.seekers import SEEKERS
from sections.seekers.search import seeker_filters

INDEX = "contains_probe_v1"
# One card's (or job's) positions each: spaces of every kind, Latin in both cases, digits, punctuation, the
# wildcard's own characters, repeats, a character outside the BMP, decomposed accents, invisible ones, and
# a text that looks like the placeholder of a space.
POSITIONS = [
    ["厨师"], ["厨师长"], ["行政总厨"], ["厨师", "长"], ["厨厨师", "师厨"], ["Chef 厨师"], ["chef"], ["CHEF"],
    ["A  B"], [" 前后空格 "], ["a\tb"], ["全角\u3000空格"], ["不断行\u00a0空格"], ["1号厨师2"], ["厨*师"],
    ["厨?师"], ["厨\\师"], ["*"], ["?"], ["a.b", "c++"], ["厨-师"], ["😀厨"], ["U+0020"], ["é"], ["e\u0301"],
    ["零\u200b宽"], ["服务员", "传菜员", "收银员"], ["面点师"], [""], [],
]
NOT_INSIDE = ["师长", "厨 师", " ", "  ", "U+", "U+3000", "\u3000", "\u00a0", "\u200b", "\t", "ef", "EF", "Chef",
              "é", "e", "\u0301", "厨厨", "厨師", "**", "\\", "x", "😀", "长 ", "员传"]


def needles() -> list[str]:
    inside = {text[i:j] for values in POSITIONS for text in values
              for i in range(len(text)) for j in range(i + 1, len(text) + 1)}
    return sorted(inside | set(NOT_INSIDE))


@pytest.fixture(scope="module")
async def search(engine):
    """The positions and their parts field as the sections' definitions map it, one document each."""
    client = SearchEngine(engine.url, embedded=True).client
    field = JOBS.definition()["mappings"]["properties"][POSITION_PARTS]
    assert SEEKERS.definition()["mappings"]["properties"][POSITION_PARTS] == field
    await client.indices.delete(index=INDEX, ignore_unavailable=True)
    await client.indices.create(index=INDEX, mappings={"dynamic": "strict", "properties": {
        "positions": {"type": "keyword"}, POSITION_PARTS: field}})
    for number, values in enumerate(POSITIONS):
        # As the sections' documents hold them (their listing tests run the filter on their real documents).
        document = {"positions": values, POSITION_PARTS: substrings_of(values)}
        await client.index(index=INDEX, id=str(number), document=document)
    await client.indices.refresh(index=INDEX)
    yield client
    await client.indices.delete(index=INDEX, ignore_unavailable=True)
    await client.close()


async def found(client, clauses: list[dict]) -> set[int]:
    answer = await client.search(index=INDEX, query={"bool": {"filter": clauses}}, size=len(POSITIONS))
    return {int(hit["_id"]) for hit in answer["hits"]["hits"]}


async def test_the_positions_filter_finds_exactly_the_positions_containing_the_text(search):
    wrong = {}
    for needle in needles():
        expected = {number for number, values in enumerate(POSITIONS) if any(needle in text for text in values)}
        for filters in (job_filters, seeker_filters):
            if (got := await found(search, filters({"positions": needle}, "now"))) != expected:
                wrong[needle] = (sorted(got), sorted(expected))
    assert wrong == {}
