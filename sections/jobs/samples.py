"""Seeded random jobs (unsaved rows): the same data for benchmarks, tests and the demo board."""

from __future__ import annotations

import random
from datetime import datetime

from models.job import Job
from models.samples import PLACES, POSITIONS, lifecycle
from runtime import clock

WELFARE = {
    "basic_protection": ["社保", "公积金", "商业保险"],
    "salary_benefits": ["节日福利", "年终奖", "餐补"],
    "attendance_leave": ["月休4天", "双休", "带薪年假"],
}
def random_jobs(count: int, owner_id: int, seed: int = 7, now: datetime | None = None) -> list[Job]:
    rng = random.Random(seed)
    now = now or clock.now()
    jobs = []
    for _ in range(count):
        times = lifecycle(rng, now)
        salary_min = rng.randrange(3000, 15000, 500)
        lon, lat = rng.choice(PLACES)
        jobs.append(Job(
            user_id=owner_id, biz_type=1, positions=rng.choice(POSITIONS),
            longitude=lon, latitude=lat, address="北京市某区某路", contact="13800138000",
            contact_person_name="段先生", description="招聘", photo_urls=[],
            salary_min=salary_min, salary_max=salary_min + rng.randrange(0, 10000, 500),
            **{group: rng.sample(tags, rng.randint(0, len(tags))) for group, tags in WELFARE.items()},
            status=1 if rng.random() < 0.9 else 2, **times,
        ))
    return jobs
