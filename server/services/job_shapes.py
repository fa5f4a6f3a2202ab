"""A job as the seed shows it: detail, "my postings" item, favourite item."""

from __future__ import annotations

from datetime import datetime

from models.job import Favorite, Job
from runtime.clock import fmt
from search.documents import job_document
from search.index import doc_time
from search.listing import hit_to_item


def is_top(job: Job, now: datetime) -> int:
    return int(job.top_end_time is not None and now < job.top_end_time)


def detail(job: Job, now: datetime) -> dict:
    """The same item the listing serves, built by the same code from the same document."""
    return hit_to_item({"_source": job_document(job)}, doc_time(now), nearby=False)


def my_posting(job: Job, now: datetime) -> dict:
    return {
        "id": job.id,
        "biz_type": job.biz_type,
        "positions": job.positions,
        "address": job.address,
        # The seed's example item names the job's owner, contact person and number this way.
        "purpose_user_id": job.user_id,
        "purpose_user_name": job.contact_person_name,
        "purpose_user_phone": job.contact,
        "status": job.status,
        "is_top": is_top(job, now),
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "create_at": fmt(job.create_at),
        "update_at": fmt(job.update_at),
        "last_refresh_time": fmt(job.last_refresh_time),
        "top_start_time": fmt(job.top_start_time),
        "top_end_time": fmt(job.top_end_time),
        "moderation": job.moderation,
        "photo_held": job.photo_held,
    }


def favorite(fav: Favorite, now: datetime) -> dict:
    job = fav.job
    return {
        "job_id": job.id,
        "positions": job.positions,
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "first_area_des": job.first_area_des,
        "second_area_des": job.second_area_des,
        "third_area_des": job.third_area_des,
        "address": job.address,
        "create_at": fmt(job.create_at),
        "is_top": is_top(job, now),
        "last_refresh_time": fmt(job.last_refresh_time),
        "status": job.status,
        "collect_at": fmt(fav.create_at),
    }
