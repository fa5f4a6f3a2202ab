"""Buying and paying through the API: orders created by the app, paid at the fake WeChat Pay, and the
notification WeChat would send delivered to the app."""

from __future__ import annotations

import httpx

from models.vouchers import VoucherAccount, VoucherLedger
from runtime import clock
from tests.fakes import wechat_pay as fake
from tests.fakes.wechat_pay import FakeWeChatPay, PayKeys

NOTIFY = "/pay/notify/wechat"
REFUND_NOTIFY = "/pay/notify/wechat/refund"


def pay_settings(keys: PayKeys, api_base: str) -> dict:
    """The settings of the real pay provider talking to the fake WeChat Pay at `api_base`."""
    return {"wechatpay_mchid": fake.MCHID, "wechatpay_appid": fake.APPID,
            "wechatpay_private_key_path": keys.merchant_private_key_path,
            "wechatpay_cert_serial_no": fake.MERCHANT_SERIAL, "wechatpay_apiv3_key": fake.APIV3_KEY,
            "wechatpay_public_key_path": keys.platform_public_key_path,
            "wechatpay_public_key_id": fake.PUBLIC_KEY_ID,
            "wechatpay_notify_url": "https://jobs.example.com/pay/notify/wechat", "wechatpay_api_base": api_base}


async def order(client: httpx.AsyncClient, headers: dict, path: str, **body) -> dict:
    """POST a buying endpoint; the `data` of its 200 (order_id, order_no, amount, pay_params)."""
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def deliver(client: httpx.AsyncClient, wechat_pay: FakeWeChatPay, transaction: dict,
                  **overrides) -> httpx.Response:
    """WeChat's notification of `transaction`, stamped with the app's clock unless overridden."""
    overrides.setdefault("timestamp", int(clock.epoch()))
    headers, body = wechat_pay.notification(transaction, **overrides)
    return await client.post(NOTIFY, content=body, headers=headers)


async def deliver_refund(client: httpx.AsyncClient, wechat_pay: FakeWeChatPay, refund: dict,
                         **overrides) -> httpx.Response:
    """WeChat's notification of a finished refund (`complete_refund`'s resource), stamped with the app's clock."""
    overrides.setdefault("timestamp", int(clock.epoch()))
    headers, body = wechat_pay.refund_notification(refund, **overrides)
    return await client.post(REFUND_NOTIFY, content=body, headers=headers)


async def pay(client: httpx.AsyncClient, wechat_pay: FakeWeChatPay, order_no: str) -> httpx.Response:
    """The payer pays at WeChat and WeChat notifies the app."""
    return await deliver(client, wechat_pay, wechat_pay.pay(order_no))


def charged_fen(wechat_pay: FakeWeChatPay, *orders: dict) -> list[int]:
    """What WeChat Pay was asked to charge for each of `orders` (`order`'s answers), in fen."""
    totals = {request["out_trade_no"]: request["amount"]["total"] for request in wechat_pay.requests}
    return [totals[created["order_no"]] for created in orders]


async def order_status(client: httpx.AsyncClient, headers: dict, order_no: str) -> dict:
    response = await client.post("/order/info", json={"order_no": order_no}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def vouchers(client: httpx.AsyncClient, headers: dict) -> dict:
    response = await client.post("/contact_voucher/records", json={"page_size": 50}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def assert_ledger_adds_up(user_id: int) -> int:
    """The balance equals the sum of its ledger, and no ledger row shows a negative balance."""
    account = await VoucherAccount.get_or_none(user_id=user_id)
    rows = await VoucherLedger.filter(user_id=user_id).order_by("id")
    balance = account.balance if account else 0
    assert sum(row.change_num for row in rows) == balance >= 0
    running = 0
    for row in rows:
        running += row.change_num
        assert row.balance_after == running >= 0
    return balance
