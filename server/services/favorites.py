"""A worker's saved jobs."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.job import Favorite, Job
from server import clock
from server.errors import not_found
from server.services import job_shapes


async def _require_job(job_id: int) -> None:
    if not await Job.exists(id=job_id):
        raise not_found("job not found")


async def collect(user_id: int, job_id: int) -> None:
    """Save a job; saving it again changes nothing."""
    await _require_job(job_id)
    if await Favorite.exists(user_id=user_id, job_id=job_id):
        return
    try:
        await Favorite.create(user_id=user_id, job_id=job_id, create_at=clock.now())
    except IntegrityError:  # a concurrent collect of the same job won
        pass


async def cancel(user_id: int, job_id: int) -> None:
    await _require_job(job_id)
    await Favorite.filter(user_id=user_id, job_id=job_id).delete()


async def my_favorites(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    query = Favorite.filter(user_id=user_id, job__biz_type=biz_type)
    favs = await query.order_by("-create_at", "-id").offset(offset).limit(limit).prefetch_related("job")
    now = clock.now()
    return {"list": [job_shapes.favorite(fav, now) for fav in favs], "total": await query.count()}
