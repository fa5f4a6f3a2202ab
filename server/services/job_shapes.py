"""A job as the seed shows it: detail, "my postings" item, favourite item."""

from __future__ import annotations

from datetime import datetime

from models.job import STATUS_OPEN, Favorite, Job
from runtime.clock import fmt
from search.documents import job_document
from search.index import doc_time
from search.listing import hit_to_item


def withheld(job: Job, viewer_id: int | None) -> bool:
    """Hidden or taken down by moderation: its texts and number are its owner's only (/jobs/info answers
    others 404; the lists that keep it show it unavailable, by its id)."""
    return bool(job.moderation) and viewer_id != job.user_id


def number_shown(job: Job, viewer_id: int | None) -> bool:
    """A closed job's number is its owner's only (its texts stay, so a favourite can say it closed)."""
    return job.status == STATUS_OPEN or viewer_id == job.user_id


def is_top(job: Job, now: datetime) -> int:
    return int(job.top_end_time is not None and now < job.top_end_time)


def detail(job: Job, now: datetime) -> dict:
    """The same item the listing serves, built by the same code from the same document."""
    return hit_to_item({"_source": job_document(job)}, doc_time(now), nearby=False)


def my_posting(job: Job, now: datetime, moderation_reason: str = "") -> dict:
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
        "moderation_reason": moderation_reason if job.moderation else "",
        "photo_held": job.photo_held,
    }


def favorite(fav: Favorite, now: datetime) -> dict:
    job = fav.job
    if withheld(job, fav.user_id):
        return {"job_id": job.id, "positions": "", "salary_min": 0, "salary_max": 0, "first_area_des": "",
                "second_area_des": "", "third_area_des": "", "address": "", "create_at": fmt(job.create_at),
                "is_top": 0, "last_refresh_time": "", "status": job.status, "collect_at": fmt(fav.create_at),
                "unavailable": True}
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
        "unavailable": False,
    }
