"""Drain `index_outbox` into the engine: bulk upserts and deletes, rows deleted only once acknowledged."""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as redis
from elasticsearch import AsyncElasticsearch

from indexer.documents import job_document
from models.job import Job
from models.outbox import IndexOutbox
from search.index import bulk_write

log = logging.getLogger("indexer.sync")
LOCK_KEY = "indexer:sync"


async def drain(client: AsyncElasticsearch, cache: redis.Redis, batch_size: int = 500) -> int:
    """Index every job with pending outbox rows; returns how many rows were consumed.

    One drainer at a time (a Redis lock), so two processes never write an older state after a newer one.
    """
    consumed = 0
    async with cache.lock(LOCK_KEY, timeout=120, blocking_timeout=30):
        while True:
            rows = await IndexOutbox.all().order_by("id").limit(batch_size)
            if not rows:
                return consumed
            job_ids = sorted({row.job_id for row in rows})
            jobs = await Job.filter(id__in=job_ids)
            gone = set(job_ids) - {job.id for job in jobs}
            await bulk_write(client, [job_document(job) for job in jobs], sorted(gone))
            # Only the rows read: a change committed meanwhile keeps its row for the next round.
            await IndexOutbox.filter(id__in=[row.id for row in rows]).delete()
            consumed += len(rows)


class OutboxDrainer:
    """The app's background drainer: runs right after each committed write (nudge) and every `interval`."""

    def __init__(self, client: AsyncElasticsearch, cache: redis.Redis, interval: float = 5.0):
        self._client = client
        self._cache = cache
        self._interval = interval
        self._wake = asyncio.Event()

    def nudge(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self._interval)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await drain(self._client, self._cache)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the engine may be down: the rows wait for the next round
                log.warning("outbox drain failed, will retry: %s", type(exc).__name__)
                await asyncio.sleep(1.0)
