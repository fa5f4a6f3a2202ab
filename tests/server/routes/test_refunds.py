"""Refunds end to end: the operator's refund (service and CLI), WeChat Pay's refund API at the fake over HTTP
with real signatures (wechatpayv3 on our side), its notification settled exactly once, the sweeper for
WeChat down and notifications that never come, what a refund takes back, and the takedown policy."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from indexer.sync import drain
from models.job import Job
from models.moderation import ModerationAction
from models.order import Order
from models.refund import Refund
from models.vouchers import VoucherLedger
from runtime import clock
from sections import by_name
from sections.jobs import JOBS
from server.errors import domain_response
from server.providers.wechat_pay import DevPay, PayUnavailable
from server.services import moderation, refunds
from server.services.auth import TokenStore
from server.services.errors import RefundRefused
from server.services.order_sweeper import OrderSweeper
from server.services.settlement import settle
from tests.helpers.api import login_as, outbox_reasons
from tests.helpers.commands import command_env, payments_command
from tests.helpers.payments import deliver_refund, order, order_status, pay, pay_settings, vouchers
from tests.helpers.postings import post, post_job
from tests.helpers.services import LockBarrier, mysql_only

START = datetime(2026, 3, 2, 10, 0, 0)
pytestmark = pytest.mark.usefixtures("ledger_invariant")


@pytest.fixture
async def owner(client):
    return await login_as(client, "owner")


async def _paid(client, wechat_pay, headers, path: str, **body) -> dict:
    created = await order(client, headers, path, **body)
    assert (await pay(client, wechat_pay, created["order_no"])).status_code == 204
    return created


async def _job_info(client, job_id: int) -> dict:
    return (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]


async def _listed_tops(client) -> list[int]:
    response = await client.post("/jobs/list", json={"query_type": 1, "page_size": 50})
    return [job["id"] for job in response.json()["data"]["jobs"] if job["is_top"]]


async def _nothing_refunded(wechat_pay, order_no: str) -> None:
    assert await Refund.all().count() == 0
    assert await ModerationAction.filter(action="refund").count() == 0
    assert (await Order.get(order_no=order_no)).refunded_fen == 0
    assert wechat_pay.refunds_of(order_no) == []


async def test_a_full_refund_takes_the_vouchers_back_and_is_settled_once_by_wechats_notification(
        client, app, owner, wechat_pay):
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    done = await refunds.refund(bought["order_no"], None, "ops-li", "bought twice by mistake", app.ctx.pay)
    assert (done["amount_fen"], done["status"], done["vouchers"], done["vouchers_short"]) == (1799, "processing", 5, 0)
    assert done["refund_no"] == bought["order_no"] + "R1"
    asked = wechat_pay.refund_requests[-1]
    assert asked["amount"] == {"refund": 1799, "total": 1799, "currency": "CNY"}
    assert asked["out_trade_no"] == bought["order_no"] and asked["reason"] == "bought twice by mistake"
    assert asked["notify_url"] == "https://jobs.example.com/pay/notify/wechat/refund"
    records = await vouchers(client, owner)
    assert records["contact_voucher_num"] == 0
    assert [(row["type"], row["change_num"]) for row in records["list"]] == [("refund", -5), ("buy", 5)]
    audit = await ModerationAction.get(action="refund")
    assert (audit.actor, audit.target_type, audit.target_id) == ("ops-li", "order", bought["order_id"])
    assert "1799 fen" in audit.reason and "bought twice" in audit.reason

    finished = wechat_pay.complete_refund(done["refund_no"])
    for _ in range(3):  # WeChat repeats a notification until it hears 204: one settlement
        assert (await deliver_refund(client, wechat_pay, finished)).status_code == 204
    row = await Refund.get(refund_no=done["refund_no"])
    assert (row.status, row.wechat_refund_id) == ("success", finished["refund_id"]) and row.success_at is not None
    assert (await Order.get(order_no=bought["order_no"])).refunded_fen == 1799
    assert (await order_status(client, owner, bought["order_no"]))["refunded"] == 17.99  # the owner sees it
    assert await VoucherLedger.filter(type="refund").count() == 1


async def test_partial_refunds_take_back_only_unspent_vouchers_and_never_exceed_what_was_paid(
        client, app, owner, wechat_pay, tune):
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    employer = await login_as(client, "employer")
    for _ in range(3):  # three of the five are spent
        job_id = await post_job(client, employer)
        response = await client.post("/contact_voucher/cost", json={"purpose_id": job_id, "purpose_type": 1},
                                     headers=owner)
        assert response.status_code == 200, response.text
    # 1000 of 1799 fen stands for 3 of the 5 vouchers (rounded up): 2 are left to take back.
    first = await refunds.refund(bought["order_no"], 1000, "ops-li", "partly unused", app.ctx.pay)
    assert (first["amount_fen"], first["vouchers"], first["vouchers_short"]) == (1000, 2, 1)
    rest = await refunds.refund(bought["order_no"], None, "ops-li", "the rest", app.ctx.pay)
    assert (rest["amount_fen"], rest["vouchers"], rest["vouchers_short"], rest["refund_no"]) == (
        799, 0, 3, bought["order_no"] + "R2")
    assert (await vouchers(client, owner))["contact_voucher_num"] == 0
    with pytest.raises(RefundRefused, match="refunded in full already"):
        await refunds.refund(bought["order_no"], 1, "ops-li", "one fen more", app.ctx.pay)
    assert sum(r["amount"]["refund"] for r in wechat_pay.refunds_of(bought["order_no"])) == 1799


@pytest.mark.parametrize("order_no, amount_fen, actor, reason, message", [
    ("CV2026030210000000000000", None, "ops-li", "why", "order CV2026030210000000000000 not found"),
    ("unpaid", None, "ops-li", "why", "is not paid (created)"),
    ("paid", -100, "ops-li", "why", "positive whole number of fen"),
    ("paid", 0, "ops-li", "why", "positive whole number of fen"),
    ("paid", 400, "ops-li", "why", "400 fen is more than the 399 fen left"),
    ("paid", 100, "", "why", "the operator's name and a reason"),
    ("paid", 100, "ops-li", "  ", "the operator's name and a reason"),
])
async def test_a_refund_that_cannot_be_is_a_400_and_changes_nothing(client, app, owner, wechat_pay, order_no,
                                                                    amount_fen, actor, reason, message):
    paid = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    unpaid = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    number = {"paid": paid["order_no"], "unpaid": unpaid["order_no"]}.get(order_no, order_no)
    with pytest.raises(RefundRefused) as refused:
        await refunds.refund(number, amount_fen, actor, reason, app.ctx.pay)
    assert message in refused.value.detail
    envelope = domain_response(refused.value, None)
    assert envelope.status == 400 and message.encode() in envelope.body and b'"code":400' in envelope.body
    await _nothing_refunded(wechat_pay, paid["order_no"])
    assert (await vouchers(client, owner))["contact_voucher_num"] == 1


@mysql_only
async def test_two_concurrent_refunds_of_one_order_cannot_over_refund(client, app, owner, wechat_pay, settings):
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=10, price=29.90)
    async with LockBarrier(settings.resolved_database_url) as barrier:
        await barrier.lock("SELECT id FROM orders WHERE order_no = %s FOR UPDATE", bought["order_no"])
        calls = [asyncio.create_task(refunds.refund(bought["order_no"], 2000, f"ops-{n}", "dispute", app.ctx.pay))
                 for n in range(2)]
        await barrier.wait_for(2, waiting_in="orders")  # both have passed the first look, both wait on the order
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["RefundRefused", "dict"]
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, RefundRefused)]
    assert "990 fen left" in refused.detail
    assert [r.amount_fen for r in await Refund.all()] == [2000]
    assert [r["amount"]["refund"] for r in wechat_pay.refunds_of(bought["order_no"])] == [2000]
    assert (await vouchers(client, owner))["contact_voucher_num"] == 10 - 7  # ceil(10 × 2000 / 2990)


async def test_a_refunded_top_ends_and_leaves_the_listing_top(client, app, owner, wechat_pay, travel):
    travel(START)
    job_id = await post_job(client, owner)
    top = await _paid(client, wechat_pay, owner, "/jobs/top", job_id=job_id, top_hour=72, price=5)
    await drain(app.ctx.search.client)
    assert await _listed_tops(client) == [job_id]
    paid_until = (await Job.get(id=job_id)).top_end_time
    half = await refunds.refund(top["order_no"], 250, "ops-li", "half the top", app.ctx.pay)
    assert half["top_hours"] == 36
    assert (await _job_info(client, job_id))["top_end_time"] == clock.fmt(paid_until - timedelta(hours=36))
    rest = await refunds.refund(top["order_no"], None, "ops-li", "the rest", app.ctx.pay)
    assert (rest["amount_fen"], rest["top_hours"]) == (250, 36)
    assert (await _job_info(client, job_id))["is_top"] == 0
    assert await outbox_reasons(job_id) == ["refund", "refund"]  # queued for the index (the rest drained)
    await drain(app.ctx.search.client)
    assert await _listed_tops(client) == []


async def test_wechat_down_leaves_the_refund_pending_and_the_sweeper_completes_it(client, app, owner, wechat_pay,
                                                                                  travel):
    travel(START)
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    wechat_pay.down = True
    try:
        done = await refunds.refund(bought["order_no"], None, "ops-li", "double purchase", app.ctx.pay)
        assert done["status"] == "pending" and done["vouchers"] == 5  # recorded; taken back at once
        with pytest.raises(PayUnavailable):
            await refunds.sweep(app.ctx.pay)  # WeChat still away: the next round retries
    finally:
        wechat_pay.down = False
    assert wechat_pay.refunds_of(bought["order_no"]) == []
    # The app's own sweeper submits it (the same refund_no, so a request that did reach WeChat is not doubled).
    sweeper = OrderSweeper(app.ctx.pay, app.ctx.cache, interval=0.05)
    task = asyncio.create_task(sweeper.run())
    try:
        async with asyncio.timeout(10):
            while (await Refund.get(refund_no=done["refund_no"])).status != "processing":
                await asyncio.sleep(0.05)
    finally:
        sweeper.stop()
        await task
    assert [r["status"] for r in wechat_pay.refunds_of(bought["order_no"])] == ["PROCESSING"]
    # The notification never comes: after a while the sweeper asks WeChat, and settles what it says.
    wechat_pay.complete_refund(done["refund_no"])
    travel(START + timedelta(minutes=2))
    assert await refunds.sweep(app.ctx.pay) == {}  # not yet asked about: a notification may still come
    travel(START + timedelta(minutes=10))
    assert await refunds.sweep(app.ctx.pay) == {"refunded": 1}
    assert await refunds.sweep(app.ctx.pay) == {}
    assert (await Order.get(order_no=bought["order_no"])).refunded_fen == 1799
    assert (await vouchers(client, owner))["contact_voucher_num"] == 0


async def test_a_refund_recorded_by_a_process_that_died_before_asking_wechat_is_not_lost(
        client, app, owner, wechat_pay):
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    recorded, _ = await refunds.record(bought["order_no"], None, "ops-li", "killed after the commit")
    assert await refunds.sweep(app.ctx.pay) == {"processing": 1}
    wechat_pay.complete_refund(recorded.refund_no)
    assert await refunds.sweep(app.ctx.pay) == {}  # processing for less than the follow-up delay
    # reconcile follows every open refund up at once
    [(row, order_no, outcome)] = await refunds.reconcile(app.ctx.pay, timedelta(hours=24))
    assert (row.refund_no, order_no, outcome) == (recorded.refund_no, bought["order_no"], "refunded")


def _forged(resource: dict, **changes) -> dict:
    forged = {**resource, "amount": dict(resource["amount"])}
    for key, value in changes.items():
        if key == "refund":
            forged["amount"]["refund"] = forged["amount"]["payer_refund"] = value
        else:
            forged[key] = value
    return forged


async def test_refund_notifications_that_are_not_provably_wechats_change_nothing(client, app, owner, wechat_pay):
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    done = await refunds.refund(bought["order_no"], 1000, "ops-li", "partly", app.ctx.pay)
    finished = wechat_pay.complete_refund(done["refund_no"])
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attempts = [await deliver_refund(client, wechat_pay, refund, **overrides) for refund, overrides in (
        (finished, {"apiv3_key": "another-apiv3-key-0123456789abcd"}),
        (finished, {"signing_key": stranger}),
        (finished, {"timestamp": int(clock.epoch()) - 360}),  # a replay from more than 5 minutes ago
        (finished, {"event_type": "TRANSACTION.SUCCESS"}),
        (finished, {"event_type": "REFUND.CLOSED"}),
        (_forged(finished, refund=1799), {}),
        (_forged(finished, mchid="1900000002"), {}),
        (_forged(finished, out_trade_no="CV2026030210000099999999"), {}),
        (_forged(finished, out_refund_no="CV2026030210000099999999R1"), {}),
    )]
    for response in attempts:
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "FAIL" and response.json()["message"]
    assert (await Refund.get(refund_no=done["refund_no"])).status == "processing"
    assert (await Order.get(order_no=bought["order_no"])).refunded_fen == 0
    assert (await deliver_refund(client, wechat_pay, finished)).status_code == 204  # the genuine one settles
    assert (await Order.get(order_no=bought["order_no"])).refunded_fen == 1000


async def test_a_refund_wechat_closes_frees_its_amount(client, app, owner, wechat_pay, caplog):
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    done = await refunds.refund(bought["order_no"], None, "ops-li", "unused", app.ctx.pay)
    closed = wechat_pay.complete_refund(done["refund_no"], "CLOSED")
    assert (await deliver_refund(client, wechat_pay, closed)).status_code == 204
    assert (await Refund.get(refund_no=done["refund_no"])).status == "closed"
    assert any("REFUND CLOSED" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    again = await refunds.refund(bought["order_no"], None, "ops-li", "again", app.ctx.pay)
    assert (again["amount_fen"], again["refund_no"]) == (399, bought["order_no"] + "R2")


async def test_a_refund_wechat_refuses_is_closed_not_retried(client, app, owner, wechat_pay, caplog):
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    wechat_pay.refund_elsewhere(bought["order_no"], 1500)  # on the merchant platform, behind the app's back
    done = await refunds.refund(bought["order_no"], 1000, "ops-li", "partly", app.ctx.pay)
    assert done["status"] == "closed"  # WeChat: more than the trade has left (INVALID_REQUEST)
    row = await Refund.get(refund_no=done["refund_no"])
    assert row.note == "WeChat refused: INVALID_REQUEST"
    assert any("REFUND CLOSED" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    calls = wechat_pay.calls["refund"]
    assert await refunds.sweep(app.ctx.pay) == {} and wechat_pay.calls["refund"] == calls
    assert (await Order.get(order_no=bought["order_no"])).refunded_fen == 0


@pytest.mark.parametrize("policy", ["prorata", "none"])
async def test_a_takedown_refunds_the_unused_hours_of_a_running_top_by_policy(client, app, owner, wechat_pay, travel,
                                                                             policy):
    travel(START)
    job_id = await post_job(client, owner)
    first = await _paid(client, wechat_pay, owner, "/jobs/top", job_id=job_id, top_hour=72, price=5)
    second = await _paid(client, wechat_pay, owner, "/jobs/top", job_id=job_id, top_hour=24, price=2)
    paid_until = (await Job.get(id=job_id)).top_end_time  # 96 hours from the first payment
    travel(START + timedelta(hours=60, minutes=30))  # 35.5 hours left: 24 of the second order, 11 of the first
    await moderation.take_down(JOBS, job_id, "ops-li", "mistaken report", top_refund=policy)
    recorded = {r.order_id: r for r in await Refund.all()}
    if policy == "none":
        assert recorded == {} and (await Job.get(id=job_id)).top_end_time == paid_until
        return
    assert {number: (r.amount_fen, r.top_hours, r.status, r.actor) for number, r in recorded.items()} == {
        second["order_id"]: (200, 24, "pending", "ops-li"),
        first["order_id"]: (500 * 11 // 72, 11, "pending", "ops-li")}
    assert (await Job.get(id=job_id)).top_end_time == paid_until - timedelta(hours=35)
    assert wechat_pay.refunds_of(first["order_no"]) == []  # recorded with the takedown; the sweeper submits
    assert await refunds.sweep(app.ctx.pay) == {"processing": 2}
    assert [r["amount"]["refund"] for r in wechat_pay.refunds_of(first["order_no"])] == [76]


async def test_a_ban_refunds_like_a_takedown_and_an_owners_close_refunds_nothing(client, app, owner, wechat_pay,
                                                                                 travel):
    travel(START)
    closed, banned = await post_job(client, owner), await post_job(client, owner)
    for job_id in (closed, banned):
        await _paid(client, wechat_pay, owner, "/jobs/top", job_id=job_id, top_hour=24, price=2)
    travel(START + timedelta(hours=12, minutes=5))
    assert (await client.post("/job/close", json={"job_id": closed}, headers=owner)).status_code == 200
    assert await Refund.all().count() == 0
    await moderation.ban(int(owner["user_id"]), "ops-li", "scam", TokenStore.from_settings(app.ctx.cache,
                                                                                          app.ctx.settings))
    [row] = await Refund.all()
    assert (row.amount_fen, row.top_hours) == (200 * 11 // 24, 11)


async def test_the_development_provider_refunds_at_once(client, owner):
    dev = DevPay()
    bought = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    await settle(dev.confirmation(bought["order_no"], 1799))
    done = await refunds.refund(bought["order_no"], 500, "ops-li", "part", dev)
    assert (done["status"], done["vouchers"]) == ("success", 2)
    assert (await Order.get(order_no=bought["order_no"])).refunded_fen == 500
    recorded, _ = await refunds.record(bought["order_no"], None, "ops-li", "the rest, process killed")
    assert await refunds.sweep(dev) == {"refunded": 1}  # a pending one is asked again, and succeeds
    assert (await Order.get(order_no=bought["order_no"])).refunded_fen == 1799


def _pay_env(pay_keys, wechat_pay) -> dict[str, str]:
    return {name.upper(): str(value) for name, value in pay_settings(pay_keys, wechat_pay.url).items()}


async def test_the_refund_command_refunds_reports_and_refuses_with_exit_1(client, settings, pay_keys, wechat_pay):
    owner = await login_as(client, "owner")
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    run = payments_command(settings, _pay_env(pay_keys, wechat_pay))
    code, out, err = await run("refund", bought["order_no"], "--amount-fen", "1000", "--by", "ops-li",
                               "--reason", "partly unused")
    assert code == 0, err
    assert out.splitlines()[0] == (f"refund_no={bought['order_no']}R1\torder_no={bought['order_no']}\t"
                                   "amount_fen=1000\tstatus=processing\ttop_hours=0\tvouchers=3\tvouchers_short=0")
    for args, message in (((bought["order_no"], "--amount-fen", "900"), "900 fen is more than the 799 fen left"),
                          ((bought["order_no"], "--amount-fen", "-5"), "positive whole number of fen"),
                          (("CV2026010100000000000000",), "not found")):
        code, out, err = await run("refund", *args, "--by", "ops-li", "--reason", "x")
        assert code == 1 and message in err, (args, err)
    assert [r.amount_fen for r in await Refund.all()] == [1000]
    code, out, err = await run("reconcile", "--since", "2h")
    assert code == 0, err
    assert f"{bought['order_no']}R1\trefund of {bought['order_no']}\t10.00" in out and "\tunchanged" in out
    assert "1 open refunds since" in out


async def test_a_refund_command_killed_while_wechat_answers_loses_nothing(client, app, settings, pay_keys, wechat_pay):
    owner = await login_as(client, "owner")
    bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    asked_before = len(wechat_pay.refund_requests)
    wechat_pay.hold_refunds = asyncio.Event()  # WeChat is slow to answer: the operator's process is killed
    env = command_env(settings, _pay_env(pay_keys, wechat_pay), dropped=("WECHATPAY_",))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.payments", "refund", bought["order_no"], "--by", "ops-li", "--reason", "killed",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        async with asyncio.timeout(60):
            while len(wechat_pay.refund_requests) == asked_before:  # asked only once the refund is committed
                await asyncio.sleep(0.05)
        process.kill()
        assert await process.wait() == -signal.SIGKILL
    finally:
        wechat_pay.hold_refunds.set()
        wechat_pay.hold_refunds = None
    row = await Refund.get()
    assert (row.status, row.amount_fen, row.vouchers) == ("pending", 1799, 5)
    assert await refunds.sweep(app.ctx.pay) == {"processing": 1}  # the same refund_no: asked again, not twice
    assert [r["amount"]["refund"] for r in wechat_pay.refunds_of(bought["order_no"])] == [1799]
    assert (await vouchers(client, owner))["contact_voucher_num"] == 0


async def test_each_settled_refund_tells_its_payer_once(client, app, owner, wechat_pay):
    from models.messages import SubscribeMessage
    from server.services import messages
    from tests.helpers.messages import MESSAGE_TEMPLATES

    messages.use_templates(MESSAGE_TEMPLATES)
    try:
        bought = await _paid(client, wechat_pay, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
        for reason in ("one twice", "another twice"):  # two refunds of the same amount: two messages
            done = await refunds.refund(bought["order_no"], 359, "ops-li", reason, app.ctx.pay)
            finished = wechat_pay.complete_refund(done["refund_no"])
            for _ in range(2):  # a repeated notification tells nobody again
                assert (await deliver_refund(client, wechat_pay, finished)).status_code == 204
        told = await SubscribeMessage.filter(event="refund_arrived").order_by("id")
        assert [(m.user_id, m.data["amount1"]["value"], m.data["thing3"]["value"]) for m in told] == \
            [(int(owner["user_id"]), "3.59元", "联系券")] * 2
    finally:
        messages.use_templates({})


async def _settled_top(user_id: int, section, posting_id: int, hours: int, fen: int) -> Order:
    now = clock.now()
    top = await Order.create(order_no=f"TOPT{now:%H%M%S%f}", kind="top", user_id=user_id, biz_type=section.biz_type,
                             posting_id=posting_id, top_hours=hours, amount_fen=fen, status="created",
                             expire_at=now + timedelta(hours=2), create_at=now, update_at=now)
    await settle(DevPay().confirmation(top.order_no, fen))
    return top


@mysql_only
async def test_a_ban_never_refunds_a_used_up_top_for_one_paid_while_it_runs(client, app, travel, monkeypatch):
    """A top of a later section paid while a ban is busy with an earlier one: the ban holds every posting of
    the owner from its start, so it never reads the orders from before that payment and refunds an old,
    used-up top in its place (it did, with the postings locked section by section)."""
    start = datetime(2026, 3, 2, 10, 0)
    travel(start)
    owner = await login_as(client, "owner")
    user_id, shops = int(owner["user_id"]), by_name("shops")
    job_id, shop_id = await post_job(client, owner), await post(client, owner, "shops")
    used_up = await _settled_top(user_id, shops, shop_id, 24, 2400)
    travel(start + timedelta(hours=29))
    await _settled_top(user_id, JOBS, job_id, 24, 2400)  # the ban's first section has a running top
    travel(start + timedelta(hours=30))
    paused, resume = asyncio.Event(), asyncio.Event()
    original = refunds.refund_unused_top

    async def pausing(posting, *args, **kwargs):
        done = await original(posting, *args, **kwargs)
        if posting.biz_type == JOBS.biz_type and not paused.is_set():
            paused.set()
            await resume.wait()
        return done

    monkeypatch.setattr(refunds, "refund_unused_top", pausing)
    ban = asyncio.create_task(moderation.ban(user_id, "ops-li", "scam",
                                             TokenStore.from_settings(app.ctx.cache, app.ctx.settings)))
    await paused.wait()
    paying = asyncio.create_task(_settled_top(user_id, shops, shop_id, 24, 3000))
    await asyncio.sleep(0.5)  # the payment waits for the shop's row, which the ban holds
    resume.set()
    await ban
    await paying
    refunded = {row.order_id for row in await Refund.all()}
    assert used_up.id not in refunded


class _RefusingOne(DevPay):
    """The development provider, except that WeChat Pay never takes one refund (its payer's account is frozen)."""

    def __init__(self, refused: str):
        super().__init__()
        self.refused = refused

    async def refund(self, refund_no, *args, **kwargs):
        if refund_no == self.refused:
            raise PayUnavailable()
        return await super().refund(refund_no, *args, **kwargs)


async def test_a_refund_wechat_keeps_refusing_does_not_hold_up_the_others(client, owner):
    recorded = []
    for _ in range(2):
        bought = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
        await settle(DevPay().confirmation(bought["order_no"], 399))
        recorded.append((await refunds.record(bought["order_no"], None, "ops-li", "bought twice"))[0].refund_no)
    pay = _RefusingOne(recorded[0])  # first in the queue
    assert await refunds.sweep(pay) == {"unavailable": 1, "refunded": 1}
    with pytest.raises(PayUnavailable):  # only the refused one left: to the round, WeChat looks away
        await refunds.sweep(pay)
    states = {row.refund_no: row.status for row in await Refund.all()}
    assert states == {recorded[0]: "pending", recorded[1]: "success"}
