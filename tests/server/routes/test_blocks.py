"""Blocking: a blocked user's postings leave the blocker's lists and details in every section, the blocked
user cannot reach the blocker's number (told as for a closed posting), neither shows in the other's contact
history; lists keep their one search and shared pages (the page cache keyed on a digest of the block set)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections

from indexer.sync import drain
from models.blocks import Block
from models.contacts import ContactHistory
from runtime.cache import connect_cache
from search.recent_pages import forget_pages, keep_pages
from sections import all_sections, by_name
from server.services import blocks as block_service
from server.services.blocks import BlockSets
from tests.helpers.api import login_as
from tests.helpers.payments import assert_ledger_adds_up
from tests.helpers.postings import post, post_job
from tests.helpers.services import LockBarrier, mysql_only

# A word of each section's example posting, for the search box.
KEYWORDS = {"jobs": "服务员", "seekers": "厨师", "shops": "火锅"}
HERE = {"longitude": 121.47, "latitude": 31.23}


async def _user_id(headers: dict) -> int:
    return int(headers["user_id"])


async def _block(client, headers, user_id: int, path: str = "/user/block"):
    return await client.post(path, json={"user_id": user_id}, headers=headers)


async def _ids(client, section: str, headers: dict | None = None, **body) -> list[int]:
    response = await client.post(f"/{section}/list", json={"page_size": 50, **body}, headers=headers or {})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"][section]]


async def _every_list(client, section: str, headers: dict | None) -> dict[str, list[int]]:
    return {"recommended": await _ids(client, section, headers, query_type=1),
            "nearby": await _ids(client, section, headers, query_type=2, filter=HERE),
            "latest": await _ids(client, section, headers, query_type=3),
            "keyword": await _ids(client, section, headers, query_type=1, filter={"keyword": KEYWORDS[section]}),
            "keyword latest": await _ids(client, section, headers, query_type=3,
                                         filter={"keyword": KEYWORDS[section]})}


async def _detail(client, section: str, posting_id: int, headers: dict | None = None):
    target = by_name(section).target
    return await client.post(f"/{section}/info", json={f"{target}_id": posting_id}, headers=headers or {})


async def test_block_unblock_and_the_list_of_blocked_users(client):
    me = await login_as(client, "me")
    others = [await login_as(client, name) for name in ("甲", "乙", "丙")]
    for other in others:
        assert (await _block(client, me, await _user_id(other))).status_code == 200
    assert (await _block(client, me, await _user_id(others[0]))).status_code == 200  # again: no change
    page = (await client.post("/user/blocks", json={"page_num": 1, "page_size": 2}, headers=me)).json()["data"]
    assert page["total"] == 3 and len(page["list"]) == 2
    rest = (await client.post("/user/blocks", json={"page_num": 2, "page_size": 2}, headers=me)).json()["data"]
    listed = [item["user_id"] for item in page["list"] + rest["list"]]
    assert sorted(listed) == sorted([await _user_id(other) for other in others])
    assert (await _block(client, me, await _user_id(others[1]), "/user/unblock")).status_code == 200
    assert (await _block(client, me, await _user_id(others[1]), "/user/unblock")).status_code == 200  # no change
    after = (await client.post("/user/blocks", json={}, headers=me)).json()["data"]
    assert after["total"] == 2 and await _user_id(others[1]) not in [item["user_id"] for item in after["list"]]
    assert (await client.post("/user/blocks", json={})).status_code == 401


async def test_blocking_oneself_no_such_user_or_past_the_cap_is_a_400_that_changes_nothing(client, tune):
    tune(max_blocks_per_user=2)
    me = await login_as(client, "me")
    others = [await _user_id(await login_as(client, name)) for name in ("甲", "乙", "丙")]
    for refused in (await _user_id(me), 987654321):
        answer = (await _block(client, me, refused)).json()
        assert answer["code"] == 400 and answer["data"] == {"user_id": refused}, answer
    for other in others[:2]:
        assert (await _block(client, me, other)).status_code == 200
    past = await _block(client, me, others[2])
    assert past.status_code == 400 and past.json()["data"] == {"limit": 2}
    assert (await _block(client, me, others[1])).status_code == 200  # one already blocked is no new block
    assert sorted(await Block.filter(user_id=await _user_id(me)).values_list("blocked_id", flat=True)) == others[:2]
    assert (await client.post("/user/block", json={"user_id": "x"}, headers=me)).status_code == 400


@mysql_only
async def test_concurrent_blocks_do_not_pass_the_cap_together(client, tune, settings):
    tune(max_blocks_per_user=2)
    me = await login_as(client, "me")
    others = [await _user_id(await login_as(client, f"other{n}")) for n in range(4)]
    async with LockBarrier(settings.resolved_database_url) as barrier:
        await barrier.lock("SELECT id FROM users WHERE id = %s FOR UPDATE", await _user_id(me))
        calls = [asyncio.create_task(_block(client, me, other)) for other in others]
        await barrier.wait_for(4, waiting_in="FOR UPDATE")  # all four wait on the blocker's row at once
    assert sorted(response.status_code for response in await asyncio.gather(*calls)) == [200, 200, 400, 400]
    assert await Block.filter(user_id=await _user_id(me)).count() == 2


@pytest.mark.parametrize("section", [section.name for section in all_sections() if section.name in KEYWORDS])
async def test_a_blocked_users_postings_leave_every_list_and_detail_of_the_blocker_only(client, app, section):
    pest, fine = await login_as(client, "pest"), await login_as(client, "fine")
    me, other = await login_as(client, "me"), await login_as(client, "other")
    theirs, kept = await post(client, pest, section), await post(client, fine, section)
    await drain(app.ctx.search.client)
    before = await _every_list(client, section, me)
    assert all(sorted(ids) == sorted([theirs, kept]) for ids in before.values()), before
    assert (await _block(client, me, await _user_id(pest))).status_code == 200
    forget_pages()  # the same pages, asked again (the page cache has its own test below)
    assert await _every_list(client, section, me) == {name: [kept] for name in before}
    assert (await _detail(client, section, theirs, me)).json()["code"] == 404
    assert (await _detail(client, section, kept, me)).status_code == 200
    for someone in (other, None, pest):  # nobody else's lists change, the blocked user's own neither
        assert all(sorted(ids) == sorted([theirs, kept])
                   for ids in (await _every_list(client, section, someone)).values())
        assert (await _detail(client, section, theirs, someone)).status_code == 200
    assert (await _block(client, me, await _user_id(pest), "/user/unblock")).status_code == 200
    forget_pages()
    assert all(sorted(ids) == sorted([theirs, kept]) for ids in (await _every_list(client, section, me)).values())
    assert (await _detail(client, section, theirs, me)).status_code == 200


async def _cost(client, headers, posting_id: int, purpose_type: int = 1):
    return await client.post("/contact_voucher/cost", json={"purpose_id": posting_id, "purpose_type": purpose_type},
                             headers=headers)


async def test_a_blocked_user_cannot_unlock_the_blockers_number_and_is_told_as_for_a_closed_posting(client, tune):
    owner = await login_as(client, "owner")
    tune(free_contact_vouchers=3)
    pest = await login_as(client, "pest")
    blocked_job, closed_job = await post_job(client, owner), await post_job(client, owner)
    await client.post("/job/close", json={"job_id": closed_job}, headers=owner)
    assert (await _block(client, owner, await _user_id(pest))).status_code == 200
    refused, closed = await _cost(client, pest, blocked_job), await _cost(client, pest, closed_job)
    assert refused.status_code == closed.status_code == 400
    as_closed = closed.json()
    as_closed["data"]["job_id"] = blocked_job
    assert refused.json() == as_closed  # word for word, but the id it was asked about
    assert await ContactHistory.filter(user_id=await _user_id(pest)).count() == 0
    assert await assert_ledger_adds_up(await _user_id(pest)) == 3  # no voucher spent
    # The blocker, for their part, cannot reach the blocked user's postings: not found, as their detail.
    pests_job = await post_job(client, pest)
    assert (await _cost(client, owner, pests_job)).json()["code"] == 404
    # Unblocked: the number can be unlocked again.
    await _block(client, owner, await _user_id(pest), "/user/unblock")
    assert (await _cost(client, pest, blocked_job)).status_code == 200


async def test_an_earlier_unlock_does_not_reach_a_blocker_either(client, app, tune):
    owner = await login_as(client, "owner")
    tune(free_contact_vouchers=1)
    pest = await login_as(client, "pest")
    job_id = await post_job(client, owner)
    assert (await _cost(client, pest, job_id)).status_code == 200
    shown = (await client.post("/jobs/info", json={"job_id": job_id}, headers=pest)).json()["data"]
    assert shown["contact_unlocked"] and "*" not in shown["contact"]
    await _block(client, owner, await _user_id(pest))
    assert (await _cost(client, pest, job_id)).json()["code"] == 400
    # Nor does the number stay shown to them: masked again in the detail and the lists.
    shown = (await client.post("/jobs/info", json={"job_id": job_id}, headers=pest)).json()["data"]
    assert (shown["contact_unlocked"], "****" in shown["contact"]) == (False, True)
    await drain(app.ctx.search.client)
    forget_pages()
    listed = await client.post("/jobs/list", json={"query_type": 3}, headers=pest)
    assert [(job["contact_unlocked"], "****" in job["contact"]) for job in listed.json()["data"]["jobs"]] == \
        [(False, True)]
    await _block(client, owner, await _user_id(pest), "/user/unblock")
    assert (await client.post("/jobs/info", json={"job_id": job_id}, headers=pest)).json()["data"]["contact_unlocked"]


async def _history(client, headers, way: str) -> list[int]:
    response = await client.post(f"/contact_history/{way}", json={"biz_type": 1}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["purpose_user_id"] for item in response.json()["data"]["list"]]


async def test_neither_shows_in_the_others_contact_history_while_a_block_lasts(client, tune):
    tune(free_contact_vouchers=5)
    owner, caller, third = [await login_as(client, name) for name in ("owner", "caller", "third")]
    job_id = await post_job(client, owner)
    for who in (caller, third):
        assert (await _cost(client, who, job_id)).status_code == 200
    ids = {name: await _user_id(headers) for name, headers in (("owner", owner), ("caller", caller),
                                                               ("third", third))}
    assert sorted(await _history(client, owner, "in")) == sorted([ids["caller"], ids["third"]])
    for blocker, blocked in ((owner, caller), (caller, owner)):  # either way round
        await _block(client, blocker, await _user_id(blocked))
        assert await _history(client, owner, "in") == [ids["third"]]
        assert await _history(client, caller, "out") == []
        assert await _history(client, third, "out") == [ids["owner"]]
        page = (await client.post("/contact_history/in", json={"biz_type": 1}, headers=owner)).json()["data"]
        assert page["total"] == 1
        await _block(client, blocker, await _user_id(blocked), "/user/unblock")
        assert await _history(client, caller, "out") == [ids["owner"]]


async def test_pages_are_shared_by_block_free_viewers_and_never_with_a_blocker(client, app, monkeypatch):
    keep_pages(60)  # every page kept through the test, however slow the machine
    try:
        pest, fine = await login_as(client, "pest"), await login_as(client, "fine")
        blocker, other = await login_as(client, "blocker"), await login_as(client, "other")
        same_blocks = await login_as(client, "same")
        theirs = [await post_job(client, pest) for _ in range(3)]
        kept = [await post_job(client, fine) for _ in range(3)]
        await drain(app.ctx.search.client)
        for headers in (blocker, same_blocks):
            await _block(client, headers, await _user_id(pest))
        searches: list[str] = []
        transport = app.ctx.search.client.transport
        perform_request = transport.perform_request

        async def counted(method, target, **kwargs):
            searches.append(target)
            return await perform_request(method, target, **kwargs)

        monkeypatch.setattr(transport, "perform_request", counted)
        everyone = sorted(theirs + kept)
        assert sorted(await _ids(client, "jobs", None, query_type=3)) == everyone
        assert sorted(await _ids(client, "jobs", other, query_type=3)) == everyone
        assert len(searches) == 1  # a block-free viewer shares the anonymous page
        assert sorted(await _ids(client, "jobs", blocker, query_type=3)) == sorted(kept)
        assert sorted(await _ids(client, "jobs", same_blocks, query_type=3)) == sorted(kept)
        assert len(searches) == 2  # the blocker's page is its own, shared by whoever blocks the same
        assert sorted(await _ids(client, "jobs", other, query_type=3)) == everyone  # after the blocker's

        # Paged with cursors: the blocker's pages never hold a blocked posting; another's never lose one.
        async def paged(headers) -> list[int]:
            seen, cursor = [], None
            while True:
                body = {"query_type": 3, "page_size": 2, **({"cursor": cursor} if cursor else {})}
                data = (await client.post("/jobs/list", json=body, headers=headers or {})).json()["data"]
                seen += [item["id"] for item in data["jobs"]]
                if not (cursor := data["cursor"]) or not data["jobs"]:
                    return seen

        assert sorted(await paged(blocker)) == sorted(kept)
        assert sorted(await paged(other)) == everyone
        assert sorted(await paged(None)) == everyone
        assert sorted(await paged(blocker)) == sorted(kept)  # its kept pages, after the others'
    finally:
        keep_pages(app.ctx.settings.listing_cache_seconds)


async def test_a_blockers_listing_reads_its_block_set_from_redis_not_the_database(client, app, monkeypatch):
    pest, fine, me = await login_as(client, "pest"), await login_as(client, "fine"), await login_as(client, "me")
    theirs, kept = await post_job(client, pest), await post_job(client, fine)
    await drain(app.ctx.search.client)
    await _block(client, me, await _user_id(pest))
    assert await _ids(client, "jobs", me, query_type=3) == [kept]  # the set read once, then kept
    forget_pages()
    queries: list[str] = []
    database = connections.get("default")
    execute_query = database.execute_query

    async def counted(query, values=None):
        queries.append(query)
        return await execute_query(query, values)

    monkeypatch.setattr(database, "execute_query", counted)
    assert await _ids(client, "jobs", me, query_type=3) == [kept]
    assert len(queries) == 1 and "contact_history" in queries[0]  # the unlocks only
    monkeypatch.undo()
    # A block or unblock drops the kept set: the next list follows at once.
    await _block(client, me, await _user_id(pest), "/user/unblock")
    assert sorted(await _ids(client, "jobs", me, query_type=3)) == sorted([theirs, kept])


async def test_a_fill_that_read_before_a_block_does_not_put_the_old_set_back(client, app, monkeypatch):
    me, pest = await login_as(client, "me"), await login_as(client, "pest")
    sets = BlockSets(app.ctx.cache)
    read, go_on = asyncio.Event(), asyncio.Event()
    blocked_by = block_service.blocked_by

    async def slow_read(user_id):
        found = await blocked_by(user_id)  # the set before the block
        read.set()
        await go_on.wait()
        return found

    monkeypatch.setattr(block_service, "blocked_by", slow_read)
    filling = asyncio.create_task(sets.of(await _user_id(me)))
    await asyncio.wait_for(read.wait(), 10)  # the fill has read the database: the block comes after it
    monkeypatch.setattr(block_service, "blocked_by", blocked_by)
    await block_service.block(sets, await _user_id(me), await _user_id(pest), 500)
    go_on.set()
    assert await filling == frozenset()  # what it read, served to its own request
    assert await sets.of(await _user_id(me)) == {await _user_id(pest)}  # but never kept


async def test_redis_away_a_block_still_holds_read_from_the_database(client, app):
    me, pest = await login_as(client, "me"), await login_as(client, "pest")
    await block_service.block(app.ctx.blocks, await _user_id(me), await _user_id(pest), 500)
    refused = connect_cache("redis://127.0.0.1:1/0", connect_timeout=0.5, socket_timeout=0.5)
    try:
        assert await BlockSets(refused).of(await _user_id(me)) == {await _user_id(pest)}
    finally:
        await refused.aclose()


async def test_a_blocked_users_postings_leave_the_blockers_favourites_while_the_block_lasts(client):
    pest, fine, me = await login_as(client, "pest"), await login_as(client, "fine"), await login_as(client, "me")
    theirs, kept = await post_job(client, pest), await post_job(client, fine)
    for job_id in (theirs, kept):
        assert (await client.post("/job/collect", json={"job_id": job_id}, headers=me)).status_code == 200

    async def favourites(headers) -> tuple[list[int], int]:
        data = (await client.post("/collect/my", json={}, headers=headers)).json()["data"]
        return sorted(item["job_id"] for item in data["list"]), data["total"]

    assert await favourites(me) == (sorted([theirs, kept]), 2)
    await _block(client, me, await _user_id(pest))
    assert await favourites(me) == ([kept], 1)
    await _block(client, me, await _user_id(pest), "/user/unblock")
    assert await favourites(me) == (sorted([theirs, kept]), 2)
