"""Seeded random jobs and shops (unsaved `Job` and `Shop` rows): the same data for benchmarks, tests and a local demo.

The caller saves them in bulk; they carry no outbox rows, so a reindex (not the drainer) indexes them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from models.job import Job
from models.shop import DEAL_RENT, DEAL_TRANSFER, FACILITIES, INDUSTRIES, RENT_NEGOTIABLE, Shop
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


# Values the shop filters' tests use as bounds, so that rows sit exactly on them.
SHOP_RENT_EDGES = (8000, 20000)
SHOP_AREA_EDGES_TENTHS = (500, 805, 1200)
SHOP_FEE_EDGES = (100000,)
SHOP_THIRD_AREAS = (110101, 110105, 110108)


def _ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def random_shops(count: int, owner_id: int, seed: int = 11, now: datetime | None = None) -> list[Shop]:
    """Shops to let and to transfer around the same places as the jobs: some 面议, some without a transfer fee,
    some exactly on the bounds the tests filter by."""
    rng = random.Random(seed)
    now = now or clock.now()
    shops = []
    for _ in range(count):
        created = _ms(now - timedelta(days=rng.uniform(0, 30)))
        refreshed = _ms(created + (now - created) * rng.random()) if rng.random() < 0.4 else None
        top_end = None
        roll = rng.random()
        if roll < 0.1:
            top_end = _ms(now + timedelta(hours=rng.uniform(1, 72)))
        elif roll < 0.2:
            top_end = _ms(now - timedelta(hours=rng.uniform(1, 72)))
        deal_type = DEAL_TRANSFER if rng.random() < 0.5 else DEAL_RENT
        roll = rng.random()
        rent = RENT_NEGOTIABLE if roll < 0.15 else (
            rng.choice(SHOP_RENT_EDGES) if roll < 0.3 else rng.randrange(3000, 40001, 1000))
        area = rng.choice(SHOP_AREA_EDGES_TENTHS) if rng.random() < 0.2 else rng.randint(100, 3000)
        fee = 0
        if deal_type == DEAL_TRANSFER and rng.random() < 0.8:
            fee = rng.choice(SHOP_FEE_EDGES) if rng.random() < 0.2 else rng.randrange(20000, 300001, 10000)
        lon, lat = rng.choice(PLACES)
        third = rng.choice(SHOP_THIRD_AREAS)
        shops.append(Shop(
            user_id=owner_id, biz_type=3, title="旺铺" + ("转让" if deal_type == DEAL_TRANSFER else "出租"),
            deal_type=deal_type, area_tenths=area, rent_month=rent, transfer_fee=fee,
            industry=rng.sample(INDUSTRIES, rng.randint(1, 3)), floor=rng.choice(("1层", "2层", "B1", "")),
            frontage_tenths=rng.choice((None, 45, 80, 120)), facilities=rng.sample(FACILITIES, rng.randint(0, 5)),
            contact_name="张先生", longitude=lon, latitude=lat, address="北京市某区某路", contact="13800138000",
            description="店铺", photo_urls=[], first_area_id=11, first_area_des="北京市", second_area_id=1101,
            second_area_des="北京市", third_area_id=third, third_area_des=str(third),
            status=1 if rng.random() < 0.9 else 2, create_at=created, update_at=created,
            last_refresh_time=refreshed, top_start_time=top_end and top_end - timedelta(days=3),
            top_end_time=top_end,
        ))
    return shops
