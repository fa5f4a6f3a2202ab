"""The fake WeChat Pay against the real wechatpayv3 SDK: if the SDK accepts its answers and notifications
and it refuses what the SDK signs with another key, the payment tests run against something faithful."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# The async client's own enum: wechatpayv3.WeChatPayType is a different class it does not recognise.
from wechatpayv3.async_ import AsyncWeChatPay, WeChatPayType

from tests.fakes.wechat_pay import (
    APIV3_KEY,
    APPID,
    MCHID,
    MERCHANT_SERIAL,
    PUBLIC_KEY_ID,
    FakeWeChatPay,
    verify_pay_sign,
)


@pytest.fixture(scope="session")
async def fake_pay(pay_keys):
    """A fake of its own: these tests reset it, which must not disturb the session app's."""
    fake = await FakeWeChatPay(pay_keys).start()
    yield fake
    await fake.stop()


def _sdk(fake: FakeWeChatPay, private_key_pem: str, apiv3_key: str = APIV3_KEY) -> AsyncWeChatPay:
    client = AsyncWeChatPay(
        wechatpay_type=WeChatPayType.MINIPROG, mchid=MCHID, private_key=private_key_pem,
        cert_serial_no=MERCHANT_SERIAL, appid=APPID, apiv3_key=apiv3_key,
        notify_url="https://example.com/pay/notify/wechat",
        public_key=fake.keys.platform_public_key_path.read_text(), public_key_id=PUBLIC_KEY_ID, timeout=(2, 5))
    client._core._gate_way = fake.url
    return client


@pytest.fixture
async def client(fake_pay):
    fake_pay.reset()
    async with _sdk(fake_pay, fake_pay.keys.merchant_private_key_path.read_text()) as sdk:
        yield sdk


async def _prepay(client: AsyncWeChatPay, out_trade_no: str, total: int = 990) -> tuple[int, dict]:
    expire = (datetime.now(timezone(timedelta(hours=8))) + timedelta(minutes=30)).isoformat(timespec="seconds")
    code, text = await client.pay(description="置顶 7 天", out_trade_no=out_trade_no,
                                  amount={"total": total, "currency": "CNY"}, payer={"openid": "o-alice"},
                                  time_expire=expire)
    return code, json.loads(text)


async def _query(client: AsyncWeChatPay, out_trade_no: str) -> tuple[int, dict]:
    code, text = await client.query(out_trade_no=out_trade_no)
    return code, json.loads(text)


async def test_prepay_then_pay_reads_success_and_is_idempotent_for_the_same_params(fake_pay, client):
    code, answer = await _prepay(client, "T-pay-0001")
    assert code == 200 and answer["prepay_id"].startswith("wx") and len(answer["prepay_id"]) == 32
    assert (await _prepay(client, "T-pay-0001")) == (200, answer)
    code, refused = await _prepay(client, "T-pay-0001", total=1)
    assert (code, refused["code"]) == (400, "INVALID_REQUEST")
    assert (await _query(client, "T-pay-0001"))[1]["trade_state"] == "NOTPAY"

    paid = fake_pay.pay("T-pay-0001")
    code, read = await _query(client, "T-pay-0001")
    assert code == 200 and read == paid
    assert read["trade_state"] == "SUCCESS" and len(read["transaction_id"]) == 28
    assert read["amount"] == {"total": 990, "payer_total": 990, "currency": "CNY", "payer_currency": "CNY"}
    assert fake_pay.calls == {"prepay": 3, "query": 2}

    timestamp, nonce, package = "1700000000", "n0nce", f"prepay_id={answer['prepay_id']}"
    pay_sign = client.sign([APPID, timestamp, nonce, package])
    assert verify_pay_sign(fake_pay.keys, APPID, timestamp, nonce, package, pay_sign)
    assert not verify_pay_sign(fake_pay.keys, APPID, timestamp, nonce, package + "x", pay_sign)


async def test_close_ends_an_unpaid_trade_but_not_a_paid_one(fake_pay, client):
    await _prepay(client, "T-close-01")
    assert await client.close("T-close-01") == (204, b"")
    assert (await _query(client, "T-close-01"))[1]["trade_state"] == "CLOSED"
    assert (await _prepay(client, "T-close-01"))[1]["code"] == "ORDER_CLOSED"

    await _prepay(client, "T-close-02")
    fake_pay.pay("T-close-02")
    code, text = await client.close("T-close-02")
    assert (code, json.loads(text)["code"]) == (400, "ORDER_PAID")
    code, text = await client.close("T-unknown-1")
    assert (code, json.loads(text)["code"]) == (404, "ORDER_NOT_EXIST")


async def test_another_merchant_key_or_an_outage_is_refused(fake_pay, client):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    async with _sdk(fake_pay, stranger) as impostor:
        code, answer = await _prepay(impostor, "T-forged-1")
    assert (code, answer["code"]) == (401, "SIGN_ERROR")
    assert fake_pay.trade("T-forged-1") is None and fake_pay.requests == []

    fake_pay.down = True
    code, answer = await _query(client, "T-forged-1")
    assert (code, answer["code"]) == (500, "SYSTEM_ERROR")


async def test_the_sdk_decrypts_a_notification_and_rejects_forged_ones(fake_pay, client):
    await _prepay(client, "T-notify-1")
    transaction = fake_pay.pay("T-notify-1")
    headers, body = fake_pay.notification(transaction)
    event = client.callback(headers, body)
    assert event["resource"] == transaction and event["event_type"] == "TRANSACTION.SUCCESS"

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert client.callback(*fake_pay.notification(transaction, signing_key=other_key)) is None
    assert client.callback(*fake_pay.notification(transaction, apiv3_key="k" * 32)) is None


async def _refund(client: AsyncWeChatPay, out_refund_no: str, out_trade_no: str, refund: int,
                  total: int = 990) -> tuple[int, dict]:
    code, text = await client.refund(out_refund_no=out_refund_no, out_trade_no=out_trade_no, reason="重复购买",
                                     amount={"refund": refund, "total": total, "currency": "CNY"},
                                     notify_url="https://example.com/pay/notify/wechat/refund")
    return code, json.loads(text)


async def test_refunds_need_a_paid_trade_never_exceed_it_and_are_idempotent_per_refund_number(fake_pay, client):
    await _prepay(client, "T-refund-1")
    code, refused = await _refund(client, "T-refund-1R1", "T-refund-1", 100)
    assert (code, refused["code"]) == (400, "INVALID_REQUEST")  # not paid yet
    fake_pay.pay("T-refund-1")
    code, first = await _refund(client, "T-refund-1R1", "T-refund-1", 600)
    assert code == 200 and first["status"] == "PROCESSING" and "success_time" not in first
    assert first["amount"]["refund"] == 600 and first["amount"]["total"] == 990
    assert (await _refund(client, "T-refund-1R1", "T-refund-1", 600)) == (200, first)  # asked again: the same
    assert (await _refund(client, "T-refund-1R1", "T-refund-1", 500))[1]["code"] == "INVALID_REQUEST"
    code, over = await _refund(client, "T-refund-1R2", "T-refund-1", 391)
    assert (code, over["code"]) == (400, "INVALID_REQUEST")
    assert (await _refund(client, "T-refund-1R2", "T-refund-1", 390, total=1000))[1]["code"] == "PARAM_ERROR"
    assert (await _refund(client, "T-refund-2R1", "T-unknown-2", 1))[0] == 404
    assert (await _query(client, "T-refund-1"))[1]["trade_state"] == "REFUND"

    code, text = await client.query_refund(out_refund_no="T-refund-1R1")
    assert code == 200 and json.loads(text) == first
    code, text = await client.query_refund(out_refund_no="T-refund-1R9")
    assert (code, json.loads(text)["code"]) == (404, "RESOURCE_NOT_EXISTS")

    resource = fake_pay.complete_refund("T-refund-1R1")
    code, text = await client.query_refund(out_refund_no="T-refund-1R1")
    assert json.loads(text)["status"] == "SUCCESS" and json.loads(text)["success_time"] == resource["success_time"]
    event = client.callback(*fake_pay.refund_notification(resource))
    assert event["event_type"] == "REFUND.SUCCESS" and event["resource"] == resource
    assert event["resource"]["mchid"] == MCHID and event["resource"]["refund_status"] == "SUCCESS"
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert client.callback(*fake_pay.refund_notification(resource, signing_key=other_key)) is None
