"""`POST /jobs/list` against brute force over a seeded set of jobs, served by the search engine."""

from __future__ import annotations

import pytest
import pytest_asyncio

from runtime import clock
from search.documents import POSITION_PARTS
from sections.jobs import JOBS
from sections.jobs.samples import random_jobs
from tests.helpers.boards import seeded_board
from tests.helpers.reference import brute_force

SEEDED_JOBS = 2000
PAGE = 50

FILTERS = [
    {},
    {"positions": "厨师"},
    {"positions": "厨师长"},
    {"positions": "不存在的岗位"},
    {"salary_min": 8000, "salary_max": 12000},
    {"salary_min": 15000, "salary_max": -1},
    {"salary_max": 5000},
    {"basic_protection": ["社保", "公积金"]},
    {"salary_benefits": ["节日福利"], "attendance_leave": ["双休"]},
    {"positions": "服务员", "salary_min": 6000, "basic_protection": ["社保"], "attendance_leave": []},
]
HERE = {"longitude": 116.397128, "latitude": 39.916527}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def seeded(server):
    async with seeded_board(server, JOBS, random_jobs, SEEDED_JOBS, "seed-owner") as board:
        yield board


async def listing(http, **body) -> dict:
    response = await http.post("/jobs/list", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def walk(http, query_type: int, filt: dict, pages: int | None = None) -> tuple[list[int], int, list[dict]]:
    ids, items, page, total = [], [], 1, None
    while pages is None or page <= pages:
        data = await listing(http, query_type=query_type, filter=filt, page_num=page, page_size=PAGE)
        total = data["total"]
        items += data["jobs"]
        ids += [job["id"] for job in data["jobs"]]
        if len(data["jobs"]) < PAGE:
            break
        page += 1
    return ids, total, items


@pytest.mark.parametrize("filt", FILTERS)
@pytest.mark.parametrize("query_type", [1, 3])
async def test_recommended_and_latest_match_brute_force(seeded, query_type, filt):
    http, jobs = seeded
    expected = brute_force(jobs, query_type, filt, clock.now())
    assert expected or filt.get("positions") == "不存在的岗位"  # the seeded data exercises the filter
    ids, total, _ = await walk(http, query_type, filt, pages=3)
    assert total == len(expected)
    assert ids == expected[: 3 * PAGE]


@pytest.mark.parametrize("filt", [{}, {"distance_km": 5}, {"distance_km": 4, "positions": "厨师"},
                                  {"salary_min": 9000, "basic_protection": ["社保"]}])
async def test_nearby_matches_brute_force_with_distances(seeded, filt):
    http, jobs = seeded
    filt = {**filt, **HERE}
    expected = brute_force(jobs, 2, filt, clock.now())
    assert expected
    ids, total, items = await walk(http, 2, filt, pages=3)
    assert total == len(expected)
    assert ids == expected[: 3 * PAGE]
    distances = [item["distance"] for item in items]
    assert distances == sorted(distances)
    if filt.get("distance_km"):
        assert all(d <= filt["distance_km"] * 1000 + 1 for d in distances)


async def test_walking_every_page_never_repeats_or_skips(seeded):
    http, jobs = seeded
    expected = brute_force(jobs, 1, {}, clock.now())
    ids, total, _ = await walk(http, 1, {})
    assert len(ids) == len(set(ids)) == total == len(expected)
    assert ids == expected


async def test_items_have_the_seed_shape(seeded):
    http, jobs = seeded
    data = await listing(http, request_id="1234567", query_type=1, filter={}, page_num=1, page_size=5)
    assert data["request_id"] == "1234567"
    item = data["jobs"][0]
    by_id = {job.id: job for job in jobs}
    job = by_id[item["id"]]
    assert item["is_top"] == 1 and job.top_end_time > clock.now()  # tops come first
    for key in ("id", "user_id", "positions", "longitude", "latitude", "address", "contact",
                "contact_person_name", "description", "photo_urls", "status", "first_area_id", "first_area_des",
                "second_area_id", "second_area_des", "third_area_id", "third_area_des", "four_area_id",
                "four_area_des", "salary_min", "salary_max", "create_at", "update_at", "is_top",
                "top_start_time", "top_end_time", "last_refresh_time"):
        assert key in item, key
    assert item["create_at"] == clock.fmt(job.create_at)
    assert item["top_end_time"] == clock.fmt(job.top_end_time)
    assert isinstance(item["longitude"], float) and item["status"] == 1
    assert "location" not in item and "rank_time" not in item and POSITION_PARTS not in item


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"query_type": 2, "filter": {}}, "longitude"),
        ({"query_type": 4}, "query_type"),
        ({"page_num": 0}, "page_num"),
        ({"page_size": 51}, "page_size"),
        ({"page_num": 201, "page_size": 50}, "page too deep"),
        ({"filter": {"salary_min": 9000, "salary_max": 8000}}, "salary_min"),
        ({"filter": {"salary_max": -2}}, "salary_max"),
        ({"filter": {"basic_protection": "社保"}}, "basic_protection"),
        ({"filter": {"longitude": 200, "latitude": 0}}, "longitude"),
    ],
)
async def test_bad_listing_requests_are_400(seeded, body, fragment):
    http, _ = seeded
    response = await http.post("/jobs/list", json=body)
    assert response.status_code == 400
    assert fragment in str(response.json()), response.json()
