"""Seeded random postings of each section (unsaved rows): the same data for benchmarks, tests and a local demo.

The caller saves them in bulk; they carry no outbox rows, so a reindex (not the drainer) indexes them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import cycle

from models.job import Job
from models.postings import MODERATION_HIDDEN, STATUS_CLOSED, STATUS_OPEN
from models.seeker import AVAILABLE, SALARY_NEGOTIABLE, Seeker
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
# Workers' homes around Shanghai: a few shared exact points (distance ties), the rest anywhere in about
# 10 × 11 km, off the published 0.005° grid, so a card's shown place and distance differ from its exact ones;
# one exactly halfway between grid lines (the rounding's tie).
HOMES = [(121.4207 + 0.0093 * i, 31.1809 + 0.0061 * ((i * 5) % 17)) for i in range(12)] + [(121.4725, 31.2325)]
# (province, city, district, street) as the mini-program's area picker gives them; no street for some.
AREAS = [
    ((31, "上海市"), (3101, "上海市"), (310106, "静安区"), (310106013, "南京西路街道")),
    ((31, "上海市"), (3101, "上海市"), (310106, "静安区"), (None, "")),
    ((31, "上海市"), (3101, "上海市"), (310104, "徐汇区"), (310104003, "天平路街道")),
    ((31, "上海市"), (3101, "上海市"), (310115, "浦东新区"), (None, "")),
    ((32, "江苏省"), (3205, "苏州市"), (320505, "虎丘区"), (320505001, "狮山街道")),
]
NAMES = ["王师傅", "李阿姨", "小张", "赵姐", "陈师傅", "刘大哥"]


def _millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _lifecycle(rng: random.Random, now: datetime) -> dict:
    """Created in the last 30 days; some refreshed since; some on top (ahead), some whose top has ended."""
    created = _millis(now - timedelta(days=rng.uniform(0, 30)))
    refreshed = None
    if rng.random() < 0.4:
        refreshed = _millis(created + (now - created) * rng.random())
    top_end = None
    roll = rng.random()
    if roll < 0.1:
        top_end = now + timedelta(hours=rng.uniform(1, 72))
    elif roll < 0.2:
        top_end = now - timedelta(hours=rng.uniform(1, 72))
    return {"create_at": created, "update_at": created, "last_refresh_time": refreshed,
            "top_start_time": top_end and top_end - timedelta(days=3), "top_end_time": top_end}


def random_jobs(count: int, owner_id: int, seed: int = 7, now: datetime | None = None) -> list[Job]:
    rng = random.Random(seed)
    now = now or clock.now()
    jobs = []
    for _ in range(count):
        times = _lifecycle(rng, now)
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


def _home(rng: random.Random) -> tuple[float, float]:
    if rng.random() < 0.3:
        return rng.choice(HOMES)
    return round(121.42 + rng.uniform(0, 0.11), 6), round(31.18 + rng.uniform(0, 0.10), 6)


def _area_fields(area: tuple) -> dict:
    fields = {}
    for level, (area_id, des) in zip(("first", "second", "third", "four"), area):
        fields[f"{level}_area_id"], fields[f"{level}_area_des"] = area_id, des
    return fields


def random_seekers(count: int, owner_ids: int | Sequence[int], seed: int = 7,
                   now: datetime | None = None) -> list[Seeker]:
    """`count` 求职 cards, card i owned by owner_ids[i % len(owner_ids)] (one id: all of them). Some 面议;
    ages 16-80 this year; some closed by their owner, some hidden by moderation, some held for a photo."""
    rng = random.Random(seed)
    now = now or clock.now()
    owners = cycle([owner_ids] if isinstance(owner_ids, int) else owner_ids)
    cards = []
    for owner_id in (next(owners) for _ in range(count)):
        times = _lifecycle(rng, now)
        salary_min = rng.randrange(3000, 15000, 500)
        salary = (salary_min, salary_min + rng.randrange(0, 6000, 500))
        if rng.random() < 0.15:
            salary = (SALARY_NEGOTIABLE, SALARY_NEGOTIABLE)
        age = rng.randint(16, 80)
        lon, lat = _home(rng)
        area = rng.choice(AREAS)
        roll = rng.random()
        status, moderation = (STATUS_CLOSED, "") if roll < 0.08 else (
            (STATUS_CLOSED, MODERATION_HIDDEN) if roll < 0.12 else (STATUS_OPEN, ""))
        cards.append(Seeker(
            user_id=owner_id, name=rng.choice(NAMES), sex=rng.choice((1, 2)), birth_year=now.year - age,
            positions=rng.sample(POSITIONS, rng.randint(1, 3)), salary_min=salary[0], salary_max=salary[1],
            experience_years=rng.randint(0, min(50, age - 16)), available=rng.choice(AVAILABLE),
            longitude=lon, latitude=lat, address=f"{area[2][1]}某路", contact="13900139000",
            description="能吃苦，服从安排。", photo_urls=[],
            **_area_fields(area),
            status=status, moderation=moderation, photo_held=rng.random() < 0.04, **times,
        ))
    return cards


# Values the shop filters' tests use as bounds, so that rows sit exactly on them.
SHOP_RENT_EDGES = (8000, 20000)
SHOP_AREA_EDGES_TENTHS = (500, 805, 1200)
SHOP_FEE_EDGES = (100000,)
SHOP_THIRD_AREAS = (110101, 110105, 110108)


def random_shops(count: int, owner_id: int, seed: int = 11, now: datetime | None = None) -> list[Shop]:
    """Shops to let and to transfer around the same places as the jobs: some 面议, some without a transfer fee,
    some exactly on the bounds the tests filter by."""
    rng = random.Random(seed)
    now = now or clock.now()
    shops = []
    for _ in range(count):
        times = _lifecycle(rng, now)
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
            status=1 if rng.random() < 0.9 else 2, **times,
        ))
    return shops
