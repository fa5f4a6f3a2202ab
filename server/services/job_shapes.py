"""A job as the seed shows it: detail, "my postings" item, favourite item."""

from __future__ import annotations

from datetime import datetime

from models.job import Favorite, Job
from server.clock import fmt


def is_top(job: Job, now: datetime) -> int:
    return int(job.top_end_time is not None and now < job.top_end_time)


def detail(job: Job, now: datetime) -> dict:
    return {
        "id": job.id,
        "user_id": job.user_id,
        "biz_type": job.biz_type,
        "positions": job.positions,
        "longitude": float(job.longitude),
        "latitude": float(job.latitude),
        "address": job.address,
        "contact": job.contact,
        "contact_person_name": job.contact_person_name,
        "description": job.description,
        "photo_urls": list(job.photo_urls or []),
        "status": job.status,
        "first_area_id": job.first_area_id,
        "first_area_des": job.first_area_des,
        "second_area_id": job.second_area_id,
        "second_area_des": job.second_area_des,
        "third_area_id": job.third_area_id,
        "third_area_des": job.third_area_des,
        "four_area_id": job.four_area_id,
        "four_area_des": job.four_area_des,
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "basic_protection": list(job.basic_protection or []),
        "salary_benefits": list(job.salary_benefits or []),
        "attendance_leave": list(job.attendance_leave or []),
        "create_at": fmt(job.create_at),
        "update_at": fmt(job.update_at),
        "is_top": is_top(job, now),
        "top_start_time": fmt(job.top_start_time),
        "top_end_time": fmt(job.top_end_time),
        "last_refresh_time": fmt(job.last_refresh_time),
    }


def my_posting(job: Job, now: datetime) -> dict:
    return {
        "id": job.id,
        "biz_type": job.biz_type,
        "positions": job.positions,
        "address": job.address,
        "status": job.status,
        "is_top": is_top(job, now),
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "create_at": fmt(job.create_at),
        "update_at": fmt(job.update_at),
        "last_refresh_time": fmt(job.last_refresh_time),
        "top_start_time": fmt(job.top_start_time),
        "top_end_time": fmt(job.top_end_time),
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
