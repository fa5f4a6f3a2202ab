"""A worker's card cannot be linked to the person: no item shown to someone else carries the owner's account
id, and the typed address is the owner's (others, and the search index, see the area names)."""

from __future__ import annotations

import pytest

from indexer.sync import drain
from tests.helpers.api import login_as
from tests.helpers.postings import SEED_CARD, SEED_JOB, post, post_job

STREET = "上海市静安区南京西路1266号恒隆广场"
AREA = "上海市静安区"  # the card's province, city and district names, repeats dropped


@pytest.fixture
async def worker(client):
    return await login_as(client, "worker")


@pytest.fixture
async def employer(client, tune):
    tune(free_contact_vouchers=2)
    return await login_as(client, "employer")


async def data(client, path: str, headers: dict, **body):
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def leaks(value, worker_id: int) -> list[str]:
    """Where `value` (an answer's data) holds the worker's account id or typed street address."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("user_id", "purpose_user_id") and inner == worker_id:
                found.append(key)
            found += [f"{key}.{where}" for where in leaks(inner, worker_id)]
    elif isinstance(value, list):
        found += [where for inner in value for where in leaks(inner, worker_id)]
    elif isinstance(value, str) and "南京西路" in value:
        found.append(repr(value))
    return found


async def test_nothing_shown_to_others_links_a_card_to_its_owner(client, app, worker, employer):
    worker_id = int(worker["user_id"])
    # The same person's shop-like job post, to join to by the account id.
    await post_job(client, worker, SEED_JOB)
    card_id = await post(client, worker, "seekers", address=STREET)
    await drain(app.ctx.search.client)

    seen = {
        "list": await data(client, "/seekers/list", employer, query_type=3),
        "nearby": await data(client, "/seekers/list", {}, query_type=2,
                             filter={"longitude": SEED_CARD["longitude"], "latitude": SEED_CARD["latitude"]}),
        "detail": await data(client, "/seekers/info", employer, seeker_id=card_id),
        "anonymous detail": await data(client, "/seekers/info", {}, seeker_id=card_id),
        "unlocked": await data(client, "/contact_voucher/cost", employer, purpose_type=2, purpose_id=card_id),
        "history": await data(client, "/contact_history/out", employer, biz_type=2),
    }
    await data(client, "/seeker/collect", employer, seeker_id=card_id)
    seen["favourites"] = await data(client, "/collect/my", employer, biz_type=2)
    assert {where: leaks(answer, worker_id) for where, answer in seen.items()} == dict.fromkeys(seen, [])
    [listed] = seen["list"]["seekers"]
    assert "user_id" not in listed and listed["address"] == seen["detail"]["address"] == AREA
    assert seen["favourites"]["list"][0]["address"] == seen["history"]["list"][0]["address"] == AREA
    assert seen["unlocked"]["purpose_user_id"] == 0

    # The search index holds the area names, not the street: its words find nothing.
    response = await app.ctx.search.client.search(index="seekers", query={"match_all": {}})
    assert [hit["_source"]["address"] for hit in response["hits"]["hits"]] == [AREA]
    by_street = await data(client, "/seekers/list", {}, query_type=3, filter={"keyword": "南京西路"})
    assert by_street["seekers"] == []

    # The text stays the owner's: their detail and "my postings" show it.
    assert (await data(client, "/seekers/info", worker, seeker_id=card_id))["address"] == STREET
    mine = await data(client, "/jobs/my", worker, biz_type=2)
    assert [c["address"] for c in mine["contacts"]] == [STREET]


async def test_jobs_keep_the_seeds_user_id(client, app, worker):
    job_id = await post_job(client, worker, SEED_JOB)
    await drain(app.ctx.search.client)
    [listed] = (await data(client, "/jobs/list", {}, query_type=3))["jobs"]
    assert listed["user_id"] == int(worker["user_id"]) and listed["address"] == SEED_JOB["address"]
    assert (await data(client, "/jobs/info", {}, job_id=job_id))["user_id"] == int(worker["user_id"])
