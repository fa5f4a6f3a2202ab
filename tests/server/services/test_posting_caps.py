"""Posting caps: one account has at most so many open postings per section, and publishes at most so many a
Shanghai day; past a cap the create is a 400 naming it, and nothing is stored. Concurrent creates and an
operator's restore cannot get past them."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from models.job import Job
from models.shop import Shop
from sections.jobs import JOBS
from server.services import moderation
from server.services.errors import NothingToRestore
from server.services.posting_caps import PostingCaps
from tests.helpers.api import login_as
from tests.helpers.concurrency import meet_at_the_content_check
from tests.helpers.postings import post, try_post

MORNING = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
async def owner(client):
    return await login_as(client, "owner")


def refused_by(response, cap: str) -> bool:
    return response.status_code == 400 and response.json()["code"] == 400 and response.json()["data"]["cap"] == cap


async def test_open_postings_are_capped_per_section(client, owner, tune):
    tune(max_open_postings={"jobs": 2, "shops": 1}, max_new_postings_per_day=0)
    first = await post(client, owner, "jobs")
    assert (await try_post(client, owner, "jobs")).status_code == 200
    third = await try_post(client, owner, "jobs")
    assert refused_by(third, "max_open_postings"), third.text
    assert third.json()["data"] == {"cap": "max_open_postings", "section": "jobs", "limit": 2}
    assert await Job.filter(user_id=int(owner["user_id"])).count() == 2
    # Another section has its own cap; closing a job frees a place.
    assert (await try_post(client, owner, "shops")).status_code == 200
    assert refused_by(await try_post(client, owner, "shops"), "max_open_postings")
    await client.post("/job/close", json={"job_id": first}, headers=owner)
    assert (await try_post(client, owner, "jobs")).status_code == 200
    # Another account is not counted with this one.
    assert (await try_post(client, await login_as(client, "other"), "jobs")).status_code == 200


async def test_new_postings_are_capped_per_shanghai_day(client, owner, tune, travel):
    tune(max_new_postings_per_day=2)
    travel(MORNING)
    for _ in range(2):
        job_id = await post(client, owner, "jobs")
        await client.post("/job/close", json={"job_id": job_id}, headers=owner)  # closed ones count too
    travel(datetime(2026, 3, 2, 23, 59, 59))
    refused = await try_post(client, owner, "jobs")
    assert refused_by(refused, "max_new_postings_per_day"), refused.text
    assert await Job.all().count() == 2
    travel(datetime(2026, 3, 3, 0, 0))  # a new Shanghai day
    assert (await try_post(client, owner, "jobs")).status_code == 200


async def test_concurrent_creates_stop_at_the_cap(client, owner, tune, monkeypatch):
    tune(max_open_postings={"shops": 2}, max_new_postings_per_day=0)
    meet_at_the_content_check(monkeypatch, 4)  # only the look under the owner's row lock can refuse two
    answers = await asyncio.gather(*(try_post(client, owner, "shops") for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 400, 400]
    assert await Shop.filter(user_id=int(owner["user_id"])).count() == 2


async def test_an_operators_restore_cannot_pass_the_open_cap(client, owner, tune):
    tune(max_new_postings_per_day=0, max_open_postings={"jobs": 1})
    caps = PostingCaps(open_per_section={"jobs": 1}, new_per_day=0)
    down = await post(client, owner, "jobs")
    await moderation.take_down(JOBS, down, "ops-li", "checking")
    other = await post(client, owner, "jobs")
    with pytest.raises(NothingToRestore, match="1 open jobs"):
        await moderation.restore(JOBS, down, "ops-li", "appeal accepted", caps)
    assert (await Job.get(id=down)).status == 2
    await client.post("/job/close", json={"job_id": other}, headers=owner)
    await moderation.restore(JOBS, down, "ops-li", "appeal accepted", caps)
    assert (await Job.get(id=down)).status == 1


def test_the_default_caps():
    caps = PostingCaps()
    assert (caps.open_per_section, caps.new_per_day) == ({"jobs": 20, "shops": 10}, 10)
