"""The public detail may serve other viewers a row read up to JOB_DETAIL_CACHE_SECONDS ago (the hottest
read, kept a moment like the listing lags its index); the owner and this process's own writes never wait."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from models import posting_reads
from models.job import Job
from models.posting_reads import keep_recent_rows
from models.posting_writes import save_posting
from runtime import clock
from server.services import postings as postings_service
from tests.helpers.api import login_as
from tests.helpers.postings import post_job
from tests.helpers.services import mysql_only


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


@pytest.fixture
def held(monkeypatch):
    """`held(module, name)`: the next call of that function does its work, then waits until `release` is
    set; `reached` is set once it waits. Only the first call is held."""
    class Hold:
        reached, release = asyncio.Event(), asyncio.Event()

    def apply(module, name: str) -> type[Hold]:
        original = getattr(module, name)

        async def holding(*args, **kwargs):
            result = await original(*args, **kwargs)
            if not Hold.reached.is_set():
                Hold.reached.set()
                await Hold.release.wait()
            return result

        monkeypatch.setattr(module, name, holding)
        return Hold

    return apply


@mysql_only
async def test_a_detail_read_while_an_edit_commits_is_not_kept_past_it(client, owner, held):
    """A viewer who reads while the edit's transaction is still open gets the old row (not committed yet),
    and it must not stay kept once the edit has answered 200."""
    job_id = await post_job(client, owner, positions="厨师")
    viewer = await login_as(client, "viewer")
    hold = held(postings_service, "save_posting")  # the edit has written the row, its transaction is still open
    edit = asyncio.create_task(client.post("/jobs/update", json={"id": job_id, "positions": "面点师"}, headers=owner))
    await asyncio.wait_for(hold.reached.wait(), 10)
    assert await positions(client, job_id, viewer) == "厨师"  # read (and kept) while the edit is uncommitted
    assert not edit.done()  # the read overlapped the edit
    hold.release.set()
    assert (await edit).status_code == 200
    assert await positions(client, job_id, viewer) == "面点师"


@mysql_only
async def test_a_detail_read_before_an_edit_committed_but_kept_after_it_is_not_kept(client, owner, held):
    """The other order: the viewer's read of the row happens before the edit commits, its keeping after
    the edit dropped the kept row."""
    job_id = await post_job(client, owner, positions="厨师")
    viewer = await login_as(client, "viewer")
    hold = held(posting_reads, "posting_by_id")  # the viewer's row is read, not yet kept
    read = asyncio.create_task(positions(client, job_id, viewer))
    await asyncio.wait_for(hold.reached.wait(), 10)
    edit = await client.post("/jobs/update", json={"id": job_id, "positions": "面点师"}, headers=owner)
    assert edit.status_code == 200 and not read.done()  # the edit answered while the read was in flight
    hold.release.set()
    assert await read == "厨师"  # read before the commit: the old row, for this one request
    assert await positions(client, job_id, viewer) == "面点师"


async def test_a_job_write_inside_a_foreign_transaction_is_refused(client, owner):
    """No commit hook in Tortoise: a job write must own its outermost transaction (posting_transaction),
    else its kept row would be dropped before the commit."""
    job_id = await post_job(client, owner, positions="厨师")
    job = await Job.get(id=job_id)
    job.positions = "面点师"
    with pytest.raises(RuntimeError, match="posting_transaction"):
        async with in_transaction():
            await save_posting(job, "update", clock.now(), ["positions"])
    assert (await Job.get(id=job_id)).positions == "厨师"
