from __future__ import annotations

from contextlib import asynccontextmanager, nullcontext
from datetime import datetime

from tortoise import connections, fields
from tortoise.models import Model
from tortoise.transactions import in_transaction


# One row per committed change of a posting, written in the same transaction; the indexer drains it.
class IndexOutbox(Model):
    """A change of a job waiting for the indexer."""

    id = fields.BigIntField(primary_key=True)
    biz_type = fields.SmallIntField()  # the posting's section (models.postings)
    posting_id = fields.BigIntField()
    reason = fields.CharField(max_length=16)
    create_at = fields.DatetimeField()

    class Meta:
        table = "index_outbox"


@asynccontextmanager
async def claimed_rows(limit: int, biz_types: list[int]):
    """Up to `limit` outbox rows of these sections for one drainer, deleted if the block succeeds, kept if
    it fails. (Rows of a section this process does not know, a newer release's, wait for a process that does.)

    On MySQL the rows stay locked (`FOR UPDATE SKIP LOCKED`) until then: a drainer never waits for
    another (it skips rows claimed elsewhere and leaves them to their claimer), and one that dies
    releases its rows with its connection. The candidate ids are read first and locked by primary key,
    which takes no gap lock: job writes keep adding rows meanwhile.
    SQLite (development) has no row locks, and a transaction held across the caller's work would stall
    the process's one connection: there a second drainer may repeat rows, which versioned writes make
    harmless.
    """
    candidates = await (IndexOutbox.filter(biz_type__in=biz_types).order_by("id").limit(limit)
                        .values_list("id", flat=True))
    locking = connections.get("default").capabilities.dialect == "mysql"
    async with in_transaction() if locking else nullcontext():
        query = IndexOutbox.filter(id__in=candidates)
        rows = await (query.select_for_update(skip_locked=True) if locking else query) if candidates else []
        yield rows
        if rows:
            await IndexOutbox.filter(id__in=[row.id for row in rows]).delete()


async def rows_older_than(moment: datetime) -> int:
    """How many changes have waited in the outbox since before `moment` (readiness)."""
    return await IndexOutbox.filter(create_at__lt=moment).count()
