"""How the listing's engine cost grows with the board (issue 33): the embedded engine's CPU per query at each
size, for the listing's queries as they were (`bench/listing_before.py`, one `search`) and as they are
(`search.listing.listing_searches`, one `msearch`), on the same index in the same run.

    .venv/bin/python -m bench.growth --sizes 10000,100000,300000

One jobs index grows from the first size to the last (the difference added each time: synthetic postings,
bench/board.py, no database). At each size, each query is sent for `--seconds` (and `--at-least` times
each way), before and after alternating request by request, the order swapped each pair, so drift on a
shared machine and the engine's own lumps fall on both; requests are sequential, straight to the engine (no
app, no page cache). CPU is the engine process's user + system time (psutil) around each request, summed
and divided by the requests: never its wall time. Also the engine's RSS.
`--json` prints the figures as JSON instead of the tables. About 10 min on a quiet 2-core VM, most of it
loading (the engine indexes about 700 postings a second); the run time is printed. The embedded engine is not Elasticsearch: compare
the ratios, not the milliseconds, with a cluster.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import psutil

from bench.board import job_documents, top_ids
from bench.listing_before import listing_dsl_before
from runtime import clock
from search.engine import EmbeddedEngine, SearchEngine
from search.index import create_index, doc_time, serving_settings
from search.index_policy import DEFAULT_POLICY
from search.listing import ListingRequest, listing_searches
from sections.jobs import JOBS

INDEX = f"{JOBS.name}_v1"
# The pages measured: the home page, 3 km around Shanghai's centre (a board's city), the newest, a keyword.
QUERIES = {
    "recommended": {"query_type": 1, "filter": {}},
    "nearby": {"query_type": 2, "filter": {"longitude": 121.47, "latitude": 31.23, "distance_km": 3}},
    "latest": {"query_type": 3, "filter": {}},
    "keyword": {"query_type": 1, "filter": {"keyword": "厨师"}},
}
VERSIONS = ("before", "after")
MIN_CPU_SECONDS = 0.05  # of the engine, per query and version at each size
BULK_CHUNK = 2000
BULKS_IN_FLIGHT = 2


@dataclass
class Cell:
    """One query in one version at one size: engine CPU seconds over how many requests."""

    cpu: float = 0.0
    requests: int = 0

    def ms(self) -> float:
        return self.cpu * 1000 / self.requests


@dataclass
class Size:
    postings: int
    rss_mb: float
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def ms(self, query: str, version: str) -> float:
        return self.cells[query, version].ms()


def engine_cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def load(client, first_id: int, count: int, now, tops: frozenset[int]) -> None:
    """Postings `first_id` .. in bulk requests, two in flight (the engine indexes one while the next is built)."""
    in_flight: set[asyncio.Task] = set()

    async def settle(tasks) -> None:
        for answer in await asyncio.gather(*tasks):
            assert not answer["errors"], next(item for item in answer["items"] if "error" in item["index"])

    for start in range(first_id, first_id + count, BULK_CHUNK):
        documents = job_documents(start, min(BULK_CHUNK, first_id + count - start), now, tops)
        operations = [line for document in documents
                      for line in ({"index": {"_index": INDEX, "_id": str(document["id"])}}, document)]
        if len(in_flight) >= BULKS_IN_FLIGHT:
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            await settle(done)
        in_flight.add(asyncio.create_task(client.bulk(operations=operations)))
    await settle(in_flight)


def sender(client, version: str, req: ListingRequest, now_iso: str) -> Callable[[], Awaitable[int]]:
    """One page's request: before as one `search` of the frozen body, after as one `msearch` of today's; it
    answers how many hits came back."""
    if version == "before":
        dsl = listing_dsl_before(JOBS, req, now_iso)

        async def send() -> int:
            return len((await client.search(index=JOBS.name, **dsl))["hits"]["hits"])
    else:
        searches = [line for body in listing_searches(JOBS, req, now_iso) for line in ({}, body)]

        async def send() -> int:
            answer = await client.msearch(index=JOBS.name, searches=searches)
            errors = [response["error"] for response in answer["responses"] if "error" in response]
            assert not errors, errors
            return sum(len(response["hits"]["hits"]) for response in answer["responses"])

    return send


async def measure(client, engine: psutil.Process, postings: int, args) -> Size:
    size = Size(postings, engine.memory_info().rss / 2**20)
    now_iso = doc_time(clock.now())
    calls = {(name, version): sender(client, version, ListingRequest.from_body({**body, "page_size": 10}), now_iso)
             for name, body in QUERIES.items() for version in VERSIONS}
    for name in QUERIES:  # warm-up: caches and first-use costs off the books
        for _ in range(args.warmup):
            hits = {version: await calls[name, version]() for version in VERSIONS}
            # A new query answering less than a page's worth would look cheap for the wrong reason.
            assert hits["after"] >= hits["before"] > 0, f"{name}: {hits}"
    for name in QUERIES:
        cells = {version: Cell() for version in VERSIONS}
        started, pairs = time.monotonic(), 0
        # Before and after alternate request by request (the order swapped each pair): the engine's lumps
        # (a garbage collection of a large heap lasts several requests) fall on both alike.
        # And until each side's CPU is a few of the engine clock's ticks (10 ms): on a tiny board a short run
        # can read 0 for a cell, which says nothing. Never longer than a minute.
        while (pairs < args.at_least or time.monotonic() - started < args.seconds
               or min(cell.cpu for cell in cells.values()) < MIN_CPU_SECONDS) and time.monotonic() - started < 60:
            for version in VERSIONS if pairs % 2 == 0 else VERSIONS[::-1]:
                cpu = engine_cpu(engine)
                await calls[name, version]()
                cells[version].cpu += engine_cpu(engine) - cpu
                cells[version].requests += 1
            pairs += 1
        for version, cell in cells.items():
            size.cells[name, version] = cell
    return size


def room_for(engine: psutil.Process, loaded: int, postings: int) -> bool:
    """Whether the engine, holding `loaded` postings, can grow to `postings` with 2 GB of the machine to
    spare (the embedded engine keeps everything in memory: about 50 KB a posting)."""
    per_posting = engine.memory_info().rss / loaded if loaded else 60_000
    return (postings - loaded) * per_posting * 1.2 < psutil.virtual_memory().available - 2 * 2**30


async def run(args) -> list[Size]:
    engine = EmbeddedEngine.start()
    search = SearchEngine(engine.url, embedded=True, request_timeout=120)
    client = search.client
    process = psutil.Process(engine.process.pid)
    sizes: list[Size] = []
    try:
        await create_index(client, JOBS, INDEX, bulk_loading=True, alias=True)
        now, loaded = clock.now(), 0
        tops = top_ids(args.sizes[0])
        for postings in args.sizes:
            if not room_for(process, loaded, postings):
                print(f"not growing to {postings:,}: the engine would not fit in this machine's free memory",
                      file=sys.stderr)
                break
            started = time.monotonic()
            await client.indices.put_settings(index=INDEX, settings={"refresh_interval": "-1"})
            await load(client, loaded + 1, postings - loaded, now, tops)
            await client.indices.put_settings(index=INDEX, settings=serving_settings(JOBS, DEFAULT_POLICY))
            await client.indices.refresh(index=INDEX)
            counted = (await client.count(index=INDEX))["count"]
            assert counted == postings, f"{counted} documents indexed, {postings} loaded"
            loaded, load_seconds = postings, time.monotonic() - started
            sizes.append(await measure(client, process, postings, args))
            print(f"{postings:,} postings: loaded in {load_seconds:.0f} s, measured in "
                  f"{time.monotonic() - started - load_seconds:.0f} s", file=sys.stderr, flush=True)
    finally:
        await search.close()
        engine.stop()
    return sizes


def _growth(sizes: list[Size], query: str, version: str) -> float:
    return sizes[-1].ms(query, version) / sizes[0].ms(query, version)


def _slope(sizes: list[Size], query: str, version: str) -> float:
    """ms more per query for each 100,000 postings more, from the first size to the last."""
    return (sizes[-1].ms(query, version) - sizes[0].ms(query, version)) / (sizes[-1].postings - sizes[0].postings) * 1e5


def report(sizes: list[Size]) -> str:
    head = " | ".join(f"{name} {version}" for name in QUERIES for version in VERSIONS)
    lines = [f"| postings | engine RSS MB | {head} | recommended after / latest after |",
             "| --- " * (len(QUERIES) * 2 + 3) + "|"]
    for size in sizes:
        cells = " | ".join(f"{size.ms(name, version):.2f}" for name in QUERIES for version in VERSIONS)
        ratio = size.ms("recommended", "after") / size.ms("latest", "after")
        lines.append(f"| {size.postings:,} | {size.rss_mb:,.0f} | {cells} | {ratio:.2f} |")
    lines.append("")
    if len(sizes) > 1:
        first, last = f"{sizes[0].postings:,}", f"{sizes[-1].postings:,}"
        lines += [f"| {first} → {last} | growth before | growth after | ms more per 100k before | after |"
                  f" after / before at {last} |", "| --- | --- | --- | --- | --- | --- |"]
        for name in QUERIES:
            lines.append(f"| {name} | ×{_growth(sizes, name, 'before'):.1f} | ×{_growth(sizes, name, 'after'):.1f} | "
                         f"{_slope(sizes, name, 'before'):.2f} | {_slope(sizes, name, 'after'):.2f} | "
                         f"{sizes[-1].ms(name, 'after') / sizes[-1].ms(name, 'before'):.2f} |")
        lines.append("")
        slower = _slope(sizes, "recommended", "after") <= _slope(sizes, "recommended", "before") / 2
        cheap = all(size.ms("recommended", "after") <= 1.2 * size.ms("latest", "after") for size in sizes)
        third = sizes[-1].ms("recommended", "after") <= sizes[-1].ms("recommended", "before") / 3
        lines.append(f"Issue 33's goals for the recommended page: grows at most half as fast as before: "
                     f"{'met' if slower else 'NOT met'}; ≤ 1.2 × a latest page at every size: "
                     f"{'met' if cheap else 'NOT met'}; ≤ 1/3 of before at {last}: {'met' if third else 'NOT met'}.")
    return "\n".join(lines)


def as_json(sizes: list[Size]) -> str:
    return json.dumps([{"postings": size.postings, "engine_rss_mb": round(size.rss_mb, 1),
                        "engine_cpu_ms": {f"{name} {version}": round(cell.ms(), 3)
                                          for (name, version), cell in size.cells.items()},
                        "requests": {f"{name} {version}": cell.requests for (name, version), cell in size.cells.items()}}
                       for size in sizes], indent=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda text: sorted(int(n) for n in text.split(",")),
                        default=[10_000, 100_000, 300_000], help="board sizes, comma-separated (grown in order)")
    parser.add_argument("--seconds", type=float, default=12, help="time per query and size (default 12)")
    parser.add_argument("--at-least", type=int, default=10, help="requests each way per query and size, "
                        "however long they take (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured requests of each call per size")
    parser.add_argument("--json", action="store_true", help="the figures as JSON instead of the tables")
    args = parser.parse_args()
    started = time.monotonic()
    sizes = asyncio.run(run(args))
    if args.json:
        print(as_json(sizes))
        return
    print(f"\nEngine CPU ms per query (sequential requests, before and after alternating, {args.seconds:g} s "
          f"and at least {args.at_least} each way per query and size)\n")
    print(report(sizes))
    print(f"\nrun time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
