"""The 招聘 section's own rules: an employer's job has a salary range and welfare tags, and its contact person
defaults to the profile name. Publishing, editing, closing, refreshing, the detail and "my postings" are
every section's (server/services/postings.py)."""

from __future__ import annotations

from models.job import Job
from models.user import User
from sections import JOBS
from server.providers.content_check import ContentChecker
from server.services import postings
from server.services.errors import SalaryRangeInverted
from server.services.images import ImageUrls
from server.services.posting_caps import PostingCaps


async def create(user_id: int, fields: dict, image_urls: ImageUrls, checker: ContentChecker,
                 caps: PostingCaps) -> int:
    if not fields.get("contact_person_name"):
        owner = await User.get_or_none(id=user_id)
        fields["contact_person_name"] = owner.name if owner else ""
    return await postings.publish(JOBS, user_id, fields, image_urls, checker, caps)


def _salary_in_order(job: Job, changes: dict) -> None:
    salary_min = changes.get("salary_min", job.salary_min)
    salary_max = changes.get("salary_max", job.salary_max)
    if salary_min > salary_max:
        raise SalaryRangeInverted(data={"salary_min": salary_min, "salary_max": salary_max})


async def update(user_id: int, job_id: int, changes: dict, image_urls: ImageUrls, checker: ContentChecker) -> None:
    await postings.edit(JOBS, user_id, job_id, changes, image_urls, checker, rules=_salary_in_order)
