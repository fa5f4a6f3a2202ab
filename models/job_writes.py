"""The one way to change a job row: the row, its version, `update_at` and an outbox row, in one transaction.

Nothing else writes `Job` rows, so no writer can forget the index (the outbox) or the version the index
orders writes by.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.job import Job
from models.job_reads import forget_recent
from models.outbox import IndexOutbox

# The jobs written inside the current job_transaction, whose kept rows go once it has ended.
_written: ContextVar[set[int] | None] = ContextVar("jobs_written", default=None)


@asynccontextmanager
async def job_transaction() -> AsyncIterator[None]:
    """The transaction of a job write, for callers that read and lock the job first (instead of
    `in_transaction`). Kept detail rows of the jobs written in it are dropped once it has ended, never
    before its commit: a reader in between would read the old row and keep it, after the write answered.
    Nested ones are savepoints of the outermost, which alone drops."""
    if _written.get() is not None:
        async with in_transaction():
            yield
        return
    if isinstance(connections.get("default"), TransactionalDBClient):
        # Inside someone else's transaction a drop would come before its commit, and Tortoise has no
        # commit hook: the job write must own the outermost transaction.
        raise RuntimeError("a job write inside a transaction not opened by models.job_writes.job_transaction")
    written: set[int] = set()
    token = _written.set(written)
    try:
        async with in_transaction():
            yield
    finally:
        _written.reset(token)
        for job_id in written:  # committed or rolled back: dropping is right (or harmless) either way
            forget_recent(job_id)


def _drop_after_commit(job_id: int) -> None:
    """Inside a job_transaction: its kept detail row goes once the outermost one has ended."""
    _written.get().add(job_id)


async def create_job(now: datetime, **fields) -> Job:
    async with in_transaction():
        job = await Job.create(create_at=now, update_at=now, version=1, **fields)
        await IndexOutbox.create(job_id=job.id, reason="create", create_at=now)
    return job


async def save_job(job: Job, reason: str, now: datetime, changed: list[str]) -> None:
    """Write `changed` fields of `job` (already set on it), bump version and update_at, queue the reindex.

    Call it inside the job_transaction that read (and row-locked) the job; it opens its own when there is
    none. The job's kept detail row is dropped once the outermost one has ended.
    """
    job.update_at = now
    job.version = F("version") + 1  # computed by the database: right even without a row lock
    async with job_transaction():
        _drop_after_commit(job.id)  # this process's readers see it once committed, not after the kept row ages
        await job.save(update_fields=[*changed, "update_at", "version"])
        await IndexOutbox.create(job_id=job.id, reason=reason, create_at=now)
    await job.refresh_from_db(fields=["version"])


async def raise_version(job_id: int, at_least: int, now: datetime) -> Job:
    """Move a job's version to `at_least` (never down) and queue it, without touching its content or
    update_at: for a repair, when the index holds a version the database never had. Returns the job as
    it is now (it may have changed meanwhile)."""
    async with job_transaction():
        _drop_after_commit(job_id)
        await Job.filter(id=job_id, version__lt=at_least).update(version=at_least)
        await IndexOutbox.create(job_id=job_id, reason="repair", create_at=now)
        return await Job.get(id=job_id)
