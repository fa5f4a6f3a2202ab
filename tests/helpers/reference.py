"""The listing rules computed by brute force from the rows themselves: the reference the engine must match."""

from __future__ import annotations

import math
from datetime import datetime

from models.job import Job
from models.shop import RENT_NEGOTIABLE, Shop
from models.samples import WELFARE


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
        if job.status != 1 or job.biz_type != 1 or job.photo_held:
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


def brute_force_shops(shops: list[Shop], query_type: int, filt: dict, now: datetime) -> list[int]:
    """The ids `/shops/list` must return, in order: every bound inclusive, a 面议 shop (rent 0) in whatever the
    rent bounds, a transfer fee of 0 as none."""
    def matches(shop: Shop) -> bool:
        if shop.status != 1 or shop.biz_type != 3 or shop.photo_held:
            return False
        if filt.get("deal_type") is not None and shop.deal_type != filt["deal_type"]:
            return False
        if shop.rent_month != RENT_NEGOTIABLE:
            if filt.get("rent_min") is not None and shop.rent_month < filt["rent_min"]:
                return False
            if filt.get("rent_max") is not None and shop.rent_month > filt["rent_max"]:
                return False
        area = shop.area_tenths / 10
        if filt.get("area_min") is not None and area < filt["area_min"]:
            return False
        if filt.get("area_max") is not None and area > filt["area_max"]:
            return False
        if filt.get("transfer_fee_max") is not None and shop.transfer_fee > filt["transfer_fee_max"]:
            return False
        if filt.get("industry") and filt["industry"] not in shop.industry:
            return False
        if not set(filt.get("facilities", [])) <= set(shop.facilities):
            return False
        for area_id in ("first_area_id", "second_area_id", "third_area_id", "four_area_id"):
            if filt.get(area_id) is not None and getattr(shop, area_id) != filt[area_id]:
                return False
        if query_type == 2 and filt.get("distance_km"):
            return distance(shop) <= filt["distance_km"] * 1000
        return True

    def distance(shop: Shop) -> float:
        return arc_distance_m(filt["latitude"], filt["longitude"], float(shop.latitude), float(shop.longitude))

    chosen = [shop for shop in shops if matches(shop)]
    if query_type == 1:
        chosen.sort(key=lambda s: (s.top_end_time is not None and s.top_end_time > now,
                                   s.last_refresh_time or s.create_at, s.id), reverse=True)
    elif query_type == 2:
        chosen.sort(key=lambda s: (round(distance(s), 3), s.id))
    else:
        chosen.sort(key=lambda s: (s.create_at, s.id), reverse=True)
    return [shop.id for shop in chosen]
