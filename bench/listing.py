"""Listing latency and throughput per query type, through the app and straight to the engine; and the
indexer's read-and-transform rate into a null sink.

    .venv/bin/python -m bench.listing --jobs 2000 --requests 300 --transform-jobs 100000

Uses a fresh SQLite file and the embedded engine unless --database-url / --es-url are given (the
database is emptied first: never point it at real data).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from tortoise import connections

from indexer.reindex import reindex
from models import db
from models.job import Job
from sections.jobs.samples import random_jobs
from models.user import User
from runtime import clock
from runtime.settings import Settings
from sections.jobs import JOBS, job_document
from search.engine import EmbeddedEngine
from search.listing import ListingRequest, listing_searches
from server.app import create_app

BODIES = {
    "recommended": {"query_type": 1, "filter": {}, "page_size": 10},
    "nearby": {"query_type": 2, "filter": {"longitude": 116.397, "latitude": 39.916, "distance_km": 10},
               "page_size": 10},
    "latest": {"query_type": 3, "filter": {"positions": "厨师", "basic_protection": ["社保"]}, "page_size": 10},
}


async def _fresh_database(url: str) -> None:
    if url.startswith("sqlite://"):  # the bench's own file: a fresh one
        Path(url.removeprefix("sqlite://")).unlink(missing_ok=True)
    await db.connect(url)
    conn = connections.get("default")
    if url.startswith("mysql"):
        await conn.execute_script("SET FOREIGN_KEY_CHECKS=0")
        _, rows = await conn.execute_query("SHOW TABLES")
        for row in rows:
            await conn.execute_script(f"DROP TABLE IF EXISTS `{next(iter(row.values()))}`")
    await db.close()
    await db.apply_migrations(url)


async def _seed(count: int) -> None:
    now = clock.now()
    owner = await User.create(openid="bench-owner", create_at=now, update_at=now)
    for start in range(0, count, 5000):
        await Job.bulk_create(random_jobs(min(5000, count - start), owner.id, seed=start, now=now),
                              batch_size=1000)


async def _timed(call, total: int, concurrency: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue = iter(range(total))

    async def worker():
        for _ in queue:
            started = time.perf_counter()
            await call()
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, total / (time.perf_counter() - started)


def _report(label: str, latencies: list[float], rate: float) -> None:
    q = statistics.quantiles(latencies, n=100)
    print(f"{label:<28} p50 {q[49]:7.2f} ms   p99 {q[98]:7.2f} ms   {rate:8.1f} req/s")


async def bench_listing(args, database_url: str, engine_url: str, embedded: bool) -> None:
    settings = Settings(database_url=database_url, elasticsearch_url=None if embedded else engine_url,
                        redis_url=args.redis_url, background_index_sync=False, wechat_provider="dev",
                        listing_cache_seconds=0,  # every request searches: the app's cost over the engine's
                        rate_limit_reads_per_ip=0, rate_limit_reads_per_user=0)  # one client: the load itself
    app = create_app(settings, embedded_engine_url=engine_url if embedded else None)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        await _seed(args.jobs)
        await reindex(app.ctx.search.client, JOBS)
        print(f"\nlisting over {args.jobs} jobs, {args.requests} requests each, concurrency {args.concurrency}")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for name, body in BODIES.items():
                searches = [line for search in listing_searches(JOBS, ListingRequest.from_body(body))
                            for line in ({"index": "jobs"}, search)]

                async def through_app(body=body):
                    response = await http.post("/jobs/list", json=body)
                    assert response.status_code == 200, response.text

                async def direct(searches=searches):
                    await app.ctx.search.client.msearch(searches=searches)

                await _timed(through_app, 20, 1)  # warm-up
                _report(f"{name} via app", *await _timed(through_app, args.requests, args.concurrency))
                _report(f"{name} engine only", *await _timed(direct, args.requests, args.concurrency))
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def bench_transform(args, database_url: str) -> None:
    await _fresh_database(database_url)
    await db.connect(database_url)
    try:
        started = time.perf_counter()
        await _seed(args.transform_jobs)
        print(f"\nseeded {args.transform_jobs} jobs in {time.perf_counter() - started:.1f} s")
        started, last_id, count = time.perf_counter(), 0, 0
        while True:  # the reindex read loop, with the bulk write replaced by a null sink
            jobs = await Job.filter(id__gt=last_id).order_by("id").limit(1000)
            if not jobs:
                break
            documents = [job_document(job) for job in jobs]
            count += len(documents)
            last_id = jobs[-1].id
        elapsed = time.perf_counter() - started
        print(f"indexer read+transform        {count} jobs in {elapsed:.1f} s = {count / elapsed:,.0f} jobs/s")
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--transform-jobs", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--es-url")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    database_url = args.database_url or f"sqlite://{workdir}/bench.sqlite3"
    engine = None if args.es_url else EmbeddedEngine.start()
    try:
        await _fresh_database(database_url)
        await bench_listing(args, database_url, args.es_url or engine.url, embedded=engine is not None)
        if args.transform_jobs:
            await bench_transform(args, database_url)
    finally:
        if engine:
            engine.stop()


if __name__ == "__main__":
    asyncio.run(main())
