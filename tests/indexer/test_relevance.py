"""The judged relevance set (indexer/relevance/): its figures, its judgments, and the floor the suite keeps."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from math import log2
from pathlib import Path

import pytest

from indexer.relevance import corpus, dataset
from indexer.relevance.generate import build
from indexer.relevance.judge import judgments
from indexer.relevance.metrics import dcg, ndcg_at, precision_at, recall
from search.engine import SearchEngine
from search.index import bulk_write, create_index, next_index_name
from sections.jobs import JOBS
from sections import all_sections

FLOORS = json.loads((Path(__file__).parent / "relevance_floors.json").read_text(encoding="utf-8"))
CATEGORIES = {"typical", "unspaced", "synonym", "typo", "pinyin", "number", "place", "combo"}

# Judged: postings 1 and 3 exact (2), 2 partial (1). The engine found 2, then 9 (not relevant), then 1.
JUDGED = {1: 2, 2: 1, 3: 2}
RANKED = [2, 9, 1]


def test_recall_counts_every_relevant_posting_anywhere_in_the_list():
    assert recall(RANKED, JUDGED) == pytest.approx(2 / 3)
    assert recall([9, 8], JUDGED) == 0
    assert recall([*range(100, 200), 3, 1, 2], JUDGED) == 1  # found late is still found


def test_precision_at_10_is_out_of_the_relevant_postings_a_page_could_hold():
    assert precision_at(RANKED, JUDGED) == pytest.approx(2 / 3)  # 2 found of min(10, 3)
    many = {key: 1 for key in range(1, 31)}
    assert precision_at([*range(1, 6), *range(100, 105)], many) == pytest.approx(0.5)
    assert precision_at([*range(100, 110), 1], many) == 0  # the 11th is not on the first page


def test_ndcg_discounts_by_the_log_of_the_rank_and_gains_by_the_grade():
    # DCG: (2^1 − 1)/log2(2) + 0 + (2^2 − 1)/log2(4) = 2.5; ideal 2, 2, 1: 3 + 3/log2(3) + 1/2.
    assert dcg([1, 0, 2]) == pytest.approx(2.5)
    assert ndcg_at(RANKED, JUDGED) == pytest.approx(2.5 / (3.5 + 3 / log2(3)))
    assert ndcg_at([1, 3, 2], JUDGED) == pytest.approx(1)
    assert ndcg_at([3, 1, 2, 7], JUDGED) == pytest.approx(1)  # ties in the ideal order: any of them
    # Only the first 10 count: the best posting at rank 11 scores nothing.
    assert ndcg_at([*range(100, 110), 1], {1: 2}) == 0


@pytest.mark.parametrize("section", ["jobs", "seekers", "shops"])
def test_every_section_has_60_judged_queries_of_every_kind_each_with_something_to_find(section):
    judged = dataset.queries(section)
    assert len(judged) >= 60
    assert CATEGORIES <= {query.category for query in judged}
    assert [query.query for query in judged if not query.relevant] == []
    assert len({query.query for query in judged}) == len(judged)


@pytest.mark.parametrize("section", ["jobs", "seekers", "shops"])
def test_the_stored_corpus_is_the_seeded_generators(section):
    """Regenerating (python -m indexer.relevance.generate) gives the same corpus, so judgments stay true."""
    postings, _ = build(section)
    _, stored = dataset.corpus(section)
    assert json.loads(json.dumps(postings, default=str)) == json.loads(json.dumps(stored, default=str))


def _corpus(section: str) -> dict[int, dict]:
    return {posting["fields"]["id"]: posting["fields"] for posting in dataset.corpus(section)[1]}


def _judged(section: str, intent: dict) -> dict[int, int]:
    return {int(key): grade for key, grade in judgments(section, intent, dataset.corpus(section)[1]).items()}


def test_judgments_follow_the_truth_not_the_words_in_the_text():
    jobs, shops = _corpus("jobs"), _corpus("shops")

    def says_daily(job: dict) -> bool:  # 日结 as a tag or in the text, not inside 每日结束 / 每日结账
        return "日结" in job["salary_benefits"] or "日结" in job["description"].replace("每日结", "")

    daily = _judged("jobs", {"daily_pay": True})
    assert daily and all(says_daily(jobs[key]) for key in daily)
    assert any("每日结" in job["description"] for key, job in jobs.items() if key not in daily)
    housed = _judged("jobs", {"housing": True})
    assert housed and not any("包吃不包住" in jobs[key]["description"] for key in housed)
    fire = _judged("shops", {"facilities": ["明火"]})
    assert fire and all("明火" in shops[key]["facilities"] for key in fire)
    assert not any("不可明火" in shops[key]["description"] for key in fire)
    beijing = _judged("jobs", {"city": "北京市"})
    assert beijing and not any("北京路" in jobs[key]["address"] for key in beijing)
    assert any("北京路" in job["address"] for job in jobs.values())
    # A 厨师长 job is partly what a search for 厨师 wants; a 大厨 job is exactly that.
    cooks = _judged("jobs", {"family": ["厨师"]})
    assert {jobs[key]["positions"] for key, grade in cooks.items() if grade == 1} == {"厨师长", "行政总厨"}
    assert "大厨" in {jobs[key]["positions"] for key, grade in cooks.items() if grade == 2}
    # 50平: 40 to 60 m²; 10年经验: ten years or more.
    assert set(_judged("shops", {"area_near": 50})) == {key for key, shop in shops.items() if 400 <= shop["area_tenths"] <= 600}
    seekers = _corpus("seekers")
    assert min(seekers[key]["experience_years"] for key in _judged("seekers", {"experience_min": 10})) == 10


def test_the_corpus_spans_four_cities_and_their_districts():
    for section in corpus.GENERATORS:
        places = {(p["truth"]["city"], p["truth"]["district"]) for p in dataset.corpus(section)[1]}
        assert len({city for city, _ in places}) >= 4 and len(places) >= 12


async def _indices(client) -> dict[str, tuple[int, list[str]]]:
    """Every index an operator sees: its documents and aliases."""
    found = (await client.indices.get_alias(index="*", expand_wildcards="open")).body
    return {name: ((await client.count(index=name))["count"], sorted(entry["aliases"]))
            for name, entry in found.items() if not name.startswith(".")}


async def test_the_search_box_stays_at_or_above_its_floors(engine):
    """`python -m indexer relevance --json` on the test engine: each section at or above its floors
    (relevance_floors.json), and the engine's indices as they were (a production alias untouched, the
    scratch indices gone)."""
    search = SearchEngine(engine.url, embedded=True, request_timeout=60)
    decoy = None
    try:
        if not await search.client.indices.exists_alias(name=JOBS.name):  # a production alias to leave alone
            decoy = await next_index_name(search.client, JOBS)
            await create_index(search.client, JOBS, decoy, alias=True)
            posting = dataset.corpus("jobs")[1][0]["fields"]
            await bulk_write(search.client, JOBS, [(1, JOBS.document(JOBS.model(**posting)))], [], refresh=True)
        before = await _indices(search.client)
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "server.cli", "index", "--plain-json", "relevance", "--json"],
            env={**os.environ, "ELASTICSEARCH_URL": engine.url}, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert await _indices(search.client) == before
        for name, result in json.loads(done.stdout).items():
            figures, floor = result["summary"], FLOORS[name]
            below = {figure: (figures[figure], floor[figure]) for figure in ("recall", "p10", "ndcg10")
                     if figures[figure] < floor[figure]}
            if figures["zero_result_rate"] > floor["zero_result_rate_max"]:
                below["zero_result_rate"] = (figures["zero_result_rate"], floor["zero_result_rate_max"])
            assert below == {}, f"{name}: (figure, floor) {below}"
        assert set(json.loads(done.stdout)) == {section.name for section in all_sections()}
    finally:
        if decoy:
            await search.client.indices.delete(index=decoy)
        await search.close()
