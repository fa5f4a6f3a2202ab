"""The one way to change a job row: the row, its version, `update_at` and an outbox row, in one transaction.

Nothing else writes `Job` rows, so no writer can forget the index (the outbox) or the version the index
orders writes by.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.job import Job
from models.job_reads import forget_recent
from models.outbox import IndexOutbox


async def create_job(now: datetime, **fields) -> Job:
    async with in_transaction():
        job = await Job.create(create_at=now, update_at=now, version=1, **fields)
        await IndexOutbox.create(job_id=job.id, reason="create", create_at=now)
    return job


async def save_job(job: Job, reason: str, now: datetime, changed: list[str]) -> None:
    """Write `changed` fields of `job` (already set on it), bump version and update_at, queue the reindex.

    Call it inside the transaction that read (and row-locked) the job; it opens its own when there is none.
    """
    job.update_at = now
    job.version = F("version") + 1  # computed by the database: right even without a row lock
    async with in_transaction():
        await job.save(update_fields=[*changed, "update_at", "version"])
        await IndexOutbox.create(job_id=job.id, reason=reason, create_at=now)
    forget_recent(job.id)  # this process's readers see the change at once, not after the kept row ages
    await job.refresh_from_db(fields=["version"])


async def raise_version(job_id: int, at_least: int, now: datetime) -> Job:
    """Move a job's version to `at_least` (never down) and queue it, without touching its content or
    update_at: for a repair, when the index holds a version the database never had. Returns the job as
    it is now (it may have changed meanwhile)."""
    async with in_transaction():
        await Job.filter(id=job_id, version__lt=at_least).update(version=at_least)
        await IndexOutbox.create(job_id=job_id, reason="repair", create_at=now)
        forget_recent(job_id)
        return await Job.get(id=job_id)
