"""The write-path rule (models/posting_writes.py), endpoint by endpoint: every posting write moves `update_at`
and the version forward and adds exactly one outbox row, in one transaction: when the outbox row cannot be
written, nothing is. And the indexer is woken once that transaction has committed, never before, never for
a write rolled back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.transactions import in_transaction

from models import posting_writes
from models.job import Job
from models.outbox import IndexOutbox
from runtime import clock
from tests.helpers.api import login_as, outbox_reasons
from tests.helpers.postings import post_job, try_post
from tests.helpers.services import is_mysql

START = datetime(2026, 5, 1, 9, 30)

WRITES = {
    "update": ("/jobs/update", lambda job_id: {"id": job_id, "positions": "面点师"}),
    "close": ("/job/close", lambda job_id: {"job_id": job_id}),
    "refresh": ("/jobs/refresh", lambda job_id: {"job_id": job_id}),
}


async def _fail_outbox_inserts(settings) -> None:
    conn = connections.get("default")
    if is_mysql(settings):
        await conn.execute_script("CREATE TRIGGER outbox_down BEFORE INSERT ON index_outbox FOR EACH ROW "
                                  "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'outbox down'")
    else:
        await conn.execute_script("CREATE TRIGGER outbox_down BEFORE INSERT ON index_outbox "
                                  "BEGIN SELECT RAISE(ABORT, 'outbox down'); END;")


@pytest.fixture
async def outbox_down(client, settings):
    """Call it to make every outbox insert fail from then on (a database trigger); dropped afterwards."""
    armed = []

    async def arm():
        await _fail_outbox_inserts(settings)
        armed.append(True)

    yield arm
    if armed:
        await connections.get("default").execute_script("DROP TRIGGER IF EXISTS outbox_down")


@pytest.fixture
async def owner(client):
    return await login_as(client, "owner")


async def test_create_writes_the_job_and_one_outbox_row(client, owner, travel):
    travel(START)
    job_id = await post_job(client, owner)
    job = await Job.get(id=job_id)
    assert (job.version, job.create_at == job.update_at) == (1, True)
    assert [row.reason for row in await IndexOutbox.filter(biz_type=1, posting_id=job_id)] == ["create"]


async def test_a_create_whose_outbox_row_fails_leaves_no_job(client, owner, outbox_down):
    await outbox_down()
    response = await try_post(client, owner, "jobs")
    assert response.status_code == 500 and response.json()["code"] == 500
    assert await Job.all().count() == 0


@pytest.mark.parametrize("write", sorted(WRITES))
async def test_each_write_moves_update_at_and_version_and_adds_one_outbox_row(client, owner, travel, write):
    travel(START)
    job_id = await post_job(client, owner)
    before = await Job.get(id=job_id)
    travel(START + timedelta(minutes=5))
    path, body = WRITES[write]
    response = await client.post(path, json=body(job_id), headers=owner)
    assert response.status_code == 200, response.text
    after = await Job.get(id=job_id)
    assert after.update_at > before.update_at and after.update_at >= START + timedelta(minutes=5)
    assert after.version == before.version + 1
    assert await outbox_reasons(job_id) == ["create", write]


@pytest.mark.parametrize("write", sorted(WRITES))
async def test_a_write_whose_outbox_row_fails_changes_nothing(client, owner, outbox_down, write):
    job_id = await post_job(client, owner)
    (before,) = await Job.filter(id=job_id).values()
    await outbox_down()
    path, body = WRITES[write]
    response = await client.post(path, json=body(job_id), headers=owner)
    assert response.status_code == 500
    assert await Job.filter(id=job_id).values() == [before]


@pytest.fixture
def commits():
    """What a listener of committed posting writes saw each time it was called: was a transaction still
    open, and how many jobs were visible to a reader."""
    seen: list[dict] = []

    def listener():
        seen.append({"in_transaction": isinstance(connections.get("default"), TransactionalDBClient)})

    stop = posting_writes.on_commit(listener)
    yield seen
    stop()


async def _new_job(owner_id: int) -> Job:
    return await posting_writes.create_posting(
        Job, clock.now(), user_id=owner_id, positions="厨师", longitude=116.4, latitude=39.9, address="北京",
        contact="13800138000", description="", salary_min=1000, salary_max=2000)


async def test_the_indexer_is_woken_after_the_commit_of_each_write_not_inside_it(client, owner, commits):
    job = await _new_job(int(owner["user_id"]))
    assert commits == [{"in_transaction": False}]
    async with posting_writes.posting_transaction():
        locked = await Job.select_for_update().get(id=job.id)
        locked.positions = "面点师"
        await posting_writes.save_posting(locked, "update", clock.now(), ["positions"])  # a savepoint inside
        locked.positions = "厨师长"
        await posting_writes.save_posting(locked, "update", clock.now(), ["positions"])
        assert len(commits) == 1, "not before the outermost transaction has committed"
    assert len(commits) == 2 and commits[-1] == {"in_transaction": False}, "once for the whole transaction"


async def test_a_rolled_back_write_wakes_nothing(client, owner, commits):
    job = await _new_job(int(owner["user_id"]))
    with pytest.raises(ZeroDivisionError):
        async with posting_writes.posting_transaction():
            await posting_writes.save_posting(job, "update", clock.now(), ["positions"])
            1 / 0
    assert len(commits) == 1 and await IndexOutbox.filter(posting_id=job.id).count() == 1


async def test_a_posting_write_inside_a_transaction_it_does_not_own_is_refused(client, owner, commits):
    job = await _new_job(int(owner["user_id"]))
    with pytest.raises(RuntimeError, match="posting_transaction"):
        async with in_transaction():
            await posting_writes.save_posting(job, "update", clock.now(), ["positions"])
    assert len(commits) == 1
