"""The 招聘 section's own rules: a job's salary range is in order, and its contact person defaults to the
poster's profile name."""

from __future__ import annotations

from models.job import Job
from models.user import User
from sections.posting_rules import salary_in_order


async def prepare(user_id: int, fields: dict) -> None:
    if not fields.get("contact_person_name"):
        owner = await User.get_or_none(id=user_id)
        fields["contact_person_name"] = owner.name if owner else ""


def check_edit(job: Job, changes: dict) -> None:
    salary_in_order(changes.get("salary_min", job.salary_min), changes.get("salary_max", job.salary_max))
