"""Deep pages: `cursor` (search_after) walks a list exactly as `page_num` does, past the 10,000 window
too; counts stop at COUNT_LIMIT and say so; a cursor of another list, or none of ours, is a 400."""

from __future__ import annotations

import base64

import orjson
import pytest
import pytest_asyncio

from runtime import clock
from search import listing
from sections.jobs import JOBS
from sections.jobs.samples import random_jobs
from tests.helpers.boards import seeded_board
from tests.helpers.reference import brute_force

SEEDED = 300
HERE = {"longitude": 116.397128, "latitude": 39.916527}
LISTS = [
    pytest.param(1, {}, id="recommended"),
    pytest.param(1, {"keyword": "服务员"}, id="recommended-keyword"),
    pytest.param(2, {**HERE, "distance_km": 30}, id="nearby"),
    pytest.param(3, {"salary_min": 6000}, id="latest"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def seeded(server):
    async with seeded_board(server, JOBS, random_jobs, SEEDED, "deep-owner", seed=11) as board:
        yield board


async def page(http, **body) -> dict:
    response = await http.post("/jobs/list", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


@pytest.mark.parametrize("query_type,filt", LISTS)
async def test_a_cursor_walks_the_list_as_page_numbers_do(seeded, query_type, filt):
    http, jobs = seeded
    by_number, number = [], 1
    while True:
        data = await page(http, query_type=query_type, filter=filt, page_num=number, page_size=7)
        by_number += [job["id"] for job in data["jobs"]]
        if len(data["jobs"]) < 7:
            break
        number += 1
    by_cursor, cursor, pages = [], None, 0
    while True:
        body = {"query_type": query_type, "filter": filt, "page_size": 7, "page_num": 9999}  # a cursor wins
        data = await page(http, **(body if cursor else {**body, "page_num": 1}), **({"cursor": cursor} if cursor else {}))
        by_cursor += [job["id"] for job in data["jobs"]]
        pages += 1
        cursor = data["cursor"]
        if cursor is None:
            break
    assert by_cursor == by_number and len(set(by_cursor)) == len(by_cursor) == data["total"]
    assert data["total_relation"] == "eq" and pages == -(-len(by_cursor) // 7)  # no empty page at the end
    if "keyword" not in filt:
        assert by_cursor == brute_force(jobs, query_type, filt, clock.now())


async def test_the_recommended_list_starts_with_its_live_tops(seeded):
    http, jobs = seeded
    now = clock.now()
    tops = {job.id for job in jobs if job.status == 1 and job.top_end_time and job.top_end_time > now}
    assert 7 < len(tops) < 100  # the seeded set has tops on a page and past it
    data = await page(http, query_type=1, page_size=7)
    assert all(item["is_top"] == 1 for item in data["jobs"]) and {i["id"] for i in data["jobs"]} <= tops


async def test_counts_stop_at_the_limit_and_say_so(seeded, monkeypatch):
    http, _ = seeded
    monkeypatch.setattr(listing, "COUNT_LIMIT", 20)
    exact = await page(http, query_type=3, filter={"salary_max": 3000}, page_size=5)
    assert 0 < exact["total"] < 20 and exact["total_relation"] == "eq"
    counted = await page(http, query_type=3, page_size=5)
    assert counted["total"] == 20 and counted["total_relation"] == "gte" and counted["cursor"]
    tops_and_rest = await page(http, query_type=1, page_size=5, filter={})
    assert tops_and_rest["total"] > 20 and tops_and_rest["total_relation"] == "gte"  # the tops, then 20 or more


async def test_a_page_past_the_window_is_refused_and_names_the_cursor(seeded):
    http, _ = seeded
    response = await http.post("/jobs/list", json={"query_type": 3, "page_num": 201, "page_size": 50})
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == 400 and "cursor" in answer["message"]
    assert (await http.post("/jobs/list", json={"query_type": 3, "page_num": 200, "page_size": 50})).status_code == 200


def crafted(*fields) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(fields))).decode().rstrip("=")


@pytest.mark.parametrize("cursor", ["not-a-cursor", "e30", "W10", "x" * 512, "é", crafted(1, "x", "a", [], None, 0)])
async def test_a_cursor_that_is_not_ours_is_a_400(seeded, cursor):
    http, _ = seeded
    response = await http.post("/jobs/list", json={"query_type": 3, "cursor": cursor})
    assert response.status_code == 400 and response.json()["code"] == 400
    assert "cursor" in response.json()["message"]


async def test_a_cursor_made_up_for_this_list_is_a_400_not_an_engine_error(seeded):
    http, _ = seeded
    latest = await page(http, query_type=3, page_size=5)
    raw = base64.urlsafe_b64decode(latest["cursor"] + "=" * (-len(latest["cursor"]) % 4))
    version, digest, part, after, point, shown = orjson.loads(raw)
    for fields in ((part, ["x", "y"], point, shown), (part, [1, 2, 3], point, shown), (part, [2**63 - 1, 1], point, shown),
                   ("o", [-1], point, shown), (part, after, [91, 0], shown), (part, after, point, -1)):
        response = await http.post("/jobs/list", json={"query_type": 3, "cursor": crafted(version, digest, *fields)})
        assert response.status_code == 400, fields
    far = await http.post("/jobs/list", json={"query_type": 3, "page_size": 50,
                                             "cursor": crafted(version, digest, "o", [10**9], None, 0)})
    assert far.status_code == 200 and far.json()["data"]["jobs"] == []  # an offset past the window: nothing


async def test_a_cursor_of_another_list_is_a_400(seeded):
    http, _ = seeded
    latest = await page(http, query_type=3, page_size=5)
    for other in ({"query_type": 1}, {"query_type": 3, "filter": {"salary_min": 6000}}):
        response = await http.post("/jobs/list", json={**other, "cursor": latest["cursor"]})
        assert response.status_code == 400 and "another list" in response.json()["message"]
    shops = await http.post("/shops/list", json={"query_type": 3, "cursor": latest["cursor"]})
    assert shops.status_code == 400
