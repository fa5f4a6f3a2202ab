"""What one listing search costs the embedded engine, taken apart: the recommended page's bodies (before and
after issue 33) next to variants that drop one thing at a time (the sort's tie-break, the sort, the count) or
add a window on `rank_time`, and a bare `match_all` of 10, on one board.

    .venv/bin/python -m bench.engine_probe --postings 30000

Same board, loading and CPU reading as bench/growth.py (engine CPU per request, blocks alternating).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import psutil

from bench.board import top_ids
from bench.growth import INDEX, Cell, engine_cpu, load
from bench.listing_before import listing_dsl_before
from runtime import clock
from search.engine import EmbeddedEngine, SearchEngine
from search.index import create_index, doc_time, serving_settings
from search.index_policy import DEFAULT_POLICY
from search.listing import ListingRequest, listing_searches
from sections.jobs import JOBS


async def block(send: Callable[[], Awaitable[object]], engine: psutil.Process, seconds: float,
                at_least: int) -> Cell:
    """Sequential requests for `seconds` (and at least `at_least`): the engine CPU they cost."""
    started, cpu, count = time.monotonic(), engine_cpu(engine), 0
    while count < at_least or time.monotonic() - started < seconds:
        await send()
        count += 1
    return Cell(engine_cpu(engine) - cpu, count)


def variants(now_iso: str, week_ago: str) -> dict[str, dict]:
    recommended, latest = (ListingRequest.from_body({"query_type": kind}) for kind in (1, 3))
    tops, rest = listing_searches(JOBS, recommended, now_iso)
    unsorted = {name: value for name, value in rest.items() if name != "sort"}
    windowed = copy.deepcopy(rest)
    windowed["query"]["bool"]["filter"].append({"range": {"rank_time": {"gte": week_ago}}})
    return {
        "recommended before (one scored body)": listing_dsl_before(JOBS, recommended, now_iso),
        "recommended after: tops body": tops,
        "recommended after: rest body": rest,
        "rest, track_total_hits false": {**rest, "track_total_hits": False},
        "rest, sorted by rank_time only": {**rest, "sort": [{"rank_time": {"order": "desc"}}]},
        "rest, unsorted": unsorted,
        "rest, last 7 days of rank_time only": windowed,
        "latest": listing_searches(JOBS, latest, now_iso)[0],
        "match_all, 10, no count": {"query": {"match_all": {}}, "size": 10, "track_total_hits": False},
    }


async def run(args) -> dict[str, Cell]:
    engine = EmbeddedEngine.start()
    search = SearchEngine(engine.url, embedded=True, request_timeout=300)
    client, process = search.client, psutil.Process(engine.process.pid)
    try:
        await create_index(client, JOBS, INDEX, bulk_loading=True, alias=True)
        await load(client, 1, args.postings, clock.now(), top_ids(args.postings))
        await client.indices.put_settings(index=INDEX, settings=serving_settings(JOBS, DEFAULT_POLICY))
        await client.indices.refresh(index=INDEX)
        now = clock.now()
        bodies = variants(doc_time(now), doc_time(now - timedelta(days=7)))
        sends = {name: (lambda body=body: client.search(index=JOBS.name, **body)) for name, body in bodies.items()}
        for send in sends.values():
            await send()
        cells = {name: Cell() for name in bodies}
        for round_number in range(args.rounds):
            for name in (list(sends) if round_number % 2 == 0 else list(sends)[::-1]):
                spent = await block(sends[name], process, args.seconds, 3)
                cells[name].cpu += spent.cpu
                cells[name].requests += spent.requests
        return cells
    finally:
        await search.close()
        engine.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=30_000)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cells = asyncio.run(run(args))
    print(f"| {args.postings:,} postings, embedded engine | engine CPU ms / search |\n| --- | --- |")
    for name, cell in cells.items():
        print(f"| {name} | {cell.ms():.1f} |")


if __name__ == "__main__":
    main()
