"""Job → search document: the one place that decides what the index holds."""

from __future__ import annotations

from search.index import doc_time as iso


def job_document(job) -> dict:
    return {
        "id": job.id,
        "user_id": job.user_id,
        "biz_type": job.biz_type,
        "status": job.status,
        # Out of the listing until its owner edits it (content security removed a risky image from it).
        "held": job.photo_held,
        "positions": job.positions,
        "location": {"lat": float(job.latitude), "lon": float(job.longitude)},
        "longitude": float(job.longitude),
        "latitude": float(job.latitude),
        "address": job.address,
        "contact": job.contact,
        "contact_person_name": job.contact_person_name,
        "description": job.description,
        "photo_urls": list(job.photo_urls or []),
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
        "create_at": iso(job.create_at),
        "update_at": iso(job.update_at),
        "last_refresh_time": iso(job.last_refresh_time),
        "top_start_time": iso(job.top_start_time),
        "top_end_time": iso(job.top_end_time),
        # The recommended order: the last refresh, or the creation when never refreshed.
        "rank_time": iso(job.last_refresh_time or job.create_at),
    }
