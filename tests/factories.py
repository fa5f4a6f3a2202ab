"""Seeded random jobs written straight to the database, and the listing rules computed by brute force."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from models.job import Job
from server import clock

POSITIONS = ["厨师", "厨师长", "服务员", "保洁", "切配", "收银员", "面点师", "洗碗工", "传菜员", "厨师助理"]
WELFARE = {
    "basic_protection": ["社保", "公积金", "商业保险"],
    "salary_benefits": ["节日福利", "年终奖", "餐补"],
    "attendance_leave": ["月休4天", "双休", "带薪年假"],
}
# A few dozen places around Beijing, many jobs each: exact distance ties test the id tie-break.
PLACES = [(116.30 + 0.013 * i, 39.85 + 0.011 * ((i * 7) % 23)) for i in range(40)]


def random_jobs(count: int, owner_id: int, seed: int = 7, now: datetime | None = None) -> list[Job]:
    rng = random.Random(seed)
    now = now or clock.now()
    jobs = []
    for _ in range(count):
        created = now - timedelta(days=rng.uniform(0, 30))
        created = created.replace(microsecond=created.microsecond // 1000 * 1000)
        refreshed = None
        if rng.random() < 0.4:
            refreshed = created + (now - created) * rng.random()
            refreshed = refreshed.replace(microsecond=refreshed.microsecond // 1000 * 1000)
        top_end = None
        roll = rng.random()
        if roll < 0.1:
            top_end = now + timedelta(hours=rng.uniform(1, 72))
        elif roll < 0.2:
            top_end = now - timedelta(hours=rng.uniform(1, 72))
        salary_min = rng.randrange(3000, 15000, 500)
        lon, lat = rng.choice(PLACES)
        jobs.append(Job(
            user_id=owner_id, biz_type=1 if rng.random() < 0.95 else 2, positions=rng.choice(POSITIONS),
            longitude=lon, latitude=lat, address="北京市某区某路", contact="13800138000",
            contact_person_name="段先生", description="招聘", photo_urls=[],
            salary_min=salary_min, salary_max=salary_min + rng.randrange(0, 10000, 500),
            **{group: rng.sample(tags, rng.randint(0, len(tags))) for group, tags in WELFARE.items()},
            status=1 if rng.random() < 0.9 else 2, create_at=created, update_at=created,
            last_refresh_time=refreshed, top_start_time=top_end and top_end - timedelta(days=3),
            top_end_time=top_end,
        ))
    return jobs


def arc_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Elasticsearch's default (arc) distance."""
    r = 6371008.7714
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def brute_force(jobs: list[Job], query_type: int, filt: dict, now: datetime) -> list[int]:
    """The ids `/jobs/list` must return, in order, computed from the rows themselves."""
    def matches(job: Job) -> bool:
        if job.status != 1 or job.biz_type != 1:
            return False
        if filt.get("positions") and filt["positions"] not in job.positions:
            return False
        if filt.get("salary_min") is not None and job.salary_max < filt["salary_min"]:
            return False
        if filt.get("salary_max") not in (None, -1) and job.salary_min > filt["salary_max"]:
            return False
        for group in WELFARE:
            if not set(filt.get(group, [])) <= set(getattr(job, group)):
                return False
        if query_type == 2 and filt.get("distance_km"):
            return distance(job) <= filt["distance_km"] * 1000
        return True

    def distance(job: Job) -> float:
        return arc_distance_m(filt["latitude"], filt["longitude"], float(job.latitude), float(job.longitude))

    chosen = [job for job in jobs if matches(job)]
    if query_type == 1:
        chosen.sort(key=lambda j: (j.top_end_time is not None and j.top_end_time > now,
                                   j.last_refresh_time or j.create_at, j.id), reverse=True)
    elif query_type == 2:
        chosen.sort(key=lambda j: (round(distance(j), 3), j.id))
    else:
        chosen.sort(key=lambda j: (j.create_at, j.id), reverse=True)
    return [job.id for job in chosen]
