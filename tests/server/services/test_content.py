"""What users publish goes through WeChat's content security: risky text refused, review flagged, and a
job stored when WeChat has no verdict, checked again in the background."""

from __future__ import annotations

import pytest

from models.job import Job
from models.moderation import ModerationAction
from models.user import User
from server.providers.content_check import ContentCheckUnavailable
from server.services import content, moderation
from tests.helpers.api import listed_now, login_as, outbox_reasons
from tests.helpers.postings import SEED_JOB, post_job, try_post
from sections.jobs import JOBS


async def test_the_development_word_is_refused_naming_the_field(client):
    owner = await login_as(client, "owner")
    response = await try_post(client, owner, "jobs", description="招聘违禁测试")
    assert (response.status_code, response.json()["data"]) == (400, {"field": "description"})
    assert response.json()["message"].startswith("description was refused by content security")
    assert await Job.all().count() == 0
    job_id = await post_job(client, owner)
    response = await client.post("/jobs/update", json={"id": job_id, "positions": "违禁测试"}, headers=owner)
    assert response.status_code == 400 and (await Job.get(id=job_id)).positions == SEED_JOB["positions"]
    response = await client.post("/user/update/info", json={"name": "违禁测试"}, headers=owner)
    assert response.status_code == 400 and response.json()["data"] == {"field": "name"}


async def test_wechat_sees_every_published_text_in_one_call_with_the_owners_openid(client, wechat_content):
    owner = await login_as(client, "owner")
    await post_job(client, owner, user_name="段先生", basic_protection=["社保", "包吃住"])
    [checked] = wechat_content.text_checks
    for text in (SEED_JOB["positions"], SEED_JOB["description"], SEED_JOB["address"], "段先生",
                 SEED_JOB["four_area_des"], "社保，包吃住"):
        assert text in checked["content"]
    assert (checked["scene"], checked["version"]) == (3, 2)


async def test_a_risky_text_anywhere_is_refused_naming_its_field(client, wechat_content):
    owner = await login_as(client, "owner")
    for field, value in (("four_area_des", "risky-word"), ("salary_benefits", ["奖金", "risky-word"])):
        response = await try_post(client, owner, "jobs", **{field: value})
        assert (response.status_code, response.json()["data"]) == (400, {"field": field}), response.text
    assert await Job.all().count() == 0


async def test_a_job_wechat_refuses_to_judge_does_not_hold_up_the_others(client, app, wechat_content):
    stale, fresh = await login_as(client, "stale"), await login_as(client, "fresh")
    wechat_content.text_checks_busy = True
    stuck = await post_job(client, stale)
    fine = await post_job(client, fresh)
    wechat_content.text_checks_busy = False
    wechat_content.stale_openids.add((await User.get(id=int(stale["user_id"]))).openid)
    # One at a time: the refused one is passed over, the next round goes on after it.
    outcomes, cursor = await content.recheck_pending(JOBS, app.ctx.content_check, limit=1)
    assert (outcomes, cursor) == ({"still pending": 1}, stuck)
    assert await content.recheck_pending(JOBS, app.ctx.content_check, limit=1, after_id=cursor) == ({"pass": 1}, fine)
    assert [(await Job.get(id=i)).content_check for i in (stuck, fine)] == ["pending", ""]


async def test_review_is_stored_listed_and_flagged(client, app, wechat_content):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner, description="包吃住 review-word")
    assert (await Job.get(id=job_id)).content_check == "review"
    assert job_id in await listed_now(client, app)
    assert [(row["job_id"], row["content_check"]) for row in await moderation.flagged(JOBS, 10)] == [(job_id, "review")]
    await client.post("/jobs/update", json={"id": job_id, "description": "包吃住"}, headers=owner)
    assert (await Job.get(id=job_id)).content_check == ""  # the edited texts passed


async def test_risky_from_wechat_is_refused(client, wechat_content):
    owner = await login_as(client, "owner")
    response = await try_post(client, owner, "jobs", address="某路 risky-word")
    assert response.status_code == 400 and response.json()["data"] == {"field": "address"}


async def test_wechat_busy_stores_the_job_and_the_background_check_decides(client, app, wechat_content):
    owner = await login_as(client, "owner")
    wechat_content.text_checks_busy = True
    fine = await post_job(client, owner)
    bad = await post_job(client, owner, description="高薪 risky-word")
    assert {(await Job.get(id=i)).content_check for i in (fine, bad)} == {"pending"}
    with pytest.raises(ContentCheckUnavailable):  # still busy: the round ends, nothing decided
        await content.recheck_pending(JOBS, app.ctx.content_check)
    assert {(await Job.get(id=i)).content_check for i in (fine, bad)} == {"pending"}

    wechat_content.text_checks_busy = False
    assert await content.recheck_pending(JOBS, app.ctx.content_check) == ({"pass": 1, "risky": 1}, 0)
    assert (await Job.get(id=fine)).content_check == ""
    hidden = await Job.get(id=bad)
    assert (hidden.content_check, hidden.status, hidden.moderation) == ("risky", 2, "hidden")
    assert await listed_now(client, app) == [fine]
    audit = await ModerationAction.get()
    assert (audit.actor, audit.action, audit.target_id) == ("system", "hide", bad)
    assert "description" in audit.reason


async def test_an_edit_of_any_published_text_is_checked(client, wechat_content):
    """Not only positions and description: an edit of the address, the contact name, an area name or a
    tag is refused when risky (naming the field, the job unchanged) and flagged when WeChat wants review."""
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    for sent, value, field in (
        ("address", "某路 risky-word", "address"), ("user_name", "risky-word", "contact_person_name"),
        ("first_area_des", "risky-word", "first_area_des"), ("second_area_des", "risky-word", "second_area_des"),
        ("third_area_des", "risky-word", "third_area_des"), ("four_area_des", "risky-word", "four_area_des"),
        ("basic_protection", ["社保", "risky-word"], "basic_protection"),
        ("salary_benefits", ["risky-word"], "salary_benefits"), ("attendance_leave", ["risky-word"], "attendance_leave"),
    ):
        response = await client.post("/jobs/update", json={"id": job_id, sent: value}, headers=owner)
        assert (response.status_code, response.json()["data"]) == (400, {"field": field}), (sent, response.text)
    assert await outbox_reasons(job_id) == ["create"]  # nothing was stored
    response = await client.post("/jobs/update", json={"id": job_id, "address": "某路 review-word"}, headers=owner)
    assert response.status_code == 200 and (await Job.get(id=job_id)).content_check == "review"
