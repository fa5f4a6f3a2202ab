"""Contacts: masked numbers, one voucher per unlocked posting, never spent twice, never below zero, the
histories and the ledger that always adds up to the balance."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections

from indexer.sync import drain
from models.contacts import ContactHistory
from models.vouchers import VoucherLedger
from search.recent_pages import forget_pages
from server.services import moderation
from tests.helpers.api import login_as
from tests.helpers.postings import SEED_JOB, post_job
from tests.helpers.payments import assert_ledger_adds_up, vouchers
from tests.helpers.services import LockBarrier, mysql_only
from sections.jobs import JOBS

MASKED = "138****1234"
# The barrier of the race tests holds the balance row: requests must wait on the spend's own lock of it.
LOCK_BALANCE = "SELECT user_id FROM contact_voucher_accounts WHERE user_id = %s FOR UPDATE"
pytestmark = pytest.mark.usefixtures("ledger_invariant")


async def _worker(client, tune, name: str = "worker", vouchers: int = 0) -> dict:
    tune(free_contact_vouchers=vouchers)
    return await login_as(client, name)


async def _cost(client, headers, job_id: int, **extra):
    return await client.post("/contact_voucher/cost", json={"purpose_id": job_id, "purpose_type": 1, **extra},
                             headers=headers)


async def _info(client, job_id: int, headers=None) -> dict:
    return (await client.post("/jobs/info", json={"job_id": job_id}, headers=headers or {})).json()["data"]


async def _listing(client, headers=None) -> dict[int, dict]:
    response = await client.post("/jobs/list", json={"query_type": 3, "page_size": 50}, headers=headers or {})
    assert response.status_code == 200, response.text
    return {job["id"]: job for job in response.json()["data"]["jobs"]}


async def test_a_number_is_masked_for_all_but_the_owner_and_those_who_unlocked_it(client, app, tune):
    owner = await login_as(client, "owner")
    landline = await post_job(client, owner, contact="010-12345678")
    mobile = await post_job(client, owner)
    unlocker = await _worker(client, tune, "unlocker", vouchers=1)
    other = await _worker(client, tune, "other", vouchers=1)
    assert (await _cost(client, unlocker, mobile)).status_code == 200
    await drain(app.ctx.search.client)
    viewers = {"anonymous": {}, "bad token": {"Authorization": "Bearer nope"}, "owner": owner,
               "unlocker": unlocker, "other": other}
    expected = {  # viewer: (mobile's contact, unlocked), (landline's contact, unlocked)
        "anonymous": ((MASKED, False), ("010-****5678", False)),
        "bad token": ((MASKED, False), ("010-****5678", False)),
        "owner": ((SEED_JOB["contact"], True), ("010-12345678", True)),
        "unlocker": ((SEED_JOB["contact"], True), ("010-****5678", False)),
        "other": ((MASKED, False), ("010-****5678", False)),
    }
    for viewer, headers in viewers.items():
        listed = await _listing(client, headers)
        for job_id, (contact, unlocked) in zip((mobile, landline), expected[viewer], strict=True):
            detail = await _info(client, job_id, headers)
            assert (detail["contact"], detail["contact_unlocked"]) == (contact, unlocked), (viewer, job_id)
            assert (listed[job_id]["contact"], listed[job_id]["contact_unlocked"]) == (contact, unlocked), viewer


async def test_a_logged_in_listing_is_one_search_and_one_unlock_read(client, app, tune, monkeypatch):
    owner = await login_as(client, "owner")
    jobs = [await post_job(client, owner) for _ in range(5)]
    worker = await _worker(client, tune, vouchers=2)
    for job_id in jobs[:2]:
        await _cost(client, worker, job_id)
    await drain(app.ctx.search.client)
    # Counted where the app sends them: the database connection's queries and the engine client's searches.
    queries: list[str] = []
    searches: list[str] = []
    database = connections.get("default")
    transport = app.ctx.search.client.transport  # shared by the client copies that .options() makes
    execute_query, perform_request = database.execute_query, transport.perform_request

    async def counted_query(query, values=None):
        queries.append(query)
        return await execute_query(query, values)

    async def counted_request(method, target, **kwargs):
        searches.append(target)
        return await perform_request(method, target, **kwargs)

    await _listing(client, worker)  # the viewer's block set, read once from the database, is then kept in Redis
    forget_pages()
    monkeypatch.setattr(database, "execute_query", counted_query)
    monkeypatch.setattr(transport, "perform_request", counted_request)

    listed = await _listing(client, worker)
    assert sorted(job_id for job_id, job in listed.items() if job["contact_unlocked"]) == sorted(jobs[:2])
    assert (len(searches), len(queries)) == (1, 1) and "_search" in searches[0] and "contact_history" in queries[0]
    queries.clear(), searches.clear()
    forget_pages()  # the same page again would be the answer of a moment ago, without a search
    await _listing(client)
    assert (len(searches), len(queries)) == (1, 0)  # anonymous: no database at all


async def test_the_posting_decides_whom_the_call_reaches(client, tune):
    owner = await login_as(client, "owner")
    await client.post("/user/update/info", json={"name": "段先生"}, headers=owner)
    job_id = await post_job(client, owner, user_name="段先生")
    worker = await _worker(client, tune, vouchers=1)
    spoof = {"purpose_user_id": int(worker["user_id"]), "purpose_user_name": "骗子", "purpose_user_phone": "13900000000"}
    response = await _cost(client, worker, job_id, **spoof)
    assert response.status_code == 200, response.text
    assert response.json() == {"code": 0, "message": "", "data": {
        "purpose_id": job_id, "purpose_user_id": int(owner["user_id"]), "name": "段先生",
        "phone": SEED_JOB["contact"], "contact_voucher_num": 0}}
    out = (await client.post("/contact_history/out", json={}, headers=worker)).json()["data"]
    assert [(i["purpose_user_id"], i["purpose_user_phone"]) for i in out["list"]] == [
        (int(owner["user_id"]), SEED_JOB["contact"])]


async def test_a_second_contact_of_a_posting_costs_nothing(client, tune):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    worker = await _worker(client, tune, vouchers=3)
    answers = [(await _cost(client, worker, job_id)).json()["data"] for _ in range(3)]
    assert answers[0] == answers[1] == answers[2] and answers[0]["contact_voucher_num"] == 2
    records = await vouchers(client, worker)
    assert [(r["type"], r["title"], r["change_num"]) for r in records["list"]] == [
        ("cost", "拨打电话", -1), ("gift", "新用户赠送", 3)]
    assert await assert_ledger_adds_up(int(worker["user_id"])) == 2


async def test_no_voucher_left_is_402_and_changes_nothing(client, tune):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    worker = await _worker(client, tune)
    response = await _cost(client, worker, job_id)
    assert (response.status_code, response.json()["code"]) == (402, 402)
    assert "/contact_voucher/buy" in response.json()["message"]
    assert response.json()["data"] == {"contact_voucher_num": 0}
    assert await ContactHistory.all().count() == 0 and await VoucherLedger.all().count() == 0
    assert (await _info(client, job_id, worker))["contact"] == MASKED


async def test_what_cannot_be_contacted(client, tune):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    closed = await post_job(client, owner)
    await client.post("/job/close", json={"job_id": closed}, headers=owner)
    worker = await _worker(client, tune, vouchers=1)
    for headers, body, status, message in (
        (owner, {"purpose_id": job_id}, 400, "this is your own job"),
        (worker, {"purpose_id": closed}, 400, "this job is closed"),
        (worker, {"purpose_id": 987654}, 404, "Not Found"),
        (worker, {"purpose_id": job_id, "purpose_type": 4}, 400, "invalid purpose_type"),
        (worker, {"purpose_id": job_id, "purpose_type": 2}, 404, "Not Found"),  # a card's id, not a job's
        (worker, {"purpose_id": job_id, "purpose_type": 3}, 404, "Not Found"),  # a shop's id, not a job's
        (worker, {"purpose_id": "abc"}, 400, "invalid purpose_id"),
        ({}, {"purpose_id": job_id}, 401, "Unauthorized"),
    ):
        response = await client.post("/contact_voucher/cost", json=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (status, status), (body, response.text)
        assert response.json()["message"].startswith(message), response.text
    assert await ContactHistory.all().count() == 0
    assert await assert_ledger_adds_up(int(worker["user_id"])) == 1


@mysql_only
async def test_concurrent_contacts_spend_at_most_the_balance(client, tune, settings):
    owner = await login_as(client, "owner")
    jobs = [await post_job(client, owner) for _ in range(4)]
    worker = await _worker(client, tune, vouchers=2)
    user_id = int(worker["user_id"])
    async with LockBarrier(settings.resolved_database_url) as barrier:
        await barrier.lock(LOCK_BALANCE, user_id)
        calls = [asyncio.create_task(_cost(client, worker, job_id)) for job_id in jobs]
        await barrier.wait_for(4, waiting_in="FOR UPDATE")  # all four wait on the spend's lock at once
    statuses = sorted(response.status_code for response in await asyncio.gather(*calls))
    assert statuses == [200, 200, 402, 402]
    assert await ContactHistory.filter(user_id=user_id).count() == 2
    assert await assert_ledger_adds_up(user_id) == 0


@mysql_only
async def test_concurrent_contacts_of_one_posting_spend_one_voucher(client, tune, settings):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    worker = await _worker(client, tune, vouchers=3)
    user_id = int(worker["user_id"])
    async with LockBarrier(settings.resolved_database_url) as barrier:
        await barrier.lock(LOCK_BALANCE, user_id)
        calls = [asyncio.create_task(_cost(client, worker, job_id)) for _ in range(4)]
        await barrier.wait_for(4, waiting_in="FOR UPDATE")
    responses = await asyncio.gather(*calls)
    assert [r.status_code for r in responses] == [200] * 4
    assert {r.json()["data"]["contact_voucher_num"] for r in responses} == {2}
    assert await ContactHistory.filter(user_id=user_id).count() == 1
    assert await assert_ledger_adds_up(user_id) == 2


async def test_histories_both_ways_newest_first(client, tune):
    owner = await login_as(client, "owner")
    await client.post("/user/update/info", json={"name": "段先生"}, headers=owner)
    first = await post_job(client, owner, positions="保洁", user_name="段先生")
    second = await post_job(client, owner, positions="厨师", user_name="段先生")
    worker = await _worker(client, tune, vouchers=2)
    await client.post("/user/update/info", json={"name": "小王"}, headers=worker)
    await _cost(client, worker, first)
    await _cost(client, worker, second)
    out = (await client.post("/contact_history/out", json={"biz_type": 1, "page_num": 1, "page_size": 1},
                             headers=worker)).json()["data"]
    assert out["total"] == 2 and [i["id"] for i in out["list"]] == [second]
    item = out["list"][0]
    assert set(item) == {"id", "contact_id", "positions", "address", "purpose_user_id", "purpose_user_name",
                         "purpose_user_phone", "create_at", "status", "unavailable"}
    assert (item["positions"], item["purpose_user_name"], item["purpose_user_phone"]) == (
        "厨师", "段先生", SEED_JOB["contact"])
    incoming = (await client.post("/contact_history/in", json={}, headers=owner)).json()["data"]
    assert [i["id"] for i in incoming["list"]] == [second, first]
    worker_phone = (await client.get("/user/info", headers=worker)).json()["data"]["phone"]
    assert {(i["purpose_user_id"], i["purpose_user_name"], i["purpose_user_phone"]) for i in incoming["list"]} == {
        (int(worker["user_id"]), "小王", worker_phone)}
    assert (await client.post("/contact_history/in", json={"biz_type": 2}, headers=owner)).json()["data"] == {
        "list": [], "total": 0}
    assert (await client.post("/contact_history/out", json={}, headers=owner)).json()["data"]["total"] == 0


@pytest.mark.parametrize("gift", [0, 2])
async def test_a_new_user_gets_the_configured_free_vouchers(client, tune, gift):
    worker = await _worker(client, tune, vouchers=gift)
    records = await vouchers(client, worker)
    assert records["contact_voucher_num"] == gift
    assert [(r["type"], r["change_num"]) for r in records["list"]] == ([("gift", gift)] if gift else [])
    tune(free_contact_vouchers=5)
    await login_as(client, "worker")  # registering again is a login: no second gift
    assert (await vouchers(client, worker))["contact_voucher_num"] == gift


async def test_where_numbers_are_not_sold_a_contact_is_free(client, tune):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    worker = await _worker(client, tune)
    tune(mask_contacts=False)
    response = await _cost(client, worker, job_id)
    assert response.status_code == 200 and response.json()["data"]["contact_voucher_num"] == 0
    assert (await client.post("/contact_history/out", json={}, headers=worker)).json()["data"]["total"] == 1
    assert await VoucherLedger.all().count() == 0


async def test_a_closed_job_shows_no_number_even_to_who_unlocked_it(client, tune):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    worker = await _worker(client, tune, vouchers=1)
    await _cost(client, worker, job_id)
    await client.post("/job/close", json={"job_id": job_id}, headers=owner)
    detail = await _info(client, job_id, worker)
    assert (detail["contact"], detail["contact_unlocked"]) == ("", False)


async def test_a_token_that_is_not_utf8_is_anonymous_or_401(client):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    for raw in (b"\xff", b"Bearer \xc3"):
        headers = {"Authorization": raw}
        assert (await client.post("/jobs/list", json={}, headers=headers)).status_code == 200
        assert (await client.post("/jobs/info", json={"job_id": job_id}, headers=headers)).status_code == 200
        assert (await _cost(client, headers, job_id)).status_code == 401


@mysql_only
async def test_two_users_contacting_at_once_neither_deadlocks(client, tune):
    owner = await login_as(client, "owner")
    jobs = [await post_job(client, owner) for _ in range(6)]
    workers = [await _worker(client, tune, f"worker{n}", vouchers=3) for n in range(2)]
    calls = [_cost(client, worker, job_id) for job_id in jobs for worker in workers]
    statuses = [response.status_code for response in await asyncio.gather(*calls)]
    assert sorted(statuses) == [200] * 6 + [402] * 6


async def test_a_taken_down_or_closed_job_shows_in_my_contacts_as_the_detail_shows_it(client, tune):
    owner = await login_as(client, "owner")
    taken_down, closed, kept = [await post_job(client, owner, positions=name, user_name="段先生")
                                for name in ("骗局", "厨师", "面点师")]
    worker = await _worker(client, tune, vouchers=3)
    for job_id in (taken_down, closed, kept):
        assert (await _cost(client, worker, job_id)).status_code == 200
    await moderation.take_down(JOBS, taken_down, "ops-li", "fraud confirmed")
    assert (await client.post("/job/close", json={"job_id": closed}, headers=owner)).status_code == 200
    out = (await client.post("/contact_history/out", json={}, headers=worker)).json()["data"]
    shown = {item["id"]: (item["positions"], item["address"], item["purpose_user_name"],
                          item["purpose_user_phone"], item["status"], item["unavailable"]) for item in out["list"]}
    assert out["total"] == 3 and shown == {
        taken_down: ("", "", "", "", 2, True),  # as /jobs/info: nothing of it (404 there)
        closed: ("厨师", SEED_JOB["address"], "段先生", "", 2, False),  # as /jobs/info: its texts, no number
        kept: ("面点师", SEED_JOB["address"], "段先生", SEED_JOB["contact"], 1, False)}
    assert (await client.post("/jobs/info", json={"job_id": taken_down}, headers=worker)).status_code == 404
    # The owner's own view of who contacted them is unchanged.
    incoming = (await client.post("/contact_history/in", json={}, headers=owner)).json()["data"]
    assert {item["id"]: item["positions"] for item in incoming["list"]} == {
        taken_down: "骗局", closed: "厨师", kept: "面点师"}
