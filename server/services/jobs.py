"""The 招聘 section's own rules: an employer creates and edits a job (salary range, welfare tags, the contact
person defaulting to the profile name). Closing, refreshing, the detail and "my postings" are every
section's (server/services/postings.py).

Every change of a job goes through models.posting_writes (row, version and outbox row in one transaction).
"""

from __future__ import annotations

from models.job import STATUS_OPEN, Job
from models.posting_writes import create_posting, posting_transaction, save_posting
from models.user import User
from runtime import clock
from sections import JOBS
from server.providers.content_check import ContentChecker
from server.services import content, postings
from server.services.errors import SalaryRangeInverted, UserBanned, UserNotFound
from server.services.images import ImageUrls


async def create(user_id: int, fields: dict, image_urls: ImageUrls, checker: ContentChecker) -> int:
    await image_urls.check(user_id, "photo_urls", fields.get("photo_urls") or [])
    fields.setdefault("description", "")
    owner = await User.get_or_none(id=user_id)
    if owner is None:
        raise UserNotFound()
    if not fields.get("contact_person_name"):
        fields["contact_person_name"] = owner.name
    # Before anything is stored, and outside any transaction: WeChat may take a while.
    fields["content_check"] = await content.check_posting(JOBS, checker, owner.openid, fields)
    if await User.filter(id=user_id, banned_at__not_isnull=True).exists():
        raise UserBanned()  # banned while WeChat was checking: the ban's takedown has already run
    job = await create_posting(Job, clock.now(), user_id=user_id, status=STATUS_OPEN, **fields)
    return job.id


async def update(user_id: int, job_id: int, changes: dict, image_urls: ImageUrls, checker: ContentChecker) -> None:
    if set(changes) & set(JOBS.texts):  # the texts as they will be, checked before the row is locked
        job = await postings.owned(JOBS, job_id, user_id)
        owner = await User.get_or_none(id=user_id)
        texts = {field: changes.get(field, getattr(job, field)) for field in JOBS.texts}
        changes = {**changes, "content_check": await content.check_posting(JOBS, checker,
                                                                            owner.openid if owner else "", texts)}
    now = clock.now()
    async with posting_transaction():
        job = await postings.owned_for_update(JOBS, job_id, user_id)
        postings.require_open(JOBS, job, "edited")
        if "photo_urls" in changes:  # against the locked row: the photos it holds now may stay
            await image_urls.check(user_id, "photo_urls", changes["photo_urls"] or [], held=job.photo_urls or [])
        salary_min = changes.get("salary_min", job.salary_min)
        salary_max = changes.get("salary_max", job.salary_max)
        if salary_min > salary_max:
            raise SalaryRangeInverted(data={"salary_min": salary_min, "salary_max": salary_max})
        if job.photo_held:
            changes = {**changes, "photo_held": False}  # an edit by the owner releases a held job
        job.update_from_dict(changes)
        await save_posting(job, "update", now, list(changes))
