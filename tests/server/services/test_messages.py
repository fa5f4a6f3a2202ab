"""Subscribe messages: credits from the mini-program's acceptances, messages written in their event's transaction,
sent once through the real provider against a fake WeChat over HTTP, whatever WeChat answers or the process does."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from models.messages import SubscribeMessage
from models.user import User
from runtime import clock
from runtime.settings import ConfigError, TemplateSetting
from sections.jobs import JOBS
from server.services import messages, moderation
from tests.helpers.api import change_job, login_as
from tests.helpers.messages import MESSAGE_TEMPLATES
from tests.helpers.postings import post_job


async def _accept(client, headers, *template_ids):
    return await client.post("/subscribe/accept", json={"template_ids": list(template_ids)}, headers=headers)


async def _accept_times(client, headers, template_id: str, times: int) -> None:
    """`times` acceptances of one template (each wx.requestSubscribeMessage answers a template once)."""
    for _ in range(times):
        assert (await _accept(client, headers, template_id)).json()["data"]["accepted"] == [template_id]


async def _user_id(headers) -> int:
    return int(headers["user_id"])


async def _openid(headers) -> str:
    return (await User.get(id=await _user_id(headers))).openid


async def _unlock(client, tune, owner_job: int, name: str) -> dict:
    tune(free_contact_vouchers=1)
    worker = await login_as(client, name)
    response = await client.post("/contact_voucher/cost", json={"purpose_id": owner_job, "purpose_type": 1},
                                 headers=worker)
    assert response.status_code == 200, response.text
    return worker


async def _states() -> list[tuple[str, str]]:
    return [(m.event, m.state) for m in await SubscribeMessage.all().order_by("id")]


async def _round(app) -> dict:
    return dict(await messages.send_due(app.ctx.messages))


async def test_each_acceptance_is_one_credit_per_user_and_template_and_unknown_ids_are_ignored(client, wechat_messages):
    owner = await login_as(client, "owner")
    response = await _accept(client, owner, "TPL-UNLOCK", "TPL-UNLOCK", "NOT-CONFIGURED")
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"accepted": ["TPL-UNLOCK"], "ignored": ["NOT-CONFIGURED"]}
    await _accept(client, owner, "TPL-UNLOCK", "TPL-TOP")
    other = await login_as(client, "other")
    await _accept(client, other, "TPL-TOP")
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-UNLOCK": 2, "TPL-TOP": 1}
    assert await messages.credits_of(await _user_id(other)) == {"TPL-TOP": 1}
    for body, status in (({"template_ids": []}, 400), ({"template_ids": "TPL-TOP"}, 400),
                         ({"template_ids": ["bad id!"]}, 400), ({}, 400)):
        response = await client.post("/subscribe/accept", json=body, headers=owner)
        assert (response.status_code, response.json()["code"]) == (status, status), body
    assert (await client.post("/subscribe/accept", json={"template_ids": ["TPL-TOP"]})).status_code == 401
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-UNLOCK": 2, "TPL-TOP": 1}


async def test_an_unlock_tells_the_owner_who_masked_once_through_wechat(client, app, tune, wechat_messages):
    owner = await login_as(client, "owner")
    await client.post("/user/update", json={"name": "段先生"}, headers=owner)
    job_id = await post_job(client, owner)
    await _accept(client, owner, "TPL-UNLOCK")
    worker = await _unlock(client, tune, job_id, "worker")
    await User.filter(id=await _user_id(worker)).update(name="王小明")
    assert await _states() == [("contact_unlocked", "pending")]
    assert await _round(app) == {"sent": 1}
    [sent] = wechat_messages.subscribe_sent
    assert sent["touser"] == await _openid(owner) and sent["template_id"] == "TPL-UNLOCK"
    assert sent["page"] == f"pages/detail/index?biz_type=1&id={job_id}"
    assert sent["data"]["thing1"] == {"value": "服务员"}
    by_phone = sent["data"]["phone_number3"]["value"]
    assert "****" in by_phone and len(by_phone) == 11  # masked, never the number
    # Unlocking the same posting again spends nothing and tells nobody.
    await client.post("/contact_voucher/cost", json={"purpose_id": job_id, "purpose_type": 1}, headers=worker)
    assert await _round(app) == {}
    assert len(wechat_messages.subscribe_sent) == 1
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-UNLOCK": 0}


async def test_an_event_without_a_template_is_skipped_at_info(client, app, tune, wechat_messages, caplog):
    messages.use_templates({})
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    with caplog.at_level(logging.INFO, logger="server.messages"):
        await _unlock(client, tune, job_id, "worker")
    assert await _states() == []
    assert [r.levelname for r in caplog.records if "contact_unlocked skipped" in r.getMessage()] == ["INFO"]


async def test_a_rolled_back_event_tells_nobody(client, wechat_messages):
    owner = await login_as(client, "owner")
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await messages.refund_arrived(await _user_id(owner), "TOP1", 990, "置顶")
            raise RuntimeError("the refund's settlement failed")
    assert await _states() == []


async def test_one_credit_is_one_send_and_a_message_without_one_is_not_sent(client, app, tune, wechat_messages):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _accept(client, owner, "TPL-UNLOCK")
    await _unlock(client, tune, job_id, "a")
    await _unlock(client, tune, job_id, "b")
    assert await _round(app) == {"sent": 1, "no_credit": 1}
    assert len(wechat_messages.subscribe_sent) == 1
    assert await _round(app) == {}  # settled: neither is tried again


async def test_43101_spends_the_credit_47003_gives_it_back_and_neither_is_retried(client, app, tune,
                                                                                  wechat_messages, caplog):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _accept_times(client, owner, "TPL-UNLOCK", 2)
    wechat_messages.subscribe_errcode = 43101  # the user turned the template off at WeChat
    await _unlock(client, tune, job_id, "a")
    assert await _round(app) == {"refused": 1}
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-UNLOCK": 1}
    wechat_messages.subscribe_errcode = 47003
    await _unlock(client, tune, job_id, "b")
    with caplog.at_level(logging.ERROR, logger="server.messages"):
        assert await _round(app) == {"failed": 1}
    assert "47003" in caplog.text
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-UNLOCK": 1}  # WeChat sent nothing
    wechat_messages.subscribe_errcode = None
    clock.travel_to(clock.now() + timedelta(hours=2))
    try:
        assert await _round(app) == {}
    finally:
        clock.reset()
    assert await _states() == [("contact_unlocked", "refused"), ("contact_unlocked", "failed")]
    assert wechat_messages.subscribe_sent == []


async def test_sends_failing_for_an_hour_lose_nothing_and_spend_one_credit(client, app, tune, wechat_messages,
                                                                           travel):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _accept(client, owner, "TPL-UNLOCK")
    await _unlock(client, tune, job_id, "a")
    start = clock.now()
    wechat_messages.subscribe_down = True  # HTTP 502 for an hour and more
    tries = 0
    for minutes in range(0, 75, 5):
        travel(start + timedelta(minutes=minutes))
        tries += (await _round(app)).get("pending", 0)
    assert tries >= 5 and wechat_messages.subscribe_sent == []
    wechat_messages.subscribe_errcode = 45009  # then a quota: later, too
    travel(start + timedelta(minutes=90))
    assert await _round(app) == {"pending": 1}
    wechat_messages.subscribe_down, wechat_messages.subscribe_errcode = False, None
    travel(start + timedelta(minutes=120))
    assert await _round(app) == {"sent": 1}
    assert len(wechat_messages.subscribe_sent) == 1
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-UNLOCK": 0}


async def test_a_message_failing_past_its_retry_time_gives_its_credit_back(client, app, tune, wechat_messages,
                                                                           travel):
    owner = await login_as(client, "owner")
    await _accept(client, owner, "TPL-REFUND")
    async with in_transaction():
        await messages.refund_arrived(await _user_id(owner), "TOP1", 990, "置顶")
    wechat_messages.subscribe_errcode = -1
    start = clock.now()
    assert await _round(app) == {"pending": 1}
    travel(start + timedelta(hours=25))
    assert await _round(app) == {"failed": 1}
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-REFUND": 1}


async def test_a_lost_answer_or_a_killed_sender_never_sends_twice(client, app, tune, wechat_messages, travel,
                                                                  monkeypatch):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _accept_times(client, owner, "TPL-UNLOCK", 2)
    await _unlock(client, tune, job_id, "a")
    wechat_messages.subscribe_lose_answers = True  # WeChat took it, its answer never came
    assert await _round(app) == {"unknown": 1}
    wechat_messages.subscribe_lose_answers = False

    # Killed between WeChat's answer and recording it: the row stays claimed.
    await _unlock(client, tune, job_id, "b")
    recorded = messages._settle

    async def killed(*args, **kwargs):
        raise asyncio.CancelledError()

    monkeypatch.setattr(messages, "_settle", killed)
    with pytest.raises(asyncio.CancelledError):
        await _round(app)
    monkeypatch.setattr(messages, "_settle", recorded)
    assert len(wechat_messages.subscribe_sent) == 2
    start = clock.now()
    assert await _round(app) == {}  # still in flight, as far as anyone knows
    travel(start + messages.SENDING_STALE + timedelta(seconds=1))
    assert await _round(app) == {"unknown": 1}
    travel(start + timedelta(hours=3))
    assert await _round(app) == {}
    assert len(wechat_messages.subscribe_sent) == 2  # each message once
    assert await _states() == [("contact_unlocked", "unknown"), ("contact_unlocked", "unknown")]
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-UNLOCK": 0}


async def test_two_senders_at_once_send_each_message_once(client, app, tune, wechat_messages, monkeypatch):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _accept_times(client, owner, "TPL-UNLOCK", 3)
    for name in ("a", "b"):
        await _unlock(client, tune, job_id, name)
    provider = app.ctx.messages
    both_sending = asyncio.Barrier(2)

    class Overlapping:
        async def send(self, *args):
            await asyncio.wait_for(both_sending.wait(), 10)  # both senders are mid-send together
            return await provider.send(*args)

    rounds = await asyncio.gather(messages.send_due(Overlapping()), messages.send_due(Overlapping()))
    assert [dict(outcomes) for outcomes in rounds] == [{"sent": 1}, {"sent": 1}]
    assert len(wechat_messages.subscribe_sent) == 2
    assert await messages.credits_of(await _user_id(owner)) == {"TPL-UNLOCK": 1}


async def test_moderation_tells_the_owner_why_and_each_reporter_the_decision_once(client, app, tune,
                                                                                  wechat_messages):
    tune(report_hide_threshold=10, report_min_account_age_hours=0)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _accept_times(client, owner, "TPL-MOD", 2)
    reporters = [await login_as(client, name) for name in ("a", "b")]
    for headers in reporters:
        await _accept_times(client, headers, "TPL-REPORT", 2)
        response = await client.post("/job/report", json={"job_id": job_id, "reason": "fraud"}, headers=headers)
        assert response.status_code == 200, response.text
    await moderation.take_down(JOBS, job_id, "ops-li", "虚假招聘，已电话核实")
    await moderation.restore(JOBS, job_id, "ops-li", "申诉成功")
    assert await _states() == [("posting_taken_down", "pending"), ("report_decided", "pending"),
                               ("report_decided", "pending"), ("posting_restored", "pending")]
    assert await _round(app) == {"sent": 4}
    told = {(m["touser"], m["template_id"]): m["data"] for m in wechat_messages.subscribe_sent}
    owner_openid = await _openid(owner)
    assert told[(owner_openid, "TPL-MOD")]["thing3"]["value"] == "申诉成功"
    assert [m["data"]["thing3"]["value"] for m in wechat_messages.subscribe_sent
            if m["touser"] == owner_openid] == ["虚假招聘，已电话核实", "申诉成功"]
    for headers in reporters:
        assert told[(await _openid(headers), "TPL-REPORT")]["thing2"] == {"value": "已下架"}


async def test_a_hide_by_reports_or_content_tells_the_owner(client, app, tune, wechat_messages):
    tune(report_hide_threshold=1, report_min_account_age_hours=0)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _accept(client, owner, "TPL-MOD")
    response = await client.post("/job/report", json={"job_id": job_id, "reason": "fraud"},
                                 headers=await login_as(client, "a"))
    assert response.status_code == 200
    assert await _round(app) == {"sent": 1}
    assert wechat_messages.subscribe_sent[0]["data"]["phrase2"] == {"value": "已隐藏"}
    assert wechat_messages.subscribe_sent[0]["data"]["thing3"] == {"value": "reported by 1 users"}


async def test_a_top_end_is_told_once_coming_and_once_gone(client, app, wechat_messages, travel):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await _accept_times(client, owner, "TPL-TOP", 3)
    now = clock.now()
    end = now + timedelta(minutes=30)
    await change_job(job_id, "top", top_start_time=now, top_end_time=end)
    assert await messages.notify_top_ends() == 1
    assert await messages.notify_top_ends() == 0  # every process, every round: once
    travel(end + timedelta(minutes=1))
    assert await messages.notify_top_ends() == 1
    travel(end + timedelta(minutes=5))
    assert await messages.notify_top_ends() == 0
    assert await _round(app) == {"sent": 2}
    assert [m["data"]["phrase2"]["value"] for m in wechat_messages.subscribe_sent] == ["即将结束", "已结束"]
    # Bought again: a new end, told again.
    later = clock.now() + timedelta(minutes=50)
    await change_job(job_id, "top", top_end_time=later)
    assert await messages.notify_top_ends() == 1


async def test_a_refund_goes_through_the_outbox_once(client, app, wechat_messages):
    owner = await login_as(client, "owner")
    await _accept_times(client, owner, "TPL-REFUND", 2)
    for _ in range(2):  # a replayed settlement
        async with in_transaction():
            await messages.refund_arrived(await _user_id(owner), "TOP20260101", 990, "招聘置顶 24 小时")
    assert await _round(app) == {"sent": 1}
    [sent] = wechat_messages.subscribe_sent
    assert sent["data"]["amount1"] == {"value": "9.90元"}
    assert sent["data"]["character_string2"] == {"value": "TOP20260101"}


async def test_long_values_are_cut_to_what_wechat_takes(client, app, wechat_messages):
    owner = await login_as(client, "owner")
    await _accept(client, owner, "TPL-REFUND")
    async with in_transaction():
        await messages.refund_arrived(await _user_id(owner), "TOP1", 100, "一个很长很长很长很长很长很长很长很长的说明")
    assert await _round(app) == {"sent": 1}
    assert wechat_messages.subscribe_sent[0]["data"]["thing3"]["value"].endswith("…")


def test_templates_name_known_events_and_their_fields():
    with pytest.raises(ConfigError, match="no event"):
        messages.check_templates({"top_forever": TemplateSetting(template_id="T", data={"thing1": "x"})})
    with pytest.raises(ConfigError, match="uses"):
        messages.check_templates({"top_ended": TemplateSetting(template_id="T", data={"thing1": "{reason}"})})
    messages.check_templates({"top_ended": TemplateSetting(template_id="T", data={"thing1": "{posting}"})})


async def test_the_development_provider_logs_the_message(client, app, tune, caplog):
    # The session app runs on the development providers, as `make run` does.
    messages.use_templates(MESSAGE_TEMPLATES)
    try:
        owner = await login_as(client, "owner")
        job_id = await post_job(client, owner)
        await _accept(client, owner, "TPL-UNLOCK")
        await _unlock(client, tune, job_id, "worker")
        with caplog.at_level(logging.INFO, logger="server.wechat"):
            assert await _round(app) == {"sent": 1}
    finally:
        messages.use_templates({})
    [logged] = [r.getMessage() for r in caplog.records if "subscribe message (development" in r.getMessage()]
    assert "TPL-UNLOCK" in logged and "服务员" in logged


async def test_a_page_too_long_for_its_column_never_fails_the_events_own_transaction(client):
    templates = {**MESSAGE_TEMPLATES, "posting_taken_down": TemplateSetting(
        template_id="TPL-MOD", page="pages/why/index?reason={reason}",
        data={"thing1": "{posting}", "phrase2": "已下架", "thing3": "{reason}"})}
    messages.use_templates(templates)
    try:
        owner = await login_as(client, "owner")
        job_id = await post_job(client, owner)
        await moderation.take_down(JOBS, job_id, "ops-li", "虚假招聘" * 100)  # a 400-character reason
    finally:
        messages.use_templates({})
    [told] = await SubscribeMessage.filter(event="posting_taken_down")
    assert told.page == "" and told.user_id == await _user_id(owner)
