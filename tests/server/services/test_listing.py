"""Identical listing requests share the engine's answer for LISTING_CACHE_SECONDS: one search per page
and moment, however many visitors open the home page; a failed answer is never kept."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from elastic_transport import ConnectionError as EngineConnectionError

from indexer.sync import drain
from runtime import clock
from server.services import listing as listing_service
from tests.helpers.api import login_as
from tests.helpers.postings import post_job

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
