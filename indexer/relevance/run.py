"""Run the judged set on an engine: index a section's corpus into an index of its own, ask every query through
the app's listing path, score the result lists (metrics.py). Definitions: indexer/relevance/__init__.py."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from statistics import fmean

from elasticsearch import AsyncElasticsearch

from indexer.relevance import dataset
from indexer.relevance.metrics import ndcg_at, precision_at, recall
from sections import Section
from search.index import bulk_write, create_index, section_indices
from search.listing import RECOMMENDED, ListingRequest, search_listing

DEPTH = 500  # results read per query: more than any section's corpus holds, so recall sees the whole list
PAGE_SIZE = DEPTH  # one request a query: the listing allows pages this deep (RESULT_WINDOW)
PREFIX = "relevance_"


@dataclass
class QueryScore:
    query: str
    category: str
    relevant: int  # judged relevant postings
    results: int  # what the engine found (its total)
    found: int  # relevant postings in the result list
    recall: float
    p10: float
    ndcg10: float
    seconds: float  # the engine's answer, all pages


FIGURES = ("recall", "p10", "ndcg10")


def summary(scores: list[QueryScore]) -> dict:
    """Means over the queries, the zero-result rate, and the mean seconds a query took."""
    return {"queries": len(scores), **{name: round(fmean(getattr(s, name) for s in scores), 4) for name in FIGURES},
            "zero_result_rate": round(sum(s.results == 0 for s in scores) / len(scores), 4),
            "seconds": round(fmean(s.seconds for s in scores), 4)}


@dataclass
class SectionScore:
    section: str
    scores: list[QueryScore]

    def summary(self) -> dict:
        return summary(self.scores)

    def categories(self) -> dict[str, dict]:
        grouped: dict[str, list[QueryScore]] = defaultdict(list)
        for score in self.scores:
            grouped[score.category].append(score)
        return {category: summary(scores) for category, scores in sorted(grouped.items())}

    def worst(self) -> list[QueryScore]:
        """Worst first: lowest nDCG@10, then lowest recall."""
        return sorted(self.scores, key=lambda s: (s.ndcg10, s.recall, s.p10))

    def as_json(self, verbose: bool = False) -> dict:
        data = {"summary": self.summary(), "categories": self.categories()}
        if verbose:
            data["queries"] = [asdict(score) for score in self.worst()]
        return data


def scratch_section(section: Section) -> Section:
    """The section under another alias (relevance_<name>): its documents, mapping and filters, none of its data."""
    return replace(section, name=PREFIX + section.name)


async def drop(client: AsyncElasticsearch, section: Section) -> None:
    for index in await section_indices(client, section):
        await client.indices.delete(index=index)


async def load(client: AsyncElasticsearch, section: Section, postings: list[dict]) -> None:
    """A fresh index behind the scratch alias holding the corpus, refreshed."""
    await drop(client, section)
    await create_index(client, section, f"{section.name}_v1", alias=True)
    documents = [(1, section.document(section.model(**posting["fields"]))) for posting in postings]
    await bulk_write(client, section, documents, [], refresh=True)  # published before the first query


async def ranked_ids(client: AsyncElasticsearch, section: Section, keyword: str, now) -> tuple[list[int], int]:
    """The result list's ids in order (up to DEPTH) and the engine's total."""
    ids: list[int] = []
    total = 0
    for page in range(1, DEPTH // PAGE_SIZE + 1):
        request = ListingRequest.from_body({"query_type": RECOMMENDED, "filter": {"keyword": keyword},
                                            "page_num": page, "page_size": PAGE_SIZE})
        found = await search_listing(client, section, request, now)
        items, total = found.items, found.total
        ids += [item["id"] for item in items]
        if len(items) < PAGE_SIZE or len(ids) >= total:
            break
    return ids, total


async def measure(client: AsyncElasticsearch, section: Section) -> SectionScore:
    """The section's judged set on this engine; its scratch index is gone afterwards."""
    now, postings = dataset.corpus(section.name)
    judged = dataset.queries(section.name)
    scratch = scratch_section(section)
    try:
        await load(client, scratch, postings)
        scores = []
        for query in judged:
            if not query.relevant:
                continue  # nothing to find: no figure means anything (the generator says which)
            started = time.perf_counter()
            ids, total = await ranked_ids(client, scratch, query.query, now)
            seconds = time.perf_counter() - started
            found = sum(1 for key in ids if query.relevant.get(key, 0) > 0)
            scores.append(QueryScore(query.query, query.category, len(query.relevant), total, found,
                                     recall(ids, query.relevant), precision_at(ids, query.relevant),
                                     ndcg_at(ids, query.relevant), round(seconds, 4)))
    finally:
        await drop(client, scratch)
    return SectionScore(section.name, scores)


def _row(label: str, figures: dict) -> str:
    return (f"{label:<12} {figures['queries']:>7} {figures['recall']:>7.3f} {figures['p10']:>7.3f} "
            f"{figures['ndcg10']:>8.3f} {figures['zero_result_rate']:>11.3f} {figures['seconds'] * 1000:>7.1f}")


HEADER = f"{'':<12} {'queries':>7} {'recall':>7} {'P@10':>7} {'nDCG@10':>8} {'zero-result':>11} {'ms/q':>7}"


def report(results: list[SectionScore], verbose: bool = False) -> str:
    lines = [HEADER]
    lines += [_row(result.section, result.summary()) for result in results]
    for result in results:
        lines += ["", f"{result.section} by category", HEADER]
        lines += [_row(category, figures) for category, figures in result.categories().items()]
        if verbose:
            lines += ["", f"{result.section} queries, worst first",
                      f"{'nDCG@10':>7} {'P@10':>6} {'recall':>6} {'found':>9} {'results':>7}  category  query"]
            lines += [f"{s.ndcg10:>7.3f} {s.p10:>6.3f} {s.recall:>6.3f} {s.found:>4}/{s.relevant:<4} {s.results:>7}  "
                      f"{s.category:<8}  {s.query}" for s in result.worst()]
    return "\n".join(lines)
