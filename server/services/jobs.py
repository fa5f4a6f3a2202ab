"""An employer's postings: create, update, close, free refresh; the public detail.

Every change of a job goes through models.job_writes (row, version and outbox row in one transaction).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models.job import STATUS_CLOSED, STATUS_OPEN, Job
from models.job_reads import recent_job
from models.job_writes import create_job, job_transaction, save_job
from models.user import User
from runtime import clock
from server.providers.content_check import ContentChecker
from server.services import content, job_shapes, moderation
from server.services.contacts import show_contacts
from server.services.errors import (
    FreeRefreshUsed,
    JobClosed,
    JobNotFound,
    NotYourJob,
    SalaryRangeInverted,
    UserBanned,
    UserNotFound,
)
from server.services.images import ImageUrls


async def _owned_for_update(job_id: int, user_id: int) -> Job:
    """The job, row-locked until the transaction ends, if it exists and belongs to the user."""
    job = await Job.select_for_update().get_or_none(id=job_id)
    if job is None:
        raise JobNotFound()
    if job.user_id != user_id:
        raise NotYourJob()
    return job


def _require_open(job: Job, action: str) -> None:
    if job.status != STATUS_OPEN:
        raise JobClosed(f"this job is closed: it cannot be {action}", {"job_id": job.id, "status": job.status})


async def create(user_id: int, fields: dict, image_urls: ImageUrls, checker: ContentChecker) -> int:
    await image_urls.check(user_id, "photo_urls", fields.get("photo_urls") or [])
    fields.setdefault("description", "")
    owner = await User.get_or_none(id=user_id)
    if owner is None:
        raise UserNotFound()
    if not fields.get("contact_person_name"):
        fields["contact_person_name"] = owner.name
    # Before anything is stored, and outside any transaction: WeChat may take a while.
    fields["content_check"] = await content.check_job(checker, owner.openid, fields)
    if await User.filter(id=user_id, banned_at__not_isnull=True).exists():
        raise UserBanned()  # banned while WeChat was checking: the ban's takedown has already run
    job = await create_job(clock.now(), user_id=user_id, status=STATUS_OPEN, **fields)
    return job.id


async def update(user_id: int, job_id: int, changes: dict, image_urls: ImageUrls, checker: ContentChecker) -> None:
    if set(changes) & set(content.JOB_TEXTS):  # the texts as they will be, checked before the row is locked
        job = await Job.get_or_none(id=job_id)
        if job is None:
            raise JobNotFound()
        if job.user_id != user_id:
            raise NotYourJob()
        owner = await User.get_or_none(id=user_id)
        texts = {field: changes.get(field, getattr(job, field)) for field in content.JOB_TEXTS}
        changes = {**changes, "content_check": await content.check_job(checker, owner.openid if owner else "", texts)}
    now = clock.now()
    async with job_transaction():
        job = await _owned_for_update(job_id, user_id)
        _require_open(job, "edited")
        if "photo_urls" in changes:  # against the locked row: the photos it holds now may stay
            await image_urls.check(user_id, "photo_urls", changes["photo_urls"] or [], held=job.photo_urls or [])
        salary_min = changes.get("salary_min", job.salary_min)
        salary_max = changes.get("salary_max", job.salary_max)
        if salary_min > salary_max:
            raise SalaryRangeInverted(data={"salary_min": salary_min, "salary_max": salary_max})
        if job.photo_held:
            changes = {**changes, "photo_held": False}  # an edit by the owner releases a held job
        job.update_from_dict(changes)
        await save_job(job, "update", now, list(changes))


async def close(user_id: int, job_id: int) -> None:
    """Close a posting; closing a closed one is a no-op (and no new outbox row)."""
    now = clock.now()
    async with job_transaction():
        job = await _owned_for_update(job_id, user_id)
        if job.status == STATUS_CLOSED:
            return
        job.status = STATUS_CLOSED
        await save_job(job, "close", now, ["status"])


async def refresh_free(user_id: int, job_id: int, free_per_day: int) -> None:
    """Move an open job up the recommended list; `free_per_day` times per Shanghai calendar day."""
    now = clock.now()
    today = now.date()
    async with job_transaction():
        # The row lock serialises concurrent refreshes of one job: exactly one wins the last free one.
        job = await _owned_for_update(job_id, user_id)
        _require_open(job, "refreshed")
        used = job.free_refresh_count if job.free_refresh_day == today else 0
        if used >= free_per_day:
            tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time())
            raise FreeRefreshUsed(data={"free_refreshes_per_day": free_per_day},
                                  retry_after=max(int((tomorrow - now).total_seconds()), 1))
        job.free_refresh_day, job.free_refresh_count = today, used + 1
        job.last_refresh_time = now
        await save_job(job, "refresh", now, ["free_refresh_day", "free_refresh_count", "last_refresh_time"])


async def detail(job_id: int, viewer_id: int | None, masking: bool) -> dict:
    """The public detail. A closed job keeps its status (a favourite can say it closed) but shows its
    contact number to its owner only; an open one shows it masked unless the viewer unlocked it.

    Others may get a row read up to JOB_DETAIL_CACHE_SECONDS ago (as the listing lags its index); the
    owner always gets the row as it is, so their own edit shows at once."""
    job = await recent_job(job_id, unless_owned_by=viewer_id)
    if job is None or job_shapes.withheld(job, viewer_id):
        raise JobNotFound()  # hidden or taken down by moderation: its texts are not served to others
    item = job_shapes.detail(job, clock.now())
    await show_contacts([item], viewer_id, masking)
    if not job_shapes.number_shown(job, viewer_id):
        item["contact"], item["contact_unlocked"] = "", False
    return item


async def my_postings(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    query = Job.filter(user_id=user_id, biz_type=biz_type)
    jobs = await query.order_by("-create_at", "-id").offset(offset).limit(limit)
    now = clock.now()
    reasons = await moderation.moderation_reasons(jobs)
    return {"contacts": [job_shapes.my_posting(job, now, reasons.get(job.id, "")) for job in jobs],
            "total": await query.count()}
