"""The listing rules computed by brute force from the rows themselves: the reference the engine must match."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from models.job import Job
from models.shop import RENT_NEGOTIABLE, Shop
from sections.jobs.samples import WELFARE
from models.seeker import Seeker
from search.keywords import normalized_words, parse
from search.text import index_words, normalized


def arc_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Elasticsearch's default (arc) distance."""
    r = 6371008.7714
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def _reading_found(words: list[str], texts: list[str]) -> bool:
    indexed = {word for text in texts for word in index_words(normalized(text))}
    return any(word in indexed for word in words)


def keyword_matches(texts: dict[str, list[str]], keyword: str | None, numbers: tuple[str, ...] = (),
                    values: dict | None = None) -> bool:
    """The search box's rule, by brute force over a posting's published texts by field (title, tags, text,
    place; search/keywords.py reads the keyword): every word matches through one of its readings among the
    words of the texts (an area name among the place texts only), a run of characters within one text, or
    a typo's word; a bare number may be the salary instead; numbers that mean a field hold."""
    found = parse(" ".join(normalized_words(keyword)), numbers)  # as the list body hands it on: normalised
    values = values or {}
    every = [text for group in texts.values() for text in group if text]

    def salary_holds(at_least: int | None, at_most: int | None) -> bool:
        return ((at_least is None or values["salary_max"] >= at_least)
                and (at_most is None or values["salary_min"] <= at_most))

    def term_found(term) -> bool:
        where = [t for t in texts["place"] if t] if term.place else every
        return (_reading_found(term.words + term.typos, where)
                or any(all(_reading_found([w], where) for w in group) for group in term.together)
                or (term.chars and any(term.text in normalized(text) for text in every))
                or (found.bare_salary is not None and term.text == str(found.bare_salary)
                    and salary_holds(found.bare_salary, found.bare_salary)))

    return (all(term_found(term) for term in found.terms)
            and (found.salary is None or salary_holds(*found.salary))
            and (found.area_m2 is None or found.area_m2 * 0.8 - 0.05 <= values["area_m2"] <= found.area_m2 * 1.2 + 0.05)
            and (found.experience is None or values["experience_years"] >= found.experience))


def job_texts(job: Job) -> dict[str, list[str]]:
    """What the search box searches in a job (the issue's list): never the contact person's name."""
    return {"title": [job.positions], "tags": [*job.basic_protection, *job.salary_benefits, *job.attendance_leave],
            "text": [job.description], "place": [job.address, job.first_area_des, job.second_area_des,
                                                 job.third_area_des, job.four_area_des]}


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


def card_texts(card: Seeker) -> dict[str, list[str]]:
    """What the search box searches in a card: never its name, address or phone."""
    return {"title": list(card.positions), "tags": [], "text": [card.description],
            "place": [card.first_area_des, card.second_area_des, card.third_area_des, card.four_area_des]}


def brute_force(jobs: list[Job], query_type: int, filt: dict, now: datetime) -> list[int]:
    """The ids `/jobs/list` must return, in order, computed from the rows themselves."""
    def wanted(job: Job) -> bool:
        if filt.get("positions") and filt["positions"] not in job.positions:
            return False
        if filt.get("salary_min") is not None and job.salary_max < filt["salary_min"]:
            return False
        if filt.get("salary_max") not in (None, -1) and job.salary_min > filt["salary_max"]:
            return False
        if not keyword_matches(job_texts(job), filt.get("keyword"), ("salary",),
                               {"salary_min": job.salary_min, "salary_max": job.salary_max}):
            return False
        if not all(filt.get(f"{level}_area_id") in (None, getattr(job, f"{level}_area_id"))
                   for level in ("first", "second", "third", "four")):
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
                and keyword_matches(card_texts(card), filt.get("keyword"), ("salary", "experience"),
                                    {"salary_min": card.salary_min, "salary_max": card.salary_max,
                                     "experience_years": card.experience_years}))

    return _listed(cards, 2, query_type, filt, now, wanted, point=published_point)


def published_point(card: Seeker) -> tuple[float, float]:
    """(longitude, latitude) a card shows: its exact point to the nearest 1/200 of a degree, halves away from
    zero (the grid of about 500 m)."""
    def grid(degrees) -> float:
        return float((Decimal(str(degrees)) * 200).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 200)

    return grid(card.longitude), grid(card.latitude)


def shop_texts(shop: Shop) -> dict[str, list[str]]:
    """What the search box searches in a shop: every published text and tag but the contact's name."""
    return {"title": [shop.title], "tags": [*shop.industry, *shop.facilities], "text": [shop.description],
            "place": [shop.address, shop.floor, shop.first_area_des, shop.second_area_des, shop.third_area_des,
                      shop.four_area_des]}


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
                and keyword_matches(shop_texts(shop), filt.get("keyword"), ("area",),
                                    {"area_m2": shop.area_tenths / 10}))

    return _listed(shops, 3, query_type, filt, now, wanted)


def listing_agrees(ids: list[int], expected: list[int], query_type: int, keyword: str | None, postings: list,
                   now: datetime) -> bool:
    """The engine's page is the reference's: in its exact order, but for the recommended list with a keyword
    (relevance order, which no brute force computes): the same postings, those on top first."""
    if query_type != 1 or not parse(" ".join(normalized_words(keyword))):
        return ids == expected
    tops = {p.id for p in postings if p.top_end_time is not None and p.top_end_time > now} & set(expected)
    return sorted(ids) == sorted(expected) and set(ids[:len(tops)]) == tops
