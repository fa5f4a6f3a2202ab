"""The hot read of one job (`/jobs/info`): its primary-key SELECT without Tortoise's query builder, whose
building of the SQL cost about three times the query itself (~0.4 ms of CPU a call, measured); and the
rows of recently read jobs, kept a moment for the public detail."""

from __future__ import annotations

from functools import cache

from cachetools import TTLCache
from tortoise import connections

from models.job import Job
from runtime import clock

# Recently read rows, shared read-only by every request of this process. Writes through models.job_writes
# drop a row once their transaction has ended (never before its commit); another process's writes (a
# worker, the moderation CLI) show once it is older than the kept time (JOB_DETAIL_CACHE_SECONDS).
_recent: TTLCache | None = TTLCache(maxsize=10_000, ttl=1.0, timer=clock.monotonic)
# Counts the drops: a row read before a write's commit and stored after its drop would be kept old, so a
# read that saw a drop happen meanwhile is served but not kept.
_drops = 0


@cache
def _by_id_sql(dialect: str) -> str:
    """Built once per database kind by Tortoise itself, so it always matches the model's columns."""
    return Job.filter(id=0).limit(1).sql()  # parameterised: the id and the limit are placeholders


async def job_by_id(job_id: int) -> Job | None:
    connection = connections.get("default")
    rows = await connection.execute_query_dict(_by_id_sql(connection.capabilities.dialect), [job_id, 1])
    # What Tortoise itself does with a fetched row: every field converted to its Python value.
    return Job._init_from_db(**rows[0]) if rows else None


def keep_recent_rows(seconds: float, rows: int = 10_000) -> None:
    """How long (0: never) and how many rows `recent_job` keeps; the app sets it at start."""
    global _recent
    _recent = TTLCache(maxsize=rows, ttl=seconds, timer=clock.monotonic) if seconds > 0 else None


async def recent_job(job_id: int, unless_owned_by: int | None = None) -> Job | None:
    """The job as read at most `keep_recent_rows` seconds ago, for readers who can take that (the public
    detail). A kept row is never served to its owner (`unless_owned_by`), who reads the row as it is.
    Missing jobs are not kept: a new job shows at once."""
    recent = _recent
    if recent is None:
        return await job_by_id(job_id)
    job = recent.get(job_id)
    if job is None or job.user_id == unless_owned_by:
        drops = _drops
        job = await job_by_id(job_id)
        if job is not None and drops == _drops:
            recent[job_id] = job
    return job


def forget_recent(job_id: int | None = None) -> None:
    """Drop a job's kept row (after a write's commit), or every one."""
    global _drops
    _drops += 1
    if _recent is None:
        return
    if job_id is None:
        _recent.clear()
    else:
        _recent.pop(job_id, None)


async def jobs_with_photo(url: str) -> list[Job]:
    """Every job whose photos include `url`: JSON_CONTAINS on MySQL; SQLite (development) has no JSON
    containment in Tortoise, so a text match there, confirmed on the decoded list."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "mysql":
        return await Job.filter(photo_urls__contains=[url])
    rows = await connection.execute_query_dict("SELECT id FROM jobs WHERE instr(photo_urls, ?) > 0", [url])
    return [job for job in await Job.filter(id__in=[row["id"] for row in rows]) if url in (job.photo_urls or [])]
