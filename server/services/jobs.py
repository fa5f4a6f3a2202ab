"""An employer's postings: create, update, close, free refresh; the public detail.

Every change of a job writes its row and one `index_outbox` row in the same transaction.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models import outbox
from models.job import STATUS_CLOSED, STATUS_OPEN, Job
from models.user import User
from server import clock
from server.errors import ApiError, bad_request, not_found
from server.services import job_shapes


async def _owned_for_update(job_id: int, user_id: int) -> Job:
    """The job, row-locked until the transaction ends, if it exists and belongs to the user."""
    job = await Job.select_for_update().get_or_none(id=job_id)
    if job is None:
        raise not_found("job not found")
    if job.user_id != user_id:
        raise ApiError(403, "Forbidden", "this job is not yours")
    return job


async def create(user_id: int, fields: dict) -> int:
    fields.setdefault("description", "")
    if not fields.get("contact_person_name"):
        owner = await User.get_or_none(id=user_id)
        fields["contact_person_name"] = owner.name if owner else ""
    now = clock.now()
    async with in_transaction():
        job = await Job.create(user_id=user_id, status=STATUS_OPEN, create_at=now, update_at=now, **fields)
        await outbox.enqueue(job.id, "create", now)
    return job.id


async def update(user_id: int, job_id: int, changes: dict) -> None:
    now = clock.now()
    async with in_transaction():
        job = await _owned_for_update(job_id, user_id)
        salary_min = changes.get("salary_min", job.salary_min)
        salary_max = changes.get("salary_max", job.salary_max)
        if salary_min > salary_max:
            raise bad_request("salary_min must not exceed salary_max",
                              {"salary_min": salary_min, "salary_max": salary_max})
        job.update_from_dict({**changes, "update_at": now})
        await job.save(update_fields=[*changes, "update_at"])
        await outbox.enqueue(job.id, "update", now)


async def close(user_id: int, job_id: int) -> None:
    """Close a posting; closing a closed one is a no-op (and no new outbox row)."""
    now = clock.now()
    async with in_transaction():
        job = await _owned_for_update(job_id, user_id)
        if job.status == STATUS_CLOSED:
            return
        job.status, job.update_at = STATUS_CLOSED, now
        await job.save(update_fields=["status", "update_at"])
        await outbox.enqueue(job.id, "close", now)


async def refresh_free(user_id: int, job_id: int, free_per_day: int) -> None:
    """Move an open job up the recommended list; `free_per_day` times per Shanghai calendar day."""
    now = clock.now()
    today = now.date()
    async with in_transaction():
        # The row lock serialises concurrent refreshes of one job: exactly one wins the last free one.
        job = await _owned_for_update(job_id, user_id)
        if job.status != STATUS_OPEN:
            raise ApiError(409, "Conflict", "only an open job can be refreshed")
        used = job.free_refresh_count if job.free_refresh_day == today else 0
        if used >= free_per_day:
            raise ApiError(429, "today's free refresh is used up, use the paid refresh (/jobs/refresh/pay)",
                           {"free_refreshes_per_day": free_per_day})
        job.free_refresh_day, job.free_refresh_count = today, used + 1
        job.last_refresh_time = job.update_at = now
        await job.save(update_fields=["free_refresh_day", "free_refresh_count", "last_refresh_time", "update_at"])
        await outbox.enqueue(job.id, "refresh", now)


async def detail(job_id: int) -> dict:
    job = await Job.get_or_none(id=job_id)
    if job is None:
        raise not_found("job not found")
    return job_shapes.detail(job, clock.now())


async def my_postings(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    query = Job.filter(user_id=user_id, biz_type=biz_type)
    jobs = await query.order_by("-create_at", "-id").offset(offset).limit(limit)
    now = clock.now()
    return {"contacts": [job_shapes.my_posting(job, now) for job in jobs], "total": await query.count()}
