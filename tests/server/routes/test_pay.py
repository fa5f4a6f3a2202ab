"""The money path end to end: prices, orders, the signed prepay at (fake) WeChat Pay, its notification,
settling exactly once, and what a paid top, refresh or voucher pack changes for users."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from indexer.sync import drain
from models.job import Job
from models.order import Order
from models.outbox import IndexOutbox
from models.seeker import Seeker
from models.shop import Shop
from models.user import User
from runtime import clock
from runtime.settings import PostingPriceSetting
from server.services import order_sync
from server.services.order_sweeper import OrderSweeper
from tests.fakes.wechat_pay import APPID, verify_pay_sign
from tests.helpers.api import background_drainer, login_as, outbox_reasons
from tests.helpers.payments import assert_ledger_adds_up, deliver, order, order_status, pay, vouchers
from tests.helpers.postings import post, post_job
from tests.helpers.services import LockBarrier, mysql_only

START = datetime(2026, 3, 2, 10, 0, 0)
pytestmark = pytest.mark.usefixtures("ledger_invariant")


@pytest.fixture
async def owner(client):
    return await login_as(client, "owner")


async def _job_info(client, job_id: int) -> dict:
    return (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]


async def _listed(client) -> list[int]:
    response = await client.post("/jobs/list", json={"query_type": 1, "page_size": 50})
    return [job["id"] for job in response.json()["data"]["jobs"]]


async def test_prices_come_from_the_server(client):
    data = (await client.get("/pay/prices")).json()["data"]
    assert {"top_hour": 72, "price": 5.0} in data["top"]
    assert data["refresh"] == {"price": 1.99}
    assert {"contact_voucher_num": 1, "price": 3.99} in data["contact_voucher"]


async def test_a_top_order_is_prepaid_signed_and_settled_by_wechats_notification(
        client, owner, wechat_pay, pay_keys, travel):
    travel(START)
    job_id = await post_job(client, owner)
    created = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=72, price=5.00)
    assert created["order_no"].startswith("TOP202603021000") and len(created["order_no"]) <= 32
    assert created["amount"] == 5.0
    params = created["pay_params"]
    assert params["signType"] == "RSA" and params["package"].startswith("prepay_id=wx")
    assert verify_pay_sign(pay_keys, APPID, params["timeStamp"], params["nonceStr"], params["package"],
                           params["paySign"])
    sent = next(r for r in wechat_pay.requests if r["out_trade_no"] == created["order_no"])
    user = await User.get(id=int(owner["user_id"]))
    assert sent["amount"] == {"total": 500, "currency": "CNY"} and sent["payer"] == {"openid": user.openid}
    assert sent["time_expire"].startswith("2026-03-02T12:00:") and sent["time_expire"].endswith("+08:00")
    assert sent["notify_url"] == "https://jobs.example.com/pay/notify/wechat"
    assert (await order_status(client, owner, created["order_no"]))["status"] == "created"
    assert (await _job_info(client, job_id))["is_top"] == 0

    response = await pay(client, wechat_pay, created["order_no"])
    assert response.status_code == 204, response.text
    status = await order_status(client, owner, created["order_no"])
    assert (status["status"], status["kind"], status["top_hour"], status["job_id"]) == ("paid", "top", 72, job_id)
    info = await _job_info(client, job_id)
    start = datetime.strptime(info["top_start_time"], "%Y-%m-%d %H:%M:%S.%f")
    assert info["is_top"] == 1 and start - START < timedelta(minutes=1)
    assert info["top_end_time"] == clock.fmt(start + timedelta(hours=72))
    assert (await outbox_reasons(job_id))[-1] == "top"


async def test_tops_stack_while_running_and_start_afresh_after_expiry(client, owner, wechat_pay, travel):
    travel(START)
    job_id = await post_job(client, owner)
    first = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=72, price=5)
    await pay(client, wechat_pay, first["order_no"])
    after_first = await Job.get(id=job_id)
    second = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=24, price="2.00")
    await pay(client, wechat_pay, second["order_no"])
    stacked = await Job.get(id=job_id)
    assert stacked.top_start_time == after_first.top_start_time
    assert stacked.top_end_time - after_first.top_end_time == timedelta(hours=24)

    travel(stacked.top_end_time + timedelta(hours=5))
    assert (await _job_info(client, job_id))["is_top"] == 0
    third = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=24, price=2)
    await pay(client, wechat_pay, third["order_no"])
    fresh = await Job.get(id=job_id)
    assert fresh.top_start_time > stacked.top_end_time
    assert fresh.top_end_time - fresh.top_start_time == timedelta(hours=24)
    assert await outbox_reasons(job_id) == ["create", "top", "top", "top"]


async def test_a_paid_top_is_first_in_the_recommended_listing_within_a_second(client, app, owner, wechat_pay):
    older = await post_job(client, owner, positions="厨师")
    newer = await post_job(client, owner, positions="服务员")
    await drain(app.ctx.search.client)
    assert (await _listed(client))[0] == newer
    async with background_drainer(app):  # a round a minute: only the notify's nudge can be in time
        created = await order(client, owner, "/jobs/top", job_id=older, top_hour=72, price=5)
        assert (await pay(client, wechat_pay, created["order_no"])).status_code == 204
        started = time.monotonic()
        while (await _listed(client))[0] != older:
            assert time.monotonic() - started < 1.5, "the paid top did not reach the listing"
            await asyncio.sleep(0.05)


async def test_a_paid_refresh_moves_the_job_up(client, app, owner, wechat_pay):
    older = await post_job(client, owner)
    newer = await post_job(client, owner)
    created = await order(client, owner, "/jobs/refresh/pay", job_id=older, price=1.99)
    assert created["order_no"].startswith("REF") and created["amount"] == 1.99
    before = await Job.get(id=older)
    await pay(client, wechat_pay, created["order_no"])
    after = await Job.get(id=older)
    assert after.last_refresh_time is not None and after.version == before.version + 1
    assert await outbox_reasons(older) == ["create", "paid_refresh"]
    await drain(app.ctx.search.client)
    assert await _listed(client) == [older, newer]


async def test_bought_vouchers_reach_the_balance_and_the_ledger(client, owner, wechat_pay):
    five = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    one = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    assert five["order_no"].startswith("CV") and (five["amount"], one["amount"]) == (17.99, 3.99)
    assert (await vouchers(client, owner))["contact_voucher_num"] == 0
    await pay(client, wechat_pay, five["order_no"])
    await pay(client, wechat_pay, one["order_no"])
    records = await vouchers(client, owner)
    assert records["contact_voucher_num"] == 6 and records["list_total"] == 2
    assert [(r["type"], r["title"], r["change_num"]) for r in records["list"]] == [
        ("buy", "购买联系券", 1), ("buy", "购买联系券", 5)]
    assert await assert_ledger_adds_up(int(owner["user_id"])) == 6
    assert (await order_status(client, owner, one["order_no"]))["contact_voucher_num"] == 1


async def test_money_is_whole_fen_end_to_end(client, owner, wechat_pay, tune):
    tune(posting_prices={"jobs": PostingPriceSetting(top={72: Decimal("0.07")})},
         price_contact_voucher={3: Decimal("19.99")})
    prices = (await client.get("/pay/prices")).json()["data"]
    assert prices["top"] == [{"top_hour": 72, "price": 0.07}]
    assert prices["contact_voucher"] == [{"contact_voucher_num": 3, "price": 19.99}]
    job_id = await post_job(client, owner)
    top = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=72, price=0.07)
    pack = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=3, price="19.99")
    assert (top["amount"], pack["amount"]) == (0.07, 19.99)
    totals = {r["out_trade_no"]: r["amount"]["total"] for r in wechat_pay.requests}
    assert (totals[top["order_no"]], totals[pack["order_no"]]) == (7, 1999)
    stored = {o.order_no: o.amount_fen for o in await Order.all()}
    assert stored == {top["order_no"]: 7, pack["order_no"]: 1999}
    assert (await pay(client, wechat_pay, pack["order_no"])).status_code == 204
    assert (await order_status(client, owner, pack["order_no"]))["amount"] == 19.99
    for price in (19.98, 20, "19.990001", 19.989):
        response = await client.post("/contact_voucher/buy", json={"contact_voucher_num": 3, "price": price},
                                     headers=owner)
        assert response.status_code == 400, (price, response.text)
    assert await Order.all().count() == 2


async def test_what_is_refused_creates_no_order_and_asks_wechat_nothing(client, owner, wechat_pay):
    other = await login_as(client, "other")
    job_id = await post_job(client, owner)
    closed = await post_job(client, owner)
    await client.post("/job/close", json={"job_id": closed}, headers=owner)
    prepays = wechat_pay.calls["prepay"]
    cases = [
        ("/jobs/top", {"job_id": job_id, "top_hour": 72, "price": 5}, other, 403, "Forbidden"),
        ("/jobs/refresh/pay", {"job_id": job_id, "price": 1.99}, other, 403, "Forbidden"),
        ("/jobs/top", {"job_id": closed, "top_hour": 72, "price": 5}, owner, 400, "this job is closed"),
        ("/jobs/refresh/pay", {"job_id": closed, "price": 1.99}, owner, 400, "this job is closed"),
        ("/jobs/top", {"job_id": 987654, "top_hour": 72, "price": 5}, owner, 404, "Not Found"),
        ("/jobs/top", {"job_id": job_id, "top_hour": 72, "price": 4.99}, owner, 400, "price mismatch"),
        ("/jobs/top", {"job_id": job_id, "top_hour": 71, "price": 5}, owner, 400, "top_hour must be one of"),
        ("/jobs/refresh/pay", {"job_id": job_id, "price": 0.99}, owner, 400, "price mismatch"),
        ("/contact_voucher/buy", {"contact_voucher_num": 2, "price": 7.98}, owner, 400, "contact_voucher_num"),
        ("/contact_voucher/buy", {"contact_voucher_num": 1, "price": 0.01}, owner, 400, "price mismatch"),
        ("/contact_voucher/buy", {"contact_voucher_num": 1, "price": 3.99}, {}, 401, "Unauthorized"),
    ]
    for path, body, headers, status, message in cases:
        response = await client.post(path, json=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (status, status), (path, body, response.text)
        assert response.json()["message"].startswith(message), (path, response.text)
    mismatch = await client.post("/jobs/top", json={"job_id": job_id, "top_hour": 72, "price": 4.99}, headers=owner)
    assert mismatch.json()["data"] == {"price": 5.0}
    assert await Order.all().count() == 0 and wechat_pay.calls["prepay"] == prepays


async def test_an_order_is_visible_to_its_owner_only(client, owner, wechat_pay):
    other = await login_as(client, "other")
    created = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    response = await client.post("/order/info", json={"order_no": created["order_no"]}, headers=other)
    assert (response.status_code, response.json()["message"]) == (403, "Forbidden")
    response = await client.post("/order/info", json={"order_no": "CV2026010100000000000000"}, headers=owner)
    assert response.status_code == 404


def _forged(transaction: dict, **changes) -> dict:
    forged = {**transaction, "amount": dict(transaction["amount"])}
    for key, value in changes.items():
        if key == "total":
            forged["amount"]["total"] = forged["amount"]["payer_total"] = value
        else:
            forged[key] = value
    return forged


async def test_notifications_that_are_not_provably_wechats_change_nothing(client, owner, wechat_pay):
    job_id = await post_job(client, owner)
    created = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=72, price=5)
    paid = wechat_pay.pay(created["order_no"])
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers, body = wechat_pay.notification(paid, timestamp=int(clock.epoch()))
    tampered = await client.post("/pay/notify/wechat", content=body.replace(b'"summary"', b'"Summary"'),
                                 headers=headers)
    attempts = [tampered] + [await deliver(client, wechat_pay, transaction, **overrides) for transaction, overrides in (
        (paid, {"apiv3_key": "another-apiv3-key-0123456789abcd"}),
        (paid, {"signing_key": stranger}),
        (paid, {"timestamp": int(clock.epoch()) - 360}),  # a minute past the 5 allowed, either way
        (paid, {"timestamp": int(clock.epoch()) + 360}),
        (paid, {"event_type": "TRANSACTION.CLOSED"}),
        (_forged(paid, total=1), {}),
        (_forged(paid, mchid="1900000002"), {}),
        (_forged(paid, appid="wx-other-app"), {}),
        (_forged(paid, trade_state="NOTPAY"), {}),
        (_forged(paid, out_trade_no="TOP2026030210000099999999"), {}),
    )]
    for response in attempts:  # refused (400), not failed (500: an error of ours, WeChat retries it)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "FAIL" and response.json()["message"]
    assert (await Order.get(order_no=created["order_no"])).status == "created"
    assert (await Job.get(id=job_id)).top_end_time is None
    assert await outbox_reasons(job_id) == ["create"]
    assert (await deliver(client, wechat_pay, paid)).status_code == 204  # the genuine one still settles


async def test_the_same_notification_five_times_settles_once(client, owner, wechat_pay):
    job_id = await post_job(client, owner)
    created = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=72, price=5)
    headers, body = wechat_pay.notification(wechat_pay.pay(created["order_no"]), timestamp=int(clock.epoch()))
    for _ in range(5):
        assert (await client.post("/pay/notify/wechat", content=body, headers=headers)).status_code == 204
    job = await Job.get(id=job_id)
    assert job.top_end_time - job.top_start_time == timedelta(hours=72)
    assert await outbox_reasons(job_id) == ["create", "top"]


@pytest.mark.parametrize("section", ["seekers", "shops"])
async def test_a_card_or_shop_order_notified_twice_settles_once(client, owner, wechat_pay, section):
    """A 求职 card's or a 招租 shop's top and paid refresh, each notified twice: each applied once."""
    model, top_path, refresh_path, id_key, biz_type, top, refresh = {
        "seekers": (Seeker, "/seekers/top", "/seekers/refresh/pay", "seeker_id", 2, 1.00, 0.99),
        "shops": (Shop, "/shops/top", "/shops/refresh/pay", "shop_id", 3, 5.00, 2.99),
    }[section]
    posting_id = await post(client, owner, section)
    for path, extra in ((top_path, {"top_hour": 24, "price": top}), (refresh_path, {"price": refresh})):
        bought = await order(client, owner, path, **{id_key: posting_id}, **extra)
        headers, body_ = wechat_pay.notification(wechat_pay.pay(bought["order_no"]), timestamp=int(clock.epoch()))
        for _ in range(2):
            assert (await client.post("/pay/notify/wechat", content=body_, headers=headers)).status_code == 204
    posting = await model.get(id=posting_id)
    assert posting.top_end_time - posting.top_start_time == timedelta(hours=24)
    reasons = [row.reason for row in await IndexOutbox.filter(biz_type=biz_type, posting_id=posting_id).order_by("id")]
    assert reasons == ["create", "top", "paid_refresh"]
    assert posting.version == 3  # created, topped, refreshed: no change applied twice


@mysql_only
async def test_five_concurrent_deliveries_settle_once(client, owner, wechat_pay, settings):
    created = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    headers, body = wechat_pay.notification(wechat_pay.pay(created["order_no"]), timestamp=int(clock.epoch()))
    async with LockBarrier(settings.resolved_database_url) as barrier:
        await barrier.lock("SELECT id FROM orders WHERE order_no = %s FOR UPDATE", created["order_no"])
        calls = [asyncio.create_task(client.post("/pay/notify/wechat", content=body, headers=headers))
                 for _ in range(5)]
        await barrier.wait_for(5)  # all five wait on the order row at once
    assert [r.status_code for r in await asyncio.gather(*calls)] == [204] * 5
    records = await vouchers(client, owner)
    assert records["contact_voucher_num"] == 5 and records["list_total"] == 1
    assert await assert_ledger_adds_up(int(owner["user_id"])) == 5


async def test_polling_a_paid_order_whose_notification_is_late_settles_it(client, owner, wechat_pay, travel):
    travel(START)
    created = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    wechat_pay.pay(created["order_no"])  # paid at WeChat; the notification has not come
    assert (await order_status(client, owner, created["order_no"]))["status"] == "created"  # < 1 min: not asked
    travel(START + timedelta(minutes=2))
    assert (await order_status(client, owner, created["order_no"]))["status"] == "paid"
    assert (await vouchers(client, owner))["contact_voucher_num"] == 1


async def test_expired_orders_are_closed_here_and_at_wechat(client, app, owner, wechat_pay, travel):
    travel(START)
    unpaid = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    paid_late = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    wechat_pay.pay(paid_late["order_no"])
    travel(START + timedelta(minutes=119))
    assert await order_sync.close_expired(app.ctx.pay) == {}
    travel(START + timedelta(minutes=121))
    assert await order_sync.close_expired(app.ctx.pay) == {"closed": 1, "paid": 1}
    assert wechat_pay.trade(unpaid["order_no"])["trade_state"] == "CLOSED"
    closed = await Order.get(order_no=unpaid["order_no"])
    assert (closed.status, closed.close_reason) == ("closed", "expired unpaid")
    assert (await vouchers(client, owner))["contact_voucher_num"] == 5
    assert await order_sync.close_expired(app.ctx.pay) == {}


async def test_the_apps_sweeper_closes_expired_orders_by_itself(client, app, owner, wechat_pay, travel):
    travel(START)
    unpaid = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    travel(START + timedelta(hours=3))
    sweeper = OrderSweeper(app.ctx.pay, app.ctx.cache, interval=0.05)
    task = asyncio.create_task(sweeper.run())
    try:
        started = time.monotonic()
        while (await Order.get(order_no=unpaid["order_no"])).status != "closed":
            assert time.monotonic() - started < 5, "the sweeper did not close the expired order"
            await asyncio.sleep(0.05)
    finally:
        sweeper.stop()
        await task
    assert wechat_pay.trade(unpaid["order_no"])["trade_state"] == "CLOSED"


async def test_a_success_for_a_closed_order_is_still_honoured(client, owner, wechat_pay, caplog):
    created = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    paid = wechat_pay.pay(created["order_no"])  # WeChat took the money...
    await Order.filter(order_no=created["order_no"]).update(status="closed", close_reason="expired unpaid")
    response = await deliver(client, wechat_pay, paid)  # ...so the late notification is honoured
    assert response.status_code == 204
    stored = await Order.get(order_no=created["order_no"])
    assert (stored.status, stored.transaction_id) == ("paid", paid["transaction_id"])
    assert (await vouchers(client, owner))["contact_voucher_num"] == 1
    assert any("LATE PAYMENT" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


async def test_wechat_pay_down_at_order_time_is_a_502_and_the_order_is_closed(client, owner, wechat_pay):
    wechat_pay.down = True
    try:
        response = await client.post("/contact_voucher/buy", json={"contact_voucher_num": 1, "price": 3.99},
                                     headers=owner)
    finally:
        wechat_pay.down = False
    assert (response.status_code, response.json()["code"]) == (502, 502)
    stored = await Order.get()
    assert (stored.status, stored.close_reason) == ("closed", "prepay failed")


async def test_the_real_provider_has_no_dev_confirmation(client, owner):
    response = await client.post("/dev/pay/confirm", json={"order_no": "CV1"}, headers=owner)
    assert response.status_code == 404


async def test_reconcile_settles_a_payment_whose_notification_never_came(client, app, owner, wechat_pay):
    job_id = await post_job(client, owner)
    lost = await order(client, owner, "/jobs/refresh/pay", job_id=job_id, price=1.99)
    waiting = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    wechat_pay.pay(lost["order_no"])
    outcomes = {o.order_no: outcome for o, outcome in await order_sync.reconcile(app.ctx.pay, timedelta(hours=24))}
    assert outcomes == {lost["order_no"]: "paid", waiting["order_no"]: "unchanged"}
    assert await outbox_reasons(job_id) == ["create", "paid_refresh"]
    assert (await order_status(client, owner, waiting["order_no"]))["status"] == "created"


async def test_stacked_tops_show_in_the_detail(client, owner, wechat_pay):
    job_id = await post_job(client, owner)
    for hours, price in ((72, 5), (24, 2)):
        await pay(client, wechat_pay, (await order(client, owner, "/jobs/top", job_id=job_id, top_hour=hours,
                                                   price=price))["order_no"])
    info = await _job_info(client, job_id)
    start = datetime.strptime(info["top_start_time"], "%Y-%m-%d %H:%M:%S.%f")
    assert info["is_top"] == 1 and info["top_end_time"] == clock.fmt(start + timedelta(hours=96))


async def test_a_top_paid_for_a_job_closed_meanwhile_is_applied_and_flagged(client, owner, wechat_pay, caplog):
    job_id = await post_job(client, owner)
    created = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=72, price=5)
    await client.post("/job/close", json={"job_id": job_id}, headers=owner)
    assert (await pay(client, wechat_pay, created["order_no"])).status_code == 204  # WeChat has the money
    assert (await Job.get(id=job_id)).top_end_time is not None
    assert any("is closed" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


@pytest.mark.parametrize("forged", [{"mchid": "1900000002"}, {"appid": "wx-other-app"},
                                    {"out_trade_no": "CV2026030210000000000001"}, {"amount": {"total": 1}}])
async def test_a_query_answer_that_is_not_about_this_order_settles_nothing(client, owner, wechat_pay, travel,
                                                                          forged):
    travel(START)
    created = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    wechat_pay.pay(created["order_no"])
    wechat_pay.forged_answers[created["order_no"]] = forged
    travel(START + timedelta(minutes=2))
    status = await order_status(client, owner, created["order_no"])
    assert status["status"] in ("created", "closed") and status["paid_at"] == ""
    assert (await vouchers(client, owner))["contact_voucher_num"] == 0


async def test_a_payment_made_as_the_order_expires_is_settled_not_lost(client, app, owner, wechat_pay, travel):
    travel(START)
    created = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    wechat_pay.paid_on_close.add(created["order_no"])  # NOTPAY when queried, paid when we try to close it
    travel(START + timedelta(hours=3))
    assert await order_sync.close_expired(app.ctx.pay) == {"paid": 1}
    assert (await vouchers(client, owner))["contact_voucher_num"] == 5


async def test_polling_follows_wechat_closing_and_survives_wechat_down(client, owner, wechat_pay, travel):
    travel(START)
    closed = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    waiting = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    wechat_pay.close_trade(closed["order_no"])
    travel(START + timedelta(minutes=2))
    assert (await order_status(client, owner, closed["order_no"]))["status"] == "closed"
    wechat_pay.down = True
    try:
        assert (await order_status(client, owner, waiting["order_no"]))["status"] == "created"
    finally:
        wechat_pay.down = False


async def test_polling_asks_wechat_at_most_every_few_seconds(client, owner, wechat_pay, travel):
    travel(START)
    created = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    travel(START + timedelta(minutes=2))
    queries = wechat_pay.calls["query"]
    for _ in range(5):
        assert (await order_status(client, owner, created["order_no"]))["status"] == "created"
    assert wechat_pay.calls["query"] == queries + 1


async def test_odd_notification_timestamps_are_refused_not_errors(client, owner, wechat_pay):
    created = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    headers, body = wechat_pay.notification(wechat_pay.pay(created["order_no"]), timestamp=int(clock.epoch()))
    for timestamp in ("²".encode(), "9" * 5000, "", "-1", "1e9"):
        response = await client.post("/pay/notify/wechat", content=body,
                                     headers={**headers, "Wechatpay-Timestamp": timestamp})
        assert response.status_code == 400 and response.json()["code"] == "FAIL", (timestamp, response.text)
    assert (await Order.get(order_no=created["order_no"])).status == "created"


@mysql_only
async def test_concurrent_credits_to_one_balance_all_count(client, owner, wechat_pay, settings):
    first = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    await pay(client, wechat_pay, first["order_no"])  # the account exists: the race is on its balance
    packs = [await order(client, owner, "/contact_voucher/buy", contact_voucher_num=n, price=price)
             for n, price in ((5, 17.99), (10, 29.90))]
    deliveries = [wechat_pay.notification(wechat_pay.pay(p["order_no"]), timestamp=int(clock.epoch())) for p in packs]
    async with LockBarrier(settings.resolved_database_url) as barrier:
        await barrier.lock("SELECT user_id FROM contact_voucher_accounts WHERE user_id = %s FOR UPDATE",
                           int(owner["user_id"]))
        calls = [asyncio.create_task(client.post("/pay/notify/wechat", content=body, headers=headers))
                 for headers, body in deliveries]
        await barrier.wait_for(2, waiting_in="contact_voucher_accounts")  # both credits wait on the balance
    assert [r.status_code for r in await asyncio.gather(*calls)] == [204, 204]
    records = await vouchers(client, owner)
    assert (records["contact_voucher_num"], records["list_total"]) == (16, 3)


class _NotifiedWhileAsked:
    """The app's pay provider, except that `meanwhile` runs as the sweeper asks WeChat about an order:
    the sweeper then holds a stale copy of the order read before."""

    def __init__(self, pay, meanwhile):
        self._pay, self._meanwhile = pay, meanwhile

    async def query(self, order_no: str):
        await self._meanwhile()
        return await self._pay.query(order_no)

    def __getattr__(self, name):
        return getattr(self._pay, name)


@pytest.mark.parametrize("wechat_then", ["SUCCESS", "REFUND"])
async def test_an_order_paid_while_the_sweeper_looks_stays_paid_and_applied_once(client, app, owner, wechat_pay,
                                                                                travel, wechat_then):
    """Only an order still `created` is closed or settled by the sweeper: the notification settles it while
    the sweeper asks WeChat (which then says paid, or refunded since from the merchant platform)."""
    travel(START)
    job_id = await post_job(client, owner)
    created = await order(client, owner, "/jobs/top", job_id=job_id, top_hour=72, price=5)
    paid = wechat_pay.pay(created["order_no"])
    travel(START + timedelta(hours=3))  # past its expiry: the sweeper takes it up
    notified = []

    async def notification_arrives():
        notified.append(await deliver(client, wechat_pay, paid))
        if wechat_then == "REFUND":
            wechat_pay.forged_answers[created["order_no"]] = {"trade_state": "REFUND"}

    assert await order_sync.close_expired(_NotifiedWhileAsked(app.ctx.pay, notification_arrives)) == {"unchanged": 1}
    assert [response.status_code for response in notified] == [204]
    assert (await order_status(client, owner, created["order_no"]))["status"] == "paid"
    job = await Job.get(id=job_id)
    assert job.top_end_time - job.top_start_time == timedelta(hours=72)
    assert await outbox_reasons(job_id) == ["create", "top"]
