"""The public detail may serve other viewers a row read up to JOB_DETAIL_CACHE_SECONDS ago (the hottest
read, kept a moment like the listing lags its index); the owner and this process's own writes never wait."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.job import Job
from models.job_reads import keep_recent_rows
from runtime import clock
from tests.helpers.api import login_as, post_job


@pytest.fixture
async def owner(client):
    return await login_as(client, "owner")


@pytest.fixture
def recent_rows(settings):
    """`recent_rows(seconds)` sets how long rows are kept; the session's setting again afterwards."""
    yield keep_recent_rows
    keep_recent_rows(settings.job_detail_cache_seconds)


async def positions(client, job_id: int, headers: dict | None = None) -> str:
    response = await client.post("/jobs/info", json={"job_id": job_id}, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()["data"]["positions"]


async def changed_by_another_process(job_id: int, text: str) -> None:
    """The row changed where this process cannot hear of it (another worker, the moderation CLI)."""
    await Job.filter(id=job_id).update(positions=text)


async def test_a_change_made_elsewhere_reaches_other_viewers_once_the_kept_row_is_old(client, owner, settings, travel):
    assert settings.job_detail_cache_seconds == 1.0
    job_id = await post_job(client, owner, positions="厨师")
    start = clock.now()
    travel(start)
    assert await positions(client, job_id) == "厨师"
    await changed_by_another_process(job_id, "面点师")
    assert await positions(client, job_id) == "厨师"  # the kept row, read less than a second ago
    travel(start + timedelta(seconds=1.1))
    assert await positions(client, job_id) == "面点师"


async def test_the_owner_always_sees_the_row_as_it_is(client, owner):
    job_id = await post_job(client, owner, positions="厨师")
    assert await positions(client, job_id) == "厨师"  # kept for other viewers
    await changed_by_another_process(job_id, "面点师")
    assert await positions(client, job_id, owner) == "面点师"


async def test_an_edit_through_the_api_shows_to_everyone_at_once(client, owner):
    job_id = await post_job(client, owner, positions="厨师")
    viewer = await login_as(client, "viewer")
    assert await positions(client, job_id, viewer) == "厨师"
    response = await client.post("/jobs/update", json={"id": job_id, "positions": "面点师"}, headers=owner)
    assert response.status_code == 200, response.text
    assert await positions(client, job_id, viewer) == "面点师"
    closed = await client.post("/job/close", json={"job_id": job_id}, headers=owner)
    assert closed.status_code == 200
    detail = (await client.post("/jobs/info", json={"job_id": job_id}, headers=viewer)).json()["data"]
    assert detail["status"] == 2 and detail["contact"] == ""


async def test_without_a_cache_time_every_detail_reads_the_row(client, owner, recent_rows):
    recent_rows(0)
    job_id = await post_job(client, owner, positions="厨师")
    assert await positions(client, job_id) == "厨师"
    await changed_by_another_process(job_id, "面点师")
    assert await positions(client, job_id) == "面点师"
