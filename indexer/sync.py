"""Drain `index_outbox` into the engine: bulk upserts and deletes, rows deleted only once acknowledged."""

from __future__ import annotations

import logging
from typing import Protocol

from elasticsearch import AsyncElasticsearch

from models.job import Job
from models.outbox import claimed_rows
from runtime.periodic import PeriodicTask
from search.documents import job_document
from search.index import bulk_write

log = logging.getLogger("indexer.sync")


async def drain_batch(client: AsyncElasticsearch, batch_size: int = 500) -> int:
    """Index the jobs behind one batch of claimed outbox rows; returns how many rows were consumed.

    Lock-free across processes: documents carry the job's version, so the order in which drainers
    reach the engine does not matter, and rows are claimed without waiting for other drainers.
    """
    async with claimed_rows(batch_size) as rows:
        if not rows:
            return 0
        job_ids = sorted({row.job_id for row in rows})
        jobs = await Job.filter(id__in=job_ids)
        gone = set(job_ids) - {job.id for job in jobs}
        # Raising here keeps the rows; only the rows read are deleted, so a change committed
        # meanwhile keeps its row for the next round.
        await bulk_write(client, [(job.version, job_document(job)) for job in jobs], sorted(gone))
    return len(rows)


async def drain(client: AsyncElasticsearch, batch_size: int = 500) -> int:
    """Drain until no unclaimed row is left; returns how many rows this call consumed."""
    consumed = 0
    while batch := await drain_batch(client, batch_size):
        consumed += batch
    return consumed


class Drainer(Protocol):
    def nudge(self) -> None:
        """A job write committed: index it soon."""

    def stop(self) -> None:
        """Finish the round in progress, then leave `run()`."""


class NullDrainer:
    """For a process that leaves syncing to the indexer daemon (BACKGROUND_INDEX_SYNC=false)."""

    def nudge(self) -> None:
        return None

    def stop(self) -> None:
        return None


class OutboxDrainer(PeriodicTask):
    """The app's background drainer: runs right after each committed write (nudge) and every `interval`."""

    log = log
    what = "outbox drain"
    pause_after_failure = 1.0

    def __init__(self, client: AsyncElasticsearch, interval: float = 5.0):
        super().__init__(interval)
        self._client = client

    async def round(self) -> None:
        await drain(self._client)  # the engine may be down: the rows wait for the next round
