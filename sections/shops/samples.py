"""Seeded random shops (unsaved rows): the same data for benchmarks, tests and the demo board."""

from __future__ import annotations

import random
from datetime import datetime

from models.shop import DEAL_RENT, DEAL_TRANSFER, FACILITIES, INDUSTRIES, RENT_NEGOTIABLE, Shop
from models.samples import PLACES, lifecycle
from runtime import clock


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
        times = lifecycle(rng, now)
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
