"""A worker's saved jobs."""

from __future__ import annotations

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt
from tortoise.exceptions import IntegrityError

from models.db import is_deadlock
from models.job import STATUS_OPEN, Favorite, Job
from runtime import clock
from server.services import job_shapes
from server.services.errors import JobClosed, JobNotFound


async def _require_job(job_id: int) -> Job:
    job = await Job.get_or_none(id=job_id)
    if job is None:
        raise JobNotFound()
    return job


async def collect(user_id: int, job_id: int) -> None:
    """Save an open job; saving it again changes nothing."""
    job = await _require_job(job_id)
    if job.status != STATUS_OPEN:
        raise JobClosed("this job is closed: it cannot be collected", {"job_id": job_id, "status": job.status})
    # Concurrent inserts of one pair wait on its unique key; MySQL may end that with a deadlock, after
    # which the insert is simply tried again (collecting is idempotent).
    async for attempt in AsyncRetrying(retry=retry_if_exception(is_deadlock), stop=stop_after_attempt(5),
                                       reraise=True):
        with attempt:
            if await Favorite.exists(user_id=user_id, job_id=job_id):
                return
            try:
                await Favorite.create(user_id=user_id, job_id=job_id, create_at=clock.now())
            except IntegrityError:  # a concurrent collect of the same job won
                return


async def cancel(user_id: int, job_id: int) -> None:
    await _require_job(job_id)
    await Favorite.filter(user_id=user_id, job_id=job_id).delete()


async def my_favorites(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    query = Favorite.filter(user_id=user_id, job__biz_type=biz_type)
    favs = await query.order_by("-create_at", "-id").offset(offset).limit(limit).prefetch_related("job")
    now = clock.now()
    return {"list": [job_shapes.favorite(fav, now) for fav in favs], "total": await query.count()}
