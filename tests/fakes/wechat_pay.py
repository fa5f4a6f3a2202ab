"""A local fake of the WeChat Pay API v3 the payment provider calls: JSAPI (mini-program) prepay, query by
out_trade_no and close, domestic refunds (apply, query by out_refund_no), for a direct merchant in WeChat Pay
public-key mode; plus what WeChat POSTs to the notify_url, built on demand by `notification` and
`refund_notification`.

It behaves like WeChat Pay where the app depends on it, computed here from WeChat's published rules and
independently of the SDK:
- every request's `Authorization` (WECHATPAY2-SHA256-RSA2048: SHA256withRSA by the merchant key over
  METHOD \\n path?query \\n timestamp \\n nonce \\n body \\n, within 5 minutes) and `Wechatpay-Serial` (the
  platform public key id) are checked; a bad one is 401 SIGN_ERROR and changes nothing;
- every 2xx answer, the bodiless 204 of close included, is signed with the platform key (the SDK refuses
  an unsigned one), and errors are `{"code", "message"}` JSON with WeChat's status and code;
- a prepay is idempotent per out_trade_no only with identical parameters, a closed trade stays closed,
  a paid one cannot be closed, and an unpaid trade stays NOTPAY past its time_expire until closed.
- a refund needs a paid trade (else 400 INVALID_REQUEST; an unknown one is 404 RESOURCE_NOT_EXISTS) and
  `amount.total` equal to the trade's; the refunds of a trade never exceed what was paid (400 INVALID_REQUEST
  "申请退款金额超过订单可退金额"); it is idempotent per out_refund_no only with identical parameters; a new
  refund is PROCESSING (the trade's state turns REFUND) until the test `complete_refund`s it; a query of an
  unknown out_refund_no is 404 RESOURCE_NOT_EXISTS.
The payer is the test: `pay` moves a trade to SUCCESS and `notification` signs and encrypts the callback,
with overrides to forge bad ones. `down` makes every call a 500 SYSTEM_ERROR.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import secrets
import string
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.helpers.services import serve_aiohttp

MCHID = "1900000001"
APPID = "wx-app"  # the mini-program of tests/fakes/wechat.py
APIV3_KEY = "fake-apiv3-key-0123456789abcdefg"  # 32 ASCII characters: an AES-256 key
PUBLIC_KEY_ID = "PUB_KEY_ID_0114232134912024"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
CLOCK_SKEW = 300  # seconds WeChat tolerates between an Authorization timestamp and its own clock
CHINA = timezone(timedelta(hours=8))
_OUT_TRADE_NO = re.compile(r"[A-Za-z0-9_*-]{6,32}")
_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
_OUT_REFUND_NO = re.compile(r"[A-Za-z0-9_|*@-]{1,64}")
_STATE_DESC = {"NOTPAY": "订单未支付", "SUCCESS": "支付成功", "CLOSED": "订单已关闭", "REFUND": "转入退款"}
_REFUND_SUMMARY = {"SUCCESS": "退款成功", "CLOSED": "退款关闭", "ABNORMAL": "退款异常"}


@dataclass(frozen=True)
class PayKeys:
    """The two RSA key pairs of a merchant set-up: the merchant's (the app signs with it) and WeChat Pay's
    platform key (the fake signs with it; the app holds only its public half)."""

    merchant_private_key_path: Path
    platform_public_key_path: Path
    merchant_public_key: RSAPublicKey
    platform_private_key: RSAPrivateKey

    @classmethod
    def generate(cls, directory: Path) -> "PayKeys":
        merchant = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        platform = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        merchant_path = directory / "apiclient_key.pem"
        merchant_path.write_bytes(merchant.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        platform_path = directory / "pub_key.pem"
        platform_path.write_bytes(platform.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        return cls(merchant_path, platform_path, merchant.public_key(), platform)


def _sign(key: RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _verify(key: RSAPublicKey, message: str, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message.encode(), padding.PKCS1v15(),
                   hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_pay_sign(keys: PayKeys, appid: str, timestamp: str, nonce: str, package: str, pay_sign: str) -> bool:
    """Whether `pay_sign` is the merchant's signature of the wx.requestPayment parameters, as WeChat
    checks it when the mini-program asks to pay."""
    return _verify(keys.merchant_public_key, f"{appid}\n{timestamp}\n{nonce}\n{package}\n", pay_sign)


def _now_rfc3339() -> str:
    return datetime.now(CHINA).isoformat(timespec="seconds")


def _nonce(length: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


def _error(status: int, code: str, message: str) -> web.Response:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False)  # UTF-8, as WeChat sends it
    return web.Response(status=status, text=body, charset="utf-8", content_type="application/json")


def _prepay_problem(body: dict) -> tuple[str, str] | None:
    """What WeChat would refuse in a JSAPI prepay body: (code, message), or None."""
    if body.get("appid") != APPID or body.get("mchid") != MCHID:
        return "APPID_MCHID_NOT_MATCH", "appid和mchid不匹配"
    description = body.get("description")
    if not isinstance(description, str) or not 0 < len(description) <= 127:
        return "PARAM_ERROR", "description 应为 1 到 127 个字符"
    out_trade_no = body.get("out_trade_no")
    if not isinstance(out_trade_no, str) or not _OUT_TRADE_NO.fullmatch(out_trade_no):
        return "PARAM_ERROR", "out_trade_no 格式错误"
    notify_url = body.get("notify_url")
    if not isinstance(notify_url, str) or not notify_url.startswith(("https://", "http://")):
        return "PARAM_ERROR", "notify_url 格式错误"
    amount = body.get("amount")
    total = amount.get("total") if isinstance(amount, dict) else None
    if type(total) is not int or total <= 0 or amount.get("currency") != "CNY":
        return "PARAM_ERROR", "amount 应为 {\"total\": 正整数(分), \"currency\": \"CNY\"}"
    payer = body.get("payer")
    if not isinstance(payer, dict) or not isinstance(payer.get("openid"), str) or not payer["openid"]:
        return "PARAM_ERROR", "payer.openid 不能为空"
    time_expire = body.get("time_expire")
    try:
        expire = datetime.fromisoformat(time_expire) if "T" in time_expire else None
    except (TypeError, ValueError):
        expire = None
    if expire is None or expire.tzinfo is None:
        return "PARAM_ERROR", "time_expire 应为 RFC3339 时间, 带时区"
    return None


class FakeWeChatPay:
    def __init__(self, keys: PayKeys):
        self.keys = keys
        self.url = ""
        self.calls: Counter[str] = Counter()
        self.requests: list[dict] = []  # every prepay body that passed the signature check
        self.refund_requests: list[dict] = []  # every refund body that passed it
        self.down = False
        self._trades: dict[str, dict] = {}  # out_trade_no → {"body", "prepay_id", "state", ...}
        self._refunds: dict[str, dict] = {}  # out_refund_no → {"body", "refund_id", "status", ...}
        self._serial = itertools.count(1)  # keeps transaction ids unique across resets
        # Test levers: fields forged into a trade's query answers; trades the payer pays in the very
        # moment the merchant closes them (the close then finds them paid).
        self.forged_answers: dict[str, dict] = {}
        self.paid_on_close: set[str] = set()
        # Set to an unset Event: refund requests wait for it once their signature passed (a slow WeChat).
        self.hold_refunds: asyncio.Event | None = None
        self.runner: web.AppRunner | None = None

    async def start(self) -> "FakeWeChatPay":
        app = web.Application()
        app.router.add_post("/v3/pay/transactions/jsapi", self.prepay)
        app.router.add_get("/v3/pay/transactions/out-trade-no/{out_trade_no}", self.query)
        app.router.add_post("/v3/pay/transactions/out-trade-no/{out_trade_no}/close", self.close)
        app.router.add_post("/v3/refund/domestic/refunds", self.apply_refund)
        app.router.add_get("/v3/refund/domestic/refunds/{out_refund_no}", self.query_refund)
        self.runner, self.url = await serve_aiohttp(app)
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    def reset(self) -> None:
        self.forged_answers.clear()
        self.paid_on_close.clear()
        self.hold_refunds = None
        self._trades.clear()
        self._refunds.clear()
        self.calls.clear()
        self.requests.clear()
        self.refund_requests.clear()
        self.down = False

    # --- what tests read and do -------------------------------------------------------------------------

    def trade(self, out_trade_no: str) -> dict | None:
        """The trade as WeChat's transaction JSON (the query answer, the notification resource)."""
        stored = self._trades.get(out_trade_no)
        if stored is None:
            return None
        body, state = stored["body"], stored["state"]
        paid = state in ("SUCCESS", "REFUND")
        transaction = {"appid": body["appid"], "mchid": body["mchid"], "out_trade_no": out_trade_no,
                       "trade_type": "JSAPI", "trade_state": state, "trade_state_desc": _STATE_DESC[state],
                       "attach": body.get("attach", ""), "payer": {"openid": body["payer"]["openid"]},
                       "amount": {"total": body["amount"]["total"], "currency": "CNY", "payer_currency": "CNY"}}
        if paid:  # WeChat fills these in only once the payer has paid
            transaction.update(transaction_id=stored["transaction_id"], bank_type="OTHERS",
                               success_time=stored["success_time"])
            transaction["amount"]["payer_total"] = stored["payer_total"]
        return transaction

    def pay(self, out_trade_no: str, *, payer_total: int | None = None) -> dict:
        """The payer pays the trade; its transaction JSON, as the notification will carry it."""
        stored = self._trades.get(out_trade_no)
        if stored is None or stored["state"] != "NOTPAY":
            raise ValueError(f"no unpaid trade {out_trade_no!r} to pay")
        day = datetime.now(CHINA).strftime("%Y%m%d")
        stored.update(state="SUCCESS", success_time=_now_rfc3339(),
                      transaction_id=f"4200{next(self._serial):06d}{day}{secrets.randbelow(10**10):010d}",
                      payer_total=stored["body"]["amount"]["total"] if payer_total is None else payer_total)
        return self.trade(out_trade_no)

    def close_trade(self, out_trade_no: str) -> None:
        """WeChat closes an unpaid trade on its side (as it may after time_expire)."""
        stored = self._trades[out_trade_no]
        if stored["state"] != "NOTPAY":
            raise ValueError(f"trade {out_trade_no!r} is {stored['state']}, not NOTPAY")
        stored["state"] = "CLOSED"

    def notification(self, transaction: dict, *, timestamp: int | None = None, apiv3_key: str | None = None,
                     signing_key: RSAPrivateKey | None = None, serial: str | None = None,
                     event_type: str = "TRANSACTION.SUCCESS") -> tuple[dict[str, str], bytes]:
        """The headers and body WeChat POSTs to notify_url for `transaction`: AES-256-GCM encrypted with the
        APIv3 key, signed with the platform key. The overrides forge stale, misencrypted or missigned ones."""
        return self._callback(transaction, "transaction", event_type, "支付成功", timestamp=timestamp,
                              apiv3_key=apiv3_key, signing_key=signing_key, serial=serial)

    def refund_notification(self, refund: dict, *, timestamp: int | None = None, apiv3_key: str | None = None,
                            signing_key: RSAPrivateKey | None = None, serial: str | None = None,
                            event_type: str | None = None) -> tuple[dict[str, str], bytes]:
        """What WeChat POSTs to a refund's notify_url for `refund` (`complete_refund`'s answer): event
        REFUND.<refund_status>, the resource encrypted and the body signed as for payments."""
        return self._callback(refund, "refund", event_type or f"REFUND.{refund['refund_status']}",
                              _REFUND_SUMMARY.get(refund["refund_status"], "退款"), timestamp=timestamp,
                              apiv3_key=apiv3_key, signing_key=signing_key, serial=serial)

    def _callback(self, resource: dict, original_type: str, event_type: str, summary: str, *,
                  timestamp: int | None, apiv3_key: str | None, signing_key: RSAPrivateKey | None,
                  serial: str | None) -> tuple[dict[str, str], bytes]:
        resource_nonce = _nonce(12)
        plaintext = json.dumps(resource, ensure_ascii=False).encode()
        ciphertext = AESGCM((apiv3_key or APIV3_KEY).encode()).encrypt(
            resource_nonce.encode(), plaintext, original_type.encode())
        body = json.dumps({
            "id": f"EV-{secrets.token_hex(10)}", "create_time": _now_rfc3339(),
            "resource_type": "encrypt-resource", "event_type": event_type, "summary": summary,
            "resource": {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
                         "ciphertext": base64.b64encode(ciphertext).decode(),
                         "associated_data": original_type, "nonce": resource_nonce},
        }, ensure_ascii=False)
        headers = self._signature_headers(body, timestamp=timestamp, signing_key=signing_key, serial=serial)
        headers["Content-Type"] = "application/json"
        return headers, body.encode()

    # --- the API ------------------------------------------------------------------------------------------

    def _signature_headers(self, body: str, *, timestamp: int | None = None,
                           signing_key: RSAPrivateKey | None = None, serial: str | None = None) -> dict[str, str]:
        ts, nonce = str(int(time.time()) if timestamp is None else timestamp), _nonce(32)
        return {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce,
                "Wechatpay-Signature": _sign(signing_key or self.keys.platform_private_key, f"{ts}\n{nonce}\n{body}\n"),
                "Wechatpay-Serial": serial or PUBLIC_KEY_ID, "Wechatpay-Signature-Type": SIGNATURE_TYPE}

    def _signed(self, payload: dict | None) -> web.Response:
        """A 200 with `payload`, or a bodiless 204, signed as WeChat signs every success."""
        if payload is None:
            return web.Response(status=204, headers=self._signature_headers(""))
        body = json.dumps(payload, ensure_ascii=False)
        return web.Response(status=200, text=body, charset="utf-8", content_type="application/json",
                            headers=self._signature_headers(body))

    def _refusal(self, request: web.Request, body: str) -> web.Response | None:
        """The error WeChat answers before looking at the request itself: an outage or a bad signature."""
        if self.down:
            return _error(500, "SYSTEM_ERROR", "系统错误")
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        params = dict(_AUTH_PARAM.findall(credential))
        if scheme != SIGNATURE_TYPE or params.get("mchid") != MCHID or params.get("serial_no") != MERCHANT_SERIAL:
            return _error(401, "SIGN_ERROR", "Authorization 的认证类型、商户号或证书序列号错误")
        if request.headers.get("Wechatpay-Serial") != PUBLIC_KEY_ID:
            return _error(401, "SIGN_ERROR", "Wechatpay-Serial 不是微信支付公钥ID")
        timestamp, nonce = params.get("timestamp", ""), params.get("nonce_str", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > CLOCK_SKEW or not nonce:
            return _error(401, "SIGN_ERROR", "Authorization 的时间戳或随机串无效")
        message = f"{request.method}\n{request.raw_path}\n{timestamp}\n{nonce}\n{body}\n"
        if not _verify(self.keys.merchant_public_key, message, params.get("signature", "")):
            return _error(401, "SIGN_ERROR", "签名错误")
        return None

    @staticmethod
    def _json_object(text: str) -> dict | None:
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    async def prepay(self, request: web.Request):
        self.calls["prepay"] += 1
        text = await request.text()
        if refusal := self._refusal(request, text):
            return refusal
        body = self._json_object(text)
        if body is None:
            return _error(400, "PARAM_ERROR", "请求体不是合法的 JSON 对象")
        self.requests.append(body)
        if problem := _prepay_problem(body):
            return _error(400, *problem)
        stored = self._trades.get(body["out_trade_no"])
        if stored is None:
            stored = self._trades[body["out_trade_no"]] = {
                "body": body, "prepay_id": "wx" + _nonce(30), "state": "NOTPAY"}
        elif stored["state"] == "CLOSED":
            return _error(400, "ORDER_CLOSED", "订单已关闭")
        elif stored["state"] in ("SUCCESS", "REFUND"):
            return _error(400, "ORDER_PAID", "订单已支付")
        elif stored["body"] != body:
            return _error(400, "INVALID_REQUEST", "201 商户订单号重复")
        return self._signed({"prepay_id": stored["prepay_id"]})

    async def query(self, request: web.Request):
        self.calls["query"] += 1
        if refusal := self._refusal(request, ""):
            return refusal
        if request.query.get("mchid") != MCHID:
            return _error(400, "PARAM_ERROR", "mchid 与请求方不一致")
        transaction = self.trade(request.match_info["out_trade_no"])
        if transaction is None:
            return _error(404, "ORDER_NOT_EXIST", "订单不存在")
        return self._signed({**transaction, **self.forged_answers.get(transaction["out_trade_no"], {})})

    async def close(self, request: web.Request):
        self.calls["close"] += 1
        text = await request.text()
        if refusal := self._refusal(request, text):
            return refusal
        body = self._json_object(text)
        if body is None or body.get("mchid") != MCHID:
            return _error(400, "PARAM_ERROR", "mchid 与请求方不一致")
        stored = self._trades.get(request.match_info["out_trade_no"])
        if stored is None:
            return _error(404, "ORDER_NOT_EXIST", "订单不存在")
        if request.match_info["out_trade_no"] in self.paid_on_close and stored["state"] == "NOTPAY":
            self.pay(request.match_info["out_trade_no"])
        if stored["state"] in ("SUCCESS", "REFUND"):
            return _error(400, "ORDER_PAID", "订单已支付")
        stored["state"] = "CLOSED"
        return self._signed(None)

    # --- refunds ------------------------------------------------------------------------------------------

    def refund(self, out_refund_no: str) -> dict | None:
        """The refund as WeChat's apply and query answers carry it."""
        stored = self._refunds.get(out_refund_no)
        if stored is None:
            return None
        body, trade = stored["body"], self._trades[stored["out_trade_no"]]
        answer = {"refund_id": stored["refund_id"], "out_refund_no": out_refund_no,
                  "transaction_id": trade["transaction_id"], "out_trade_no": stored["out_trade_no"],
                  "channel": "ORIGINAL", "user_received_account": "支付用户零钱", "create_time": stored["create_time"],
                  "status": stored["status"], "funds_account": "AVAILABLE",
                  "amount": {"total": body["amount"]["total"], "refund": body["amount"]["refund"], "from": [],
                             "payer_total": trade["payer_total"], "payer_refund": body["amount"]["refund"],
                             "settlement_refund": body["amount"]["refund"],
                             "settlement_total": body["amount"]["total"], "discount_refund": 0, "currency": "CNY",
                             "refund_fee": 0},
                  "promotion_detail": []}
        if stored["status"] == "SUCCESS":
            answer["success_time"] = stored["success_time"]
        return answer

    def refunds_of(self, out_trade_no: str) -> list[dict]:
        return [self.refund(number) for number, stored in self._refunds.items()
                if stored["out_trade_no"] == out_trade_no]

    def complete_refund(self, out_refund_no: str, status: str = "SUCCESS") -> dict:
        """WeChat finishes a PROCESSING refund (SUCCESS, CLOSED or ABNORMAL); the decrypted resource its
        notification carries."""
        stored = self._refunds[out_refund_no]
        if stored["status"] != "PROCESSING":
            raise ValueError(f"refund {out_refund_no!r} is {stored['status']}, not PROCESSING")
        stored["status"] = status
        if status == "SUCCESS":
            stored["success_time"] = _now_rfc3339()
        trade = self._trades[stored["out_trade_no"]]
        resource = {"mchid": MCHID, "transaction_id": trade["transaction_id"], "out_trade_no": stored["out_trade_no"],
                    "refund_id": stored["refund_id"], "out_refund_no": out_refund_no, "refund_status": status,
                    "user_received_account": "支付用户零钱",
                    "amount": {"total": stored["body"]["amount"]["total"], "refund": stored["body"]["amount"]["refund"],
                               "payer_total": trade["payer_total"], "payer_refund": stored["body"]["amount"]["refund"]}}
        if status == "SUCCESS":
            resource["success_time"] = stored["success_time"]
        return resource

    def refund_elsewhere(self, out_trade_no: str, amount: int) -> str:
        """The merchant refunds part of a paid trade on the merchant platform, not through the app: a
        refund already SUCCESS that the app never asked for. Its out_refund_no."""
        trade = self._trades[out_trade_no]
        number = f"MP{next(self._serial):08d}"
        self._refunds[number] = {
            "body": {"out_refund_no": number, "out_trade_no": out_trade_no,
                     "amount": {"refund": amount, "total": trade["body"]["amount"]["total"], "currency": "CNY"}},
            "out_trade_no": out_trade_no, "status": "SUCCESS", "success_time": _now_rfc3339(),
            "refund_id": f"5030{next(self._serial):06d}{secrets.randbelow(10**18):018d}", "create_time": _now_rfc3339()}
        trade["state"] = "REFUND"
        return number

    def _refund_problem(self, body: dict) -> tuple[int, str, str] | None:
        """What WeChat would refuse in a refund body: (status, code, message), or None."""
        out_refund_no = body.get("out_refund_no")
        if not isinstance(out_refund_no, str) or not _OUT_REFUND_NO.fullmatch(out_refund_no):
            return 400, "PARAM_ERROR", "out_refund_no 格式错误"
        if "transaction_id" in body or not isinstance(body.get("out_trade_no"), str):
            return 400, "PARAM_ERROR", "须传 out_trade_no"  # the app refunds by its own order number
        reason = body.get("reason", "")
        if not isinstance(reason, str) or len(reason) > 80:
            return 400, "PARAM_ERROR", "reason 不超过 80 个字符"
        notify_url = body.get("notify_url")
        if notify_url is not None and (not isinstance(notify_url, str) or not notify_url.startswith("https://")):
            return 400, "PARAM_ERROR", "notify_url 须为 https 地址"
        amount = body.get("amount")
        refund = amount.get("refund") if isinstance(amount, dict) else None
        total = amount.get("total") if isinstance(amount, dict) else None
        if type(refund) is not int or type(total) is not int or refund <= 0 or amount.get("currency") != "CNY":
            return 400, "PARAM_ERROR", "amount 应为 {\"refund\": 正整数(分), \"total\": 正整数(分), \"currency\": \"CNY\"}"
        trade = self._trades.get(body["out_trade_no"])
        if trade is None:
            return 404, "RESOURCE_NOT_EXISTS", "订单不存在"
        if trade["state"] not in ("SUCCESS", "REFUND"):
            return 400, "INVALID_REQUEST", "订单状态不正确，未支付的订单不能退款"
        if total != trade["body"]["amount"]["total"]:
            return 400, "PARAM_ERROR", "订单金额与原订单不一致"
        refunded = sum(stored["body"]["amount"]["refund"] for stored in self._refunds.values()
                       if stored["out_trade_no"] == body["out_trade_no"] and stored["status"] != "CLOSED")
        if refunded + refund > total:
            return 400, "INVALID_REQUEST", "申请退款金额超过订单可退金额"
        return None

    async def apply_refund(self, request: web.Request):
        self.calls["refund"] += 1
        text = await request.text()
        if refusal := self._refusal(request, text):
            return refusal
        body = self._json_object(text)
        if body is None:
            return _error(400, "PARAM_ERROR", "请求体不是合法的 JSON 对象")
        self.refund_requests.append(body)
        if self.hold_refunds is not None:
            await self.hold_refunds.wait()
        stored = self._refunds.get(body.get("out_refund_no"))
        if stored is not None:  # the same refund asked again: the same answer, if it is the same refund
            if stored["body"] != body:
                return _error(400, "INVALID_REQUEST", "商户退款单号重复，且与原退款参数不一致")
            return self._signed(self.refund(body["out_refund_no"]))
        if problem := self._refund_problem(body):
            return _error(*problem)
        self._refunds[body["out_refund_no"]] = {
            "body": body, "out_trade_no": body["out_trade_no"], "status": "PROCESSING",
            "refund_id": f"5030{next(self._serial):06d}{secrets.randbelow(10**18):018d}", "create_time": _now_rfc3339()}
        self._trades[body["out_trade_no"]]["state"] = "REFUND"
        return self._signed(self.refund(body["out_refund_no"]))

    async def query_refund(self, request: web.Request):
        self.calls["refund_query"] += 1
        if refusal := self._refusal(request, ""):
            return refusal
        refund = self.refund(request.match_info["out_refund_no"])
        if refund is None:
            return _error(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return self._signed(refund)
