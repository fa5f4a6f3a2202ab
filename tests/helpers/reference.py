"""The listing rules computed by brute force from the rows themselves: the reference the engine must match."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from models.job import Job
from models.shop import RENT_NEGOTIABLE, Shop
from models.samples import WELFARE
from models.seeker import Seeker


def arc_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Elasticsearch's default (arc) distance."""
    r = 6371008.7714
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def _tokens(text: str) -> list[str]:
    """The standard tokenizer as the search box relies on it: each CJK character a token, each run of other
    letters and digits a token, the rest separators (after NFKC and lowercasing)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_\u3400-\u9fff\uf900-\ufaff]+", text)


def _contains(haystack: list[str], needle: list[str]) -> bool:
    return any(haystack[i:i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def keyword_matches(texts: list[str], keyword: str | None) -> bool:
    """Every whitespace-separated word of the keyword appears within one of the texts (Chinese anywhere,
    letters and digits as whole words). A word of punctuation only asks for nothing."""
    words = [_tokens(word) for word in (keyword or "").split()]
    return all(any(_contains(_tokens(text), word) for text in texts) for word in words if word)


def job_texts(job: Job) -> list[str]:
    """What the search box searches in a job (the issue's list): never the contact person's name."""
    return [job.positions, job.description, job.address, job.first_area_des, job.second_area_des,
            job.third_area_des, job.four_area_des, *job.basic_protection, *job.salary_benefits,
            *job.attendance_leave]


def _exact_point(posting) -> tuple[float, float]:
    return float(posting.longitude), float(posting.latitude)


def _listed(postings: list, biz_type: int, query_type: int, filt: dict, now: datetime,
            wanted: Callable[[object], bool], point: Callable[[object], tuple[float, float]] = _exact_point) -> list[int]:
    """The ids a section's list must return, in order: open postings of the section that no photo hold keeps
    out and that the section `wanted`, within `distance_km` of the point (nearby), in the list type's order.
    `point`: where a posting is for the nearby list (a card: its published point)."""
    def distance(posting) -> float:
        longitude, latitude = point(posting)
        return arc_distance_m(filt["latitude"], filt["longitude"], latitude, longitude)

    def near(posting) -> bool:
        return not (query_type == 2 and filt.get("distance_km")) or distance(posting) <= filt["distance_km"] * 1000

    chosen = [p for p in postings
              if p.status == 1 and p.biz_type == biz_type and not p.photo_held and wanted(p) and near(p)]
    if query_type == 1:
        chosen.sort(key=lambda p: (p.top_end_time is not None and p.top_end_time > now,
                                   p.last_refresh_time or p.create_at, p.id), reverse=True)
    elif query_type == 2:
        chosen.sort(key=lambda p: (round(distance(p), 3), p.id))
    else:
        chosen.sort(key=lambda p: (p.create_at, p.id), reverse=True)
    return [p.id for p in chosen]


def card_texts(card: Seeker) -> list[str]:
    """What the search box searches in a card: never its name, address or phone."""
    return [*card.positions, card.description, card.first_area_des, card.second_area_des, card.third_area_des,
            card.four_area_des]


def brute_force(jobs: list[Job], query_type: int, filt: dict, now: datetime) -> list[int]:
    """The ids `/jobs/list` must return, in order, computed from the rows themselves."""
    def wanted(job: Job) -> bool:
        if filt.get("positions") and filt["positions"] not in job.positions:
            return False
        if filt.get("salary_min") is not None and job.salary_max < filt["salary_min"]:
            return False
        if filt.get("salary_max") not in (None, -1) and job.salary_min > filt["salary_max"]:
            return False
        if not keyword_matches(job_texts(job), filt.get("keyword")):
            return False
        return all(set(filt.get(group, [])) <= set(getattr(job, group)) for group in WELFARE)

    return _listed(jobs, 1, query_type, filt, now, wanted)


def brute_force_seekers(cards: list[Seeker], query_type: int, filt: dict, now: datetime) -> list[int]:
    """The ids `/seekers/list` must return, in order, as SeekerListFilter documents its fields: a wanted
    position containing the text; an expected salary range meeting the offered one (面议 always does; an
    offered maximum of -1 is none); the sex; the age (this year minus the birth year) within the inclusive
    bounds; at least `experience_min` years; the areas given."""
    def wanted(card: Seeker) -> bool:
        age = now.year - card.birth_year
        low, high = filt.get("salary_min"), filt.get("salary_max")
        high = None if high == -1 else high
        salary_met = card.salary_min == -1 or (
            (low is None or card.salary_max >= low) and (high is None or card.salary_min <= high))
        return ((not filt.get("positions") or any(filt["positions"] in p for p in card.positions))
                and salary_met
                and filt.get("sex") in (None, card.sex)
                and filt.get("age_min", 0) <= age <= filt.get("age_max", math.inf)
                and card.experience_years >= filt.get("experience_min", 0)
                and all(filt.get(f"{level}_area_id") in (None, getattr(card, f"{level}_area_id"))
                        for level in ("first", "second", "third", "four"))
                and keyword_matches(card_texts(card), filt.get("keyword")))

    return _listed(cards, 2, query_type, filt, now, wanted, point=published_point)


def published_point(card: Seeker) -> tuple[float, float]:
    """(longitude, latitude) a card shows: its exact point to the nearest 1/200 of a degree, halves away from
    zero (the grid of about 500 m)."""
    def grid(degrees) -> float:
        return float((Decimal(str(degrees)) * 200).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 200)

    return grid(card.longitude), grid(card.latitude)


def shop_texts(shop: Shop) -> list[str]:
    """What the search box searches in a shop: title, description, address, industry and area names."""
    return [shop.title, shop.description, shop.address, *shop.industry, shop.first_area_des, shop.second_area_des,
            shop.third_area_des, shop.four_area_des]


def brute_force_shops(shops: list[Shop], query_type: int, filt: dict, now: datetime) -> list[int]:
    """The ids `/shops/list` must return, in order: every bound inclusive, a 面议 shop (rent 0) in whatever the
    rent bounds, a transfer fee of 0 as none, every facility asked for."""
    def between(value, low: str, high: str) -> bool:
        return (filt.get(low) is None or value >= filt[low]) and (filt.get(high) is None or value <= filt[high])

    def wanted(shop: Shop) -> bool:
        return (filt.get("deal_type") in (None, shop.deal_type)
                and (shop.rent_month == RENT_NEGOTIABLE or between(shop.rent_month, "rent_min", "rent_max"))
                and between(shop.area_tenths / 10, "area_min", "area_max")
                and (filt.get("transfer_fee_max") is None or shop.transfer_fee <= filt["transfer_fee_max"])
                and (not filt.get("industry") or filt["industry"] in shop.industry)
                and set(filt.get("facilities", [])) <= set(shop.facilities)
                and all(filt.get(f"{level}_area_id") in (None, getattr(shop, f"{level}_area_id"))
                        for level in ("first", "second", "third", "four"))
                and keyword_matches(shop_texts(shop), filt.get("keyword")))

    return _listed(shops, 3, query_type, filt, now, wanted)
