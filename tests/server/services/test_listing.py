"""Identical listing requests share the engine's answer for LISTING_CACHE_SECONDS: one search per page
and moment, however many visitors open the home page; a failed answer is never kept."""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta

import pytest
from elastic_transport import ConnectionError as EngineConnectionError

from indexer.sync import drain
from runtime import clock
from search.recent_pages import forget_pages
from search.geo import METRES_PER_DEGREE, arc_distance_m, grid_cell
from server.services import listing as listing_service
from tests.helpers.api import login_as
from tests.helpers.postings import post, post_job

HOME = {"query_type": 1, "page_num": 1, "page_size": 10}


class Searches(list):
    """The targets of the searches sent; `hold` (cleared) keeps them waiting, `fail` makes them fail."""

    def __init__(self):
        super().__init__()
        self.hold = asyncio.Event()
        self.fail = False


@pytest.fixture
async def searches(client, app, monkeypatch):
    """The engine searches the app sends, counted at the engine client's transport; `hold` keeps them
    waiting until set."""
    owner = await login_as(client, "owner")
    for _ in range(3):
        await post_job(client, owner)
    await drain(app.ctx.search.client)
    transport = app.ctx.search.client.transport  # shared by the client copies .options() makes
    perform_request = transport.perform_request
    sent = Searches()
    sent.hold.set()

    async def counted_request(method, target, **kwargs):
        sent.append(target)
        await sent.hold.wait()
        if sent.fail:
            raise EngineConnectionError("engine unreachable (test)")
        return await perform_request(method, target, **kwargs)

    monkeypatch.setattr(transport, "perform_request", counted_request)
    return sent


async def test_identical_listings_at_once_are_one_engine_search(client, searches, monkeypatch):
    arrived = 0
    search_listing = listing_service.search_listing

    async def counted_listing(*args):
        nonlocal arrived
        arrived += 1
        return await search_listing(*args)

    monkeypatch.setattr(listing_service, "search_listing", counted_listing)
    searches.hold.clear()
    requests = [asyncio.create_task(client.post("/jobs/list", json=HOME)) for _ in range(8)]
    for _ in range(500):  # until all eight are inside the listing while the one search is held
        if arrived == 8:
            break
        await asyncio.sleep(0.01)
    assert arrived == 8 and len(searches) == 1
    searches.hold.set()
    answers = [(await request).json() for request in requests]
    assert all(answer == answers[0] for answer in answers) and answers[0]["data"]["total"] == 3
    assert len(searches) == 1


async def test_a_page_is_asked_again_once_its_answer_is_old(client, searches, travel):
    start = clock.now()
    travel(start)
    for _ in range(3):
        assert (await client.post("/jobs/list", json=HOME)).status_code == 200
    assert len(searches) == 1
    other_page = await client.post("/jobs/list", json={**HOME, "query_type": 3})
    assert other_page.status_code == 200 and len(searches) == 2
    travel(start + timedelta(seconds=1.1))
    assert (await client.post("/jobs/list", json=HOME)).status_code == 200
    assert len(searches) == 3


async def test_a_failed_answer_is_not_kept(client, searches):
    searches.fail = True
    assert (await client.post("/jobs/list", json=HOME)).status_code == 503
    searches.fail = False
    answer = await client.post("/jobs/list", json=HOME)
    assert answer.status_code == 200 and answer.json()["data"]["total"] == 3 and len(searches) == 2


async def test_a_job_this_process_indexes_is_listed_at_once(client, app, searches):
    assert (await client.post("/jobs/list", json=HOME)).json()["data"]["total"] == 3
    owner = await login_as(client, "owner")
    await post_job(client, owner)
    await drain(app.ctx.search.client)
    assert (await client.post("/jobs/list", json=HOME)).json()["data"]["total"] == 4


def _in_one_cell(metres: float) -> tuple[dict, dict, dict]:
    """Two points about 30 m apart in one cell of the grid, and one 2 km away."""
    row, col = grid_cell(39.9, 116.4, metres)
    step = metres / METRES_PER_DEGREE
    lat = (row + 0.5) * step
    width = step / math.cos(math.radians(lat))
    lon = (col + 0.5) * width
    near = {"latitude": lat, "longitude": lon}
    return near, {"latitude": lat + 0.0002, "longitude": lon + 0.0001}, {"latitude": lat + 0.018, "longitude": lon}


async def test_nearby_callers_a_few_metres_apart_share_a_page_with_their_own_distances(client, app, searches):
    near, beside, far = _in_one_cell(app.ctx.settings.nearby_share_metres)
    assert grid_cell(near["latitude"], near["longitude"], 100) == grid_cell(beside["latitude"], beside["longitude"], 100)
    pages = []
    for point in (near, beside):
        answer = await client.post("/jobs/list", json={"query_type": 2, "filter": point})
        assert answer.status_code == 200
        pages.append(answer.json()["data"]["jobs"])
    assert len(searches) == 1 and [j["id"] for j in pages[0]] == [j["id"] for j in pages[1]]
    for point, jobs in zip((near, beside), pages, strict=True):
        assert [job["distance"] for job in jobs] == [
            round(arc_distance_m(point["latitude"], point["longitude"], job["latitude"], job["longitude"]))
            for job in jobs]
    assert pages[0][0]["distance"] != pages[1][0]["distance"]
    assert (await client.post("/jobs/list", json={"query_type": 2, "filter": far})).status_code == 200
    assert len(searches) == 2  # another cell: its own page


async def test_a_write_drops_only_its_own_sections_pages(client, app, searches):
    owner = await login_as(client, "owner")
    listed = {"query_type": 3}  # not the home page: the page cache alone
    await post(client, owner, "shops")
    await drain(app.ctx.search.client)

    def asked(section: str) -> int:
        return sum(1 for target in searches if target.startswith(f"/{section}/_search"))

    for name in ("jobs", "shops"):
        assert (await client.post(f"/{name}/list", json=listed, headers=owner)).status_code == 200
    assert asked("jobs") == asked("shops") == 1
    await post(client, owner, "shops")
    await drain(app.ctx.search.client)
    assert (await client.post("/jobs/list", json=listed, headers=owner)).status_code == 200
    assert asked("jobs") == 1  # the jobs' page kept
    shops = await client.post("/shops/list", json=listed, headers=owner)
    assert asked("shops") == 2 and shops.json()["data"]["total"] == 2  # the shops' page asked again


@pytest.fixture
def handled(monkeypatch):
    """How many list requests reached the list service (the rest were answered from kept bytes)."""
    calls = []
    list_postings = listing_service.list_postings

    async def counted(*args, **kwargs):
        calls.append(args[0].name)
        return await list_postings(*args, **kwargs)

    monkeypatch.setattr(listing_service, "list_postings", counted)
    return calls


HOME_BODIES = [{}, HOME, {**HOME, "request_id": "1234567"}, {**HOME, "request_id": 42, "filter": {}},
               {"page_size": 5, "filter": None}]


@pytest.mark.parametrize("body", HOME_BODIES)
async def test_the_home_page_is_answered_from_kept_bytes_as_the_handler_answers_it(client, app, searches, handled,
                                                                                  body):
    forget_pages()  # what any kept page or home page was made from is gone
    first = await client.post("/jobs/list", json=body)
    kept = await client.post("/jobs/list", json=body)
    assert first.status_code == kept.status_code == 200 and len(handled) == 1
    assert kept.content == first.content and kept.headers["content-type"] == first.headers["content-type"]
    data = kept.json()["data"]
    assert data["total"] == 3 and len(data["jobs"]) == min(3, body.get("page_size", 10))
    assert data.get("request_id") == (None if "request_id" not in body else str(body["request_id"]))


@pytest.mark.parametrize("body", [
    {**HOME, "page_num": 2}, {**HOME, "query_type": 3}, {**HOME, "query_type": "1"}, {**HOME, "filter": {"positions": "厨"}},
    {**HOME, "request_id": " padded "},
])
async def test_anything_but_the_plain_home_page_goes_through_the_handler(client, handled, body):
    await client.post("/jobs/list", json=HOME)
    for _ in range(2):
        assert (await client.post("/jobs/list", json=body)).status_code == 200
    assert len(handled) == 3


@pytest.mark.parametrize("body", [{**HOME, "request_id": True}, {**HOME, "cursor": "x"}, {**HOME, "page_size": 51},
                                  {**HOME, "request_id": "x" * 65}, {**HOME, "page_num": 0},
                                  {**HOME, "request_id": "a\x00b"}, {**HOME, "request_id": "a\u200bb"}])
async def test_a_home_page_body_with_a_wrong_field_is_refused_as_ever(client, body):
    await client.post("/jobs/list", json=HOME)
    response = await client.post("/jobs/list", json=body)
    assert response.status_code == 400 and response.json()["code"] == 400


async def test_a_logged_in_visitor_is_never_answered_from_the_kept_home_page(client, handled):
    owner = await login_as(client, "owner")
    for _ in range(2):
        assert (await client.post("/jobs/list", json=HOME, headers=owner)).status_code == 200
    assert len(handled) == 2


async def test_the_kept_home_page_lasts_a_moment_and_its_own_sections_writes_drop_it(client, app, handled, travel):
    start = clock.now()
    travel(start)
    owner = await login_as(client, "owner")
    await client.post("/jobs/list", json=HOME)
    await post(client, owner, "shops")
    await drain(app.ctx.search.client)
    await client.post("/jobs/list", json=HOME)
    assert handled == ["jobs"]  # a shop's write left the jobs' home page kept
    await post_job(client, owner)
    await drain(app.ctx.search.client)
    answer = await client.post("/jobs/list", json=HOME)
    assert handled == ["jobs", "jobs"] and answer.json()["data"]["total"] == 1  # the new job at once
    travel(clock.now() + timedelta(seconds=app.ctx.settings.listing_cache_seconds + 0.1))
    await client.post("/jobs/list", json=HOME)
    assert handled == ["jobs", "jobs", "jobs"]
