"""Trust and safety: reports, the automatic hide, an operator's takedown, restore and ban, the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.job import Job
from models.moderation import ModerationAction, Report
from models.user import User
from runtime import clock
from server.services import moderation
from server.services.auth import TokenStore
from server.services.errors import NothingToRestore
from tests.helpers.commands import moderation_command
from tests.helpers.api import change_job, listed_now, login_as
from tests.helpers.postings import post_job
from sections.jobs import JOBS


async def _report(client, headers, job_id, reason="fraud", **extra):
    return await client.post("/job/report", json={"job_id": job_id, "reason": reason, **extra}, headers=headers)


async def _audit() -> list[tuple]:
    return [(a.actor, a.action, a.target_type, a.target_id) for a in await ModerationAction.all().order_by("id")]


async def test_a_report_is_one_per_user_and_job_and_never_of_your_own(client):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    worker = await login_as(client, "worker")
    assert (await _report(client, worker, job_id, text="收押金后联系不上")).status_code == 200
    for headers, body, status, message in (
        (worker, {"job_id": job_id, "reason": "other"}, 400, "you have already reported this job"),
        (owner, {"job_id": job_id, "reason": "fraud"}, 400, "you cannot report your own job"),
        (worker, {"job_id": 987654, "reason": "fraud"}, 404, "Not Found"),
        (worker, {"job_id": job_id, "reason": "spam"}, 400, "invalid reason"),
        (worker, {"job_id": job_id, "reason": "fraud", "text": "x" * 501}, 400, "invalid text"),
        ({}, {"job_id": job_id, "reason": "fraud"}, 401, "Unauthorized"),
    ):
        response = await client.post("/job/report", json=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (status, status), (body, response.text)
        assert response.json()["message"].startswith(message), response.text
    stored = await Report.all()
    assert [(r.reason, r.text) for r in stored] == [("fraud", "收押金后联系不上")]


async def test_enough_reporters_hide_a_job_until_an_operator_decides(client, app, tune):
    tune(report_hide_threshold=2, report_min_account_age_hours=0)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    other = await post_job(client, owner)
    await _report(client, await login_as(client, "a"), job_id)
    assert job_id in await listed_now(client, app)  # one reporter is not enough
    await _report(client, await login_as(client, "b"), job_id, reason="false_information")
    assert await listed_now(client, app) == [other]
    mine = (await client.post("/jobs/my", json={}, headers=owner)).json()["data"]["contacts"]
    assert {item["id"]: (item["status"], item["moderation"]) for item in mine}[job_id] == (2, "hidden")
    edit = await client.post("/jobs/update", json={"id": job_id, "positions": "厨师"}, headers=owner)
    assert edit.status_code == 400  # the owner cannot bring it back by editing
    assert await _audit() == [("system", "hide", "job", job_id)]
    summary = await moderation.reported(JOBS, 10, moderation.ReportRules.from_settings(app.ctx.settings))
    assert summary[0]["job_id"] == job_id and summary[0]["reporters"] == 2 and summary[0]["state"] == "hidden"
    assert summary[0]["reasons"] == ["false_information", "fraud"]

    await moderation.restore(JOBS, job_id, "ops-li", "reports unfounded")
    assert job_id in await listed_now(client, app)
    # Decided: the reports before the decision no longer count; as many new reporters hide it again.
    await _report(client, await login_as(client, "c"), job_id)
    assert job_id in await listed_now(client, app)
    await _report(client, await login_as(client, "d"), job_id)
    assert (await Job.get(id=job_id)).moderation == "hidden"


async def test_an_operator_takes_a_job_down_and_it_leaves_the_listing(client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    assert job_id in await listed_now(client, app)
    await moderation.take_down(JOBS, job_id, "ops-li", "fraud confirmed by phone")
    assert job_id not in await listed_now(client, app)
    assert (await client.post("/jobs/info", json={"job_id": job_id})).status_code == 404  # its texts too
    mine = (await client.post("/jobs/info", json={"job_id": job_id}, headers=owner)).json()["data"]
    assert mine["status"] == 2
    assert await _audit() == [("ops-li", "takedown", "job", job_id)]
    action = await ModerationAction.get()
    assert action.reason == "fraud confirmed by phone" and action.create_at is not None


async def test_a_banned_user_cannot_log_in_post_or_pay_and_their_jobs_go(client, app):
    owner = await login_as(client, "owner")
    jobs = [await post_job(client, owner) for _ in range(2)]
    bystander = await login_as(client, "bystander")
    kept = await post_job(client, bystander)
    user_id = int(owner["user_id"])
    tokens = TokenStore.from_settings(app.ctx.cache, app.ctx.settings)
    assert sorted(await moderation.ban(user_id, "ops-li", "scam ring", tokens)) == sorted(("job", job) for job in jobs)
    for response in (await client.get("/user/info", headers=owner), await client.post("/job/create", json={},
                                                                                           headers=owner)):
        assert (response.status_code, response.json()["message"]) == (403, "this account is banned")
    for path, body in (("/wechat/user/login", {"login_code": "test:owner"}),
                       ("/wechat/user/register", {"login_code": "test:owner", "phone_code": "test:owner"})):
        response = await client.post(path, json=body)
        assert (response.status_code, response.json()["message"]) == (403, "this account is banned"), path
    assert await listed_now(client, app) == [kept]
    assert [a[1] for a in await _audit()] == ["ban", "takedown", "takedown"]

    await moderation.unban(user_id, "ops-li", "appeal accepted", tokens)
    assert (await client.get("/user/info", headers=owner)).status_code == 401  # the old token died with the ban
    assert (await client.post("/wechat/user/login", json={"login_code": "test:owner"})).status_code == 200
    assert await listed_now(client, app) == [kept]  # their jobs stay down until restored one by one
    assert (await _audit())[-1] == ("ops-li", "unban", "user", user_id)
    assert await tokens.cache.exists(f"auth:user-tokens:{user_id}")  # the new login's token


async def test_the_moderation_command(client, settings):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _report(client, await login_as(client, "worker"), job_id)
    run = moderation_command(settings)

    code, out, _ = await run("reports")
    assert code == 0 and f"job_id={job_id}" in out and "reporters=1" in out and "state=open" in out
    code, out, _ = await run("takedown", str(job_id), "--section", "jobs", "--by", "ops-li", "--reason", "fraud")
    assert code == 0 and f"job {job_id} taken down" in out and "left to the app's drainer" in out
    assert (await Job.get(id=job_id)).moderation == "taken_down"
    code, _, err = await run("restore", "987654", "--section", "jobs", "--by", "ops-li", "--reason", "x")
    assert code == 1 and "job not found" in err
    code, out, _ = await run("audit")
    assert code == 0 and "actor=ops-li" in out and "action=takedown" in out and f"target=job {job_id}" in out
    code, _, err = await run("takedown", str(job_id), "--section", "jobs", "--by", "ops-li")
    assert code == 2 and "--reason" in err


@pytest.mark.parametrize("reason", ["fraud", "false_information", "discrimination", "other"])
async def test_every_listed_reason_is_accepted(client, reason):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    assert (await _report(client, await login_as(client, "worker"), job_id, reason=reason)).status_code == 200


async def test_a_token_issued_as_the_ban_lands_is_refused_and_an_order_too(client, app):
    owner = await login_as(client, "owner")
    user_id = int(owner["user_id"])
    tokens = TokenStore.from_settings(app.ctx.cache, app.ctx.settings)
    await moderation.ban(user_id, "ops-li", "scam", tokens)
    late = await tokens.issue(user_id)  # a login that passed its ban check a moment before
    for path in ("/user/info",):
        assert (await client.get(path, headers={"Authorization": late})).status_code == 403
    response = await client.post("/contact_voucher/buy", json={"contact_voucher_num": 1, "price": 3.99},
                                  headers={"Authorization": late})
    assert response.status_code == 403


async def test_a_banned_owners_hidden_job_stays_down(client, app, tune):
    tune(report_hide_threshold=1, report_min_account_age_hours=0)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _report(client, await login_as(client, "a"), job_id)
    assert (await Job.get(id=job_id)).moderation == "hidden"
    tokens = TokenStore.from_settings(app.ctx.cache, app.ctx.settings)
    assert await moderation.ban(int(owner["user_id"]), "ops-li", "scam", tokens) == [("job", job_id)]
    assert (await Job.get(id=job_id)).moderation == "taken_down"
    with pytest.raises(NothingToRestore, match="banned"):
        await moderation.restore(JOBS, job_id, "ops-li", "oops")
    viewer = await login_as(client, "viewer")
    assert (await client.post("/jobs/info", json={"job_id": job_id}, headers=viewer)).status_code == 404
    assert (await client.post("/jobs/info", json={"job_id": job_id})).status_code == 404


async def _reporters(client, *names: str) -> list[dict]:
    return [await login_as(client, name) for name in names]


async def _summary(app, job_id: int) -> dict:
    rows = await moderation.reported(JOBS, 10, moderation.ReportRules.from_settings(app.ctx.settings))
    return next(row for row in rows if row["job_id"] == job_id)


async def test_brand_new_or_phoneless_accounts_cannot_hide_a_job(client, app, travel):
    assert (app.ctx.settings.report_min_account_age_hours, app.ctx.settings.report_requires_phone) == (24, True)
    start = clock.now()
    travel(start)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    aged = await _reporters(client, "aged-1", "aged-2", "aged-3", "aged-4")
    travel(start + timedelta(hours=23))
    for headers in await _reporters(client, "new-1", "new-2", "new-3"):  # made for the attack
        assert (await _report(client, headers, job_id)).status_code == 200
    assert job_id in await listed_now(client, app)  # the accounts are brand new: their reports do not count
    summary = await _summary(app, job_id)
    assert (summary["reporters"], summary["counting"], summary["state"]) == (3, 0, "open")  # kept for the operator
    travel(start + timedelta(hours=24, minutes=1))
    await User.filter(id=int(aged[0]["user_id"])).update(phone="")  # a day old, but no phone
    for headers in aged[:3]:
        assert (await _report(client, headers, job_id)).status_code == 200
    assert job_id in await listed_now(client, app)  # two of three count; the new ones, now older, still not
    assert (await _summary(app, job_id))["counting"] == 2
    await _report(client, aged[3], job_id)
    assert job_id not in await listed_now(client, app)
    assert (await Job.get(id=job_id)).moderation == "hidden"
    assert await _audit() == [("system", "hide", "job", job_id)]


async def test_a_report_counts_from_exactly_the_account_age_and_no_longer_once_its_reporter_is_banned(
        client, app, tune):
    tune(report_hide_threshold=3)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    exact, younger, banned = await _reporters(client, "exact", "a millisecond younger", "banned later")
    for headers in (exact, younger, banned):
        assert (await _report(client, headers, job_id)).status_code == 200
    reports = {r.user_id: r.create_at for r in await Report.filter(posting_id=job_id)}
    for headers, age in ((exact, timedelta(hours=24)), (younger, timedelta(hours=24, milliseconds=-1)),
                         (banned, timedelta(days=30))):
        user_id = int(headers["user_id"])
        await User.filter(id=user_id).update(create_at=reports[user_id] - age)
    assert (await _summary(app, job_id))["counting"] == 2  # exactly 24 h old counts; a millisecond less not
    tokens = TokenStore.from_settings(app.ctx.cache, app.ctx.settings)
    await moderation.ban(int(banned["user_id"]), "ops-li", "false reports", tokens)
    assert (await _summary(app, job_id))["counting"] == 1  # a banned reporter's report no longer counts
    # ...nor toward the hide: the next counting reporter makes two of the three it takes, not three.
    late = await login_as(client, "late")
    await User.filter(id=int(late["user_id"])).update(create_at=clock.now() - timedelta(days=2))
    assert (await _report(client, late, job_id)).status_code == 200
    assert (await Job.get(id=job_id)).moderation == "" and job_id in await listed_now(client, app)
    assert (await _summary(app, job_id))["counting"] == 2


async def test_a_reported_job_on_paid_top_goes_to_the_operator_and_stays_listed(client, app, tune):
    tune(report_hide_threshold=2, report_min_account_age_hours=0)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    now = clock.now()
    await change_job(job_id, "top", top_start_time=now, top_end_time=now + timedelta(hours=24))
    for headers in await _reporters(client, "a", "b", "c"):
        assert (await _report(client, headers, job_id)).status_code == 200
    assert job_id in await listed_now(client, app)  # paid for its place: an operator decides
    assert (await Job.get(id=job_id)).moderation == ""
    assert await _audit() == [("system", "flag", "job", job_id)]  # once, however many reports follow
    assert (await _summary(app, job_id))["state"] == "flagged"
    await moderation.restore(JOBS, job_id, "ops-li", "reports unfounded")  # the operator's decision
    assert (await _summary(app, job_id))["state"] == "open"
    assert job_id in await listed_now(client, app)
    await moderation.take_down(JOBS, job_id, "ops-li", "fraud confirmed after all")
    assert job_id not in await listed_now(client, app)


async def test_a_report_of_a_job_out_of_the_listing_changes_nothing(client, app, tune):
    tune(report_hide_threshold=1, report_min_account_age_hours=0)
    owner = await login_as(client, "owner")
    taken_down, closed, hidden = [await post_job(client, owner) for _ in range(3)]
    await moderation.take_down(JOBS, taken_down, "ops-li", "fraud confirmed")
    assert (await client.post("/job/close", json={"job_id": closed}, headers=owner)).status_code == 200
    first, second = await _reporters(client, "a", "b")
    await _report(client, first, hidden)
    before = {job.id: (job.status, job.moderation, job.version) for job in await Job.all()}
    for job_id in (taken_down, closed, hidden):
        assert (await _report(client, second, job_id)).status_code == 200  # recorded for the operator
    assert {job.id: (job.status, job.moderation, job.version) for job in await Job.all()} == before
    assert before[taken_down][1] == "taken_down" and before[closed][1] == ""
    assert await Report.filter(user_id=int(second["user_id"])).count() == 3
    assert await _audit() == [("ops-li", "takedown", "job", taken_down), ("system", "hide", "job", hidden)]


async def test_the_owner_sees_why_their_job_is_out_of_the_listing(client, app, tune):
    tune(report_hide_threshold=1, report_min_account_age_hours=0)
    owner = await login_as(client, "owner")
    listed, hidden, taken_down = [await post_job(client, owner) for _ in range(3)]
    await _report(client, await login_as(client, "a"), hidden)
    await moderation.take_down(JOBS, taken_down, "ops-li", "虚假招聘，已电话核实")
    mine = (await client.post("/jobs/my", json={}, headers=owner)).json()["data"]["contacts"]
    assert {item["id"]: (item["moderation"], item["moderation_reason"]) for item in mine} == {
        listed: ("", ""), hidden: ("hidden", "reported by 1 users"), taken_down: ("taken_down", "虚假招聘，已电话核实")}
