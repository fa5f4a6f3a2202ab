"""Seeded random jobs (unsaved `Job` rows): the same data for benchmarks, tests and a local demo.

The caller saves them in bulk; they carry no outbox rows, so a reindex (not the drainer) indexes them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from models.job import Job
from runtime import clock

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
            user_id=owner_id, biz_type=1, positions=rng.choice(POSITIONS),
            longitude=lon, latitude=lat, address="北京市某区某路", contact="13800138000",
            contact_person_name="段先生", description="招聘", photo_urls=[],
            salary_min=salary_min, salary_max=salary_min + rng.randrange(0, 10000, 500),
            **{group: rng.sample(tags, rng.randint(0, len(tags))) for group, tags in WELFARE.items()},
            status=1 if rng.random() < 0.9 else 2, create_at=created, update_at=created,
            last_refresh_time=refreshed, top_start_time=top_end and top_end - timedelta(days=3),
            top_end_time=top_end,
        ))
    return jobs
