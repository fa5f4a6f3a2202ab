"""Drain `index_outbox` into the engine: bulk upserts and deletes per section, rows deleted only once acknowledged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import groupby
from typing import Protocol

from elasticsearch import ApiError, AsyncElasticsearch

from models.outbox import claimed_rows
from runtime.periodic import PeriodicTask
from sections import all_sections, by_biz_type
from search.engine import CREDENTIALS_REFUSED, refused_credentials
from search.index import bulk_write

log = logging.getLogger("indexer.sync")


async def drain_batch(client: AsyncElasticsearch, batch_size: int = 500) -> int:
    """Index the postings behind one batch of claimed outbox rows; returns how many rows were consumed.

    Lock-free across processes: documents carry the posting's version, so the order in which drainers
    reach the engine does not matter, and rows are claimed without waiting for other drainers.
    """
    async with claimed_rows(batch_size, [section.biz_type for section in all_sections()]) as rows:
        if not rows:
            return 0
        for biz_type, section_rows in groupby(sorted(rows, key=lambda row: row.biz_type), lambda row: row.biz_type):
            section = by_biz_type(biz_type)
            ids = sorted({row.posting_id for row in section_rows})
            postings = await section.model.filter(id__in=ids)
            gone = set(ids) - {posting.id for posting in postings}
            # Raising here keeps the rows; only the rows read are deleted, so a change committed
            # meanwhile keeps its row for the next round.
            await bulk_write(client, section, [(p.version, section.document(p)) for p in postings], sorted(gone))
    return len(rows)


async def drain(client: AsyncElasticsearch, batch_size: int = 500) -> int:
    """Drain until no unclaimed row is left; returns how many rows this call consumed."""
    consumed = 0
    while batch := await drain_batch(client, batch_size):
        consumed += batch
    return consumed


class Drainer(Protocol):
    def nudge(self) -> None:
        """A posting write committed: index it soon."""

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

    def __init__(self, client: AsyncElasticsearch, interval: float = 5.0,
                 on_failure: Callable[[], None] = lambda: None):
        super().__init__(interval)
        self._client = client
        self._on_failure = on_failure  # the index may be lost or broken: its healer looks at once

    async def first_round(self) -> None:
        """One round now, before the process serves, made searchable at once (not at the engine's next
        refresh: a start that says ready serves what the crash left); a failure is logged and left to the next
        rounds (the engine's client times out, so a start never hangs on it)."""
        try:
            await self.round()
            await self._client.indices.refresh(index=[section.name for section in all_sections()],
                                               ignore_unavailable=True)
        except Exception as exc:
            log.warning("outbox not drained at start-up, will retry: %s", type(exc).__name__)

    async def round(self) -> None:
        try:
            await drain(self._client)  # the engine may be down: the rows wait for the next round
        except Exception as exc:
            self._on_failure()
            if isinstance(exc, ApiError) and (status := refused_credentials(exc)):
                log.error("outbox drain: " + CREDENTIALS_REFUSED.format(status=status) + "; the rows wait")
            raise
