"""The listing rules computed by brute force from the rows themselves: the reference the engine must match."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime

from models.job import Job
from models.samples import WELFARE


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
        if not keyword_matches(job_texts(job), filt.get("keyword")):
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
