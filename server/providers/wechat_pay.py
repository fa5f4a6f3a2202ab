"""WeChat Pay API v3 (JSAPI for the mini-program, WeChat Pay public-key mode) behind one interface.

`WeChatPayApi` talks to WeChat through wechatpayv3's AsyncWeChatPay; `DevPay` needs no merchant account
and takes no money: its orders are confirmed with POST /dev/pay/confirm, its refunds succeed at once.
Amounts are whole fen; times are the app clock's naive Shanghai wall time. Nothing here touches orders:
that is the services' work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx
import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from wechatpayv3.async_ import AsyncWeChatPay, WeChatPayType  # the async package has its own enum

from runtime import clock
from runtime.errors import DomainError
from runtime.settings import ConfigError, Settings

log = logging.getLogger("server.wechatpay")

TRADE_SUCCESS = "SUCCESS"
EVENT_SUCCESS = "TRANSACTION.SUCCESS"
# A refund's state at WeChat (apply and query answers' `status`, notifications' `refund_status`).
REFUND_SUCCESS, REFUND_PROCESSING, REFUND_CLOSED, REFUND_ABNORMAL = "SUCCESS", "PROCESSING", "CLOSED", "ABNORMAL"
REFUND_EVENTS = {"REFUND.SUCCESS": REFUND_SUCCESS, "REFUND.ABNORMAL": REFUND_ABNORMAL, "REFUND.CLOSED": REFUND_CLOSED}
# WeChat's refusals of a refund that asking again will not change (anything else: ask again later).
_REFUND_DECLINED = {"PARAM_ERROR", "INVALID_REQUEST", "RESOURCE_NOT_EXISTS"}
_NOTIFY_HEADERS = ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial",
                   "Wechatpay-Signature-Type")


class PayUnavailable(DomainError):
    """WeChat Pay failed, could not be reached, or answered something we cannot trust."""

    detail = "WeChat Pay is unavailable, try again later"


class NotificationRejected(DomainError):
    """A payment notification that is not provably WeChat's, or not about a success for this merchant."""


class RefundDeclined(DomainError):
    """WeChat refused a refund for good (a bad parameter, more than the trade has left, an unknown trade)."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(f"WeChat Pay refused the refund: {code} {message}".strip(), {"code": code})
        self.code = code


@dataclass(frozen=True)
class RefundState:
    """What WeChat Pay says about one refund (out_refund_no = our refund_no)."""

    refund_no: str
    order_no: str
    status: str  # SUCCESS, PROCESSING, CLOSED, ABNORMAL
    amount_fen: int
    refund_id: str | None = None
    success_at: datetime | None = None


@dataclass(frozen=True)
class PaymentState:
    """What WeChat Pay says about one order (out_trade_no = our order_no)."""

    order_no: str
    trade_state: str  # SUCCESS, NOTPAY, CLOSED, USERPAYING, PAYERROR, REVOKED, REFUND
    amount_fen: int | None = None
    transaction_id: str | None = None
    paid_at: datetime | None = None

    @property
    def paid(self) -> bool:
        return self.trade_state == TRADE_SUCCESS


class PayProvider(Protocol):
    is_development: bool

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def prepay(self, order_no: str, amount_fen: int, description: str, openid: str,
                     expire_at: datetime) -> str:
        """A JSAPI prepay for the order; returns the prepay_id."""

    def pay_params(self, prepay_id: str) -> dict:
        """What the mini-program passes to wx.requestPayment, signed."""

    async def query(self, order_no: str) -> PaymentState | None:
        """The order at WeChat; None when WeChat has no such order (its prepay never happened)."""

    async def close_order(self, order_no: str) -> bool:
        """Close an unpaid order at WeChat; False when it turns out to be paid (query it, settle it)."""

    def read_notification(self, headers: dict[str, str], body: bytes) -> PaymentState:
        """A verified, decrypted success notification, or NotificationRejected."""

    def confirmation(self, order_no: str, amount_fen: int) -> PaymentState:
        """The development provider's stand-in for paying (/dev/pay/confirm); the real one refuses."""

    async def refund(self, refund_no: str, order_no: str, amount_fen: int, total_fen: int,
                     reason: str) -> RefundState:
        """Ask for a refund of `amount_fen` of the paid order; asking again under the same refund_no is
        answered with the same refund. PayUnavailable: ask again later; RefundDeclined: never will be."""

    async def query_refund(self, refund_no: str) -> RefundState | None:
        """The refund at WeChat; None when WeChat has no such refund (the request never reached it)."""

    def read_refund_notification(self, headers: dict[str, str], body: bytes) -> RefundState:
        """A verified, decrypted refund notification (success, closed, abnormal), or NotificationRejected."""


class _Amount(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    total: int = Field(ge=0)
    currency: str = "CNY"


class _Transaction(BaseModel):
    """A transaction as WeChat sends it (query answer or decrypted notification), checked before use."""

    model_config = ConfigDict(extra="ignore")
    appid: str
    mchid: str
    out_trade_no: str = Field(max_length=32)
    trade_state: str = Field(max_length=32)
    transaction_id: str | None = Field(default=None, max_length=32)
    success_time: AwareDatetime | None = None
    amount: _Amount | None = None

    def state(self) -> PaymentState:
        return PaymentState(
            order_no=self.out_trade_no, trade_state=self.trade_state,
            amount_fen=self.amount.total if self.amount else None, transaction_id=self.transaction_id,
            paid_at=clock.from_aware(self.success_time) if self.success_time else None)


class _RefundAmount(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    total: int = Field(ge=0)
    refund: int = Field(ge=0)


class _Refund(BaseModel):
    """A refund as WeChat sends it: an apply or query answer (`status`), a decrypted notification
    (`refund_status` and `mchid`), checked before use."""

    model_config = ConfigDict(extra="ignore")
    out_refund_no: str = Field(max_length=64)
    out_trade_no: str = Field(max_length=32)
    refund_id: str | None = Field(default=None, max_length=64)
    status: str | None = Field(default=None, max_length=16)
    refund_status: str | None = Field(default=None, max_length=16)
    mchid: str | None = None
    success_time: AwareDatetime | None = None
    amount: _RefundAmount

    def state(self) -> RefundState:
        return RefundState(
            refund_no=self.out_refund_no, order_no=self.out_trade_no, status=self.status or self.refund_status or "",
            amount_fen=self.amount.refund, refund_id=self.refund_id,
            success_at=clock.from_aware(self.success_time) if self.success_time else None)


def _nonce() -> str:
    return secrets.token_hex(16).upper()


class WeChatPayApi:
    """The real provider. The SDK signs every request and verifies every answer's signature with the
    WeChat Pay public key; in public-key mode it needs no network to start."""

    is_development = False

    def __init__(self, *, mchid: str, appid: str, private_key: str, cert_serial_no: str, apiv3_key: str,
                 public_key: str, public_key_id: str, notify_url: str, api_base: str, timeout: float):
        self._mchid, self._appid = mchid, appid
        # Refund notifications come to their own route, beside the payments' (docs/payments.md).
        self._refund_notify_url = notify_url.rstrip("/") + "/refund"
        self._client = AsyncWeChatPay(
            wechatpay_type=WeChatPayType.MINIPROG, mchid=mchid, private_key=private_key,
            cert_serial_no=cert_serial_no, appid=appid, apiv3_key=apiv3_key, notify_url=notify_url,
            public_key=public_key, public_key_id=public_key_id,
            timeout=(min(timeout, 5.0), timeout))  # no logger: the SDK would log our Authorization headers
        self._client._core._gate_way = api_base  # the SDK's only way to its host (tests: a local fake)

    async def start(self) -> None:
        await self._client.__aenter__()

    async def close(self) -> None:
        await self._client.__aexit__(None, None, None)

    async def _call(self, what: str, call) -> tuple[int, dict]:
        """Run one SDK call; (status, answer) for WeChat's answers, PayUnavailable for anything else."""
        try:
            status, text = await call
        except httpx.HTTPError as exc:
            log.warning("wechatpay %s unreachable: %s", what, type(exc).__name__)
            raise PayUnavailable() from None
        except Exception as exc:  # the SDK raises a bare Exception for an answer whose signature fails
            log.error("wechatpay %s: %s", what, exc)
            raise PayUnavailable() from None
        try:
            answer = orjson.loads(text) if text else {}
        except orjson.JSONDecodeError:
            answer = {}
        return status, answer if isinstance(answer, dict) else {}

    def _transaction(self, raw, what: str) -> _Transaction:
        try:
            transaction = _Transaction.model_validate(raw)
        except ValidationError as exc:
            raise ValueError(f"{what}: malformed transaction ({exc.error_count()} errors)") from None
        if transaction.mchid != self._mchid or transaction.appid != self._appid:
            raise ValueError(f"{what}: transaction of another merchant or app")
        return transaction

    async def prepay(self, order_no: str, amount_fen: int, description: str, openid: str,
                     expire_at: datetime) -> str:
        status, answer = await self._call("prepay", self._client.pay(
            description=description, out_trade_no=order_no, amount={"total": amount_fen, "currency": "CNY"},
            payer={"openid": openid}, time_expire=clock.rfc3339(expire_at)))
        prepay_id = answer.get("prepay_id")
        if status != 200 or not isinstance(prepay_id, str) or not prepay_id:
            log.error("wechatpay prepay of %s refused: %s %s", order_no, status, answer.get("code"))
            raise PayUnavailable("WeChat Pay refused the order, try again later", {"code": answer.get("code")})
        return prepay_id

    def pay_params(self, prepay_id: str) -> dict:
        timestamp, nonce, package = str(int(clock.epoch())), _nonce(), f"prepay_id={prepay_id}"
        return {"timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA",
                "paySign": self._client.sign([self._appid, timestamp, nonce, package])}

    async def query(self, order_no: str) -> PaymentState | None:
        status, answer = await self._call("query", self._client.query(out_trade_no=order_no))
        if status == 404 and answer.get("code") == "ORDER_NOT_EXIST":
            return None
        if status != 200:
            log.warning("wechatpay query of %s failed: %s %s", order_no, status, answer.get("code"))
            raise PayUnavailable()
        try:
            transaction = self._transaction(answer, "query")
        except ValueError as exc:
            log.error("wechatpay query of %s: %s", order_no, exc)
            raise PayUnavailable() from None
        if transaction.out_trade_no != order_no:
            log.error("wechatpay query of %s answered for %s", order_no, transaction.out_trade_no)
            raise PayUnavailable()
        return transaction.state()

    async def close_order(self, order_no: str) -> bool:
        status, answer = await self._call("close", self._client.close(out_trade_no=order_no))
        if status in (200, 204) or (status == 404 and answer.get("code") == "ORDER_NOT_EXIST"):
            return True
        if answer.get("code") == "ORDER_PAID":
            return False
        log.warning("wechatpay close of %s failed: %s %s", order_no, status, answer.get("code"))
        raise PayUnavailable()

    def _verified(self, headers: dict[str, str], body: bytes) -> dict:
        """A notification whose timestamp, signature and encryption hold, decrypted (payments and refunds)."""
        headers = {name: headers.get(name, "") for name in _NOTIFY_HEADERS}
        if not clock.signed_recently(headers["Wechatpay-Timestamp"]):
            raise NotificationRejected("notification timestamp missing or more than 5 minutes off")
        try:
            notification = self._client.callback(headers, body)
        except Exception:  # unknown signature type, a body that is not JSON, an unknown cipher
            notification = None
        if not notification:
            raise NotificationRejected("notification signature or encryption is not valid")
        return notification

    def read_notification(self, headers: dict[str, str], body: bytes) -> PaymentState:
        notification = self._verified(headers, body)
        if notification.get("event_type") != EVENT_SUCCESS:
            raise NotificationRejected(f"not a payment success: {notification.get('event_type')!r}")
        try:
            transaction = self._transaction(notification.get("resource"), "notification")
        except ValueError as exc:
            raise NotificationRejected(str(exc)) from None
        if transaction.trade_state != TRADE_SUCCESS or transaction.amount is None:
            raise NotificationRejected(f"trade_state is {transaction.trade_state!r}, not SUCCESS")
        return transaction.state()

    def confirmation(self, order_no: str, amount_fen: int) -> PaymentState:
        raise NotificationRejected("only WeChat confirms a payment here")

    def _refund(self, raw, what: str) -> RefundState:
        try:
            refund = _Refund.model_validate(raw)
        except ValidationError as exc:
            raise ValueError(f"{what}: malformed refund ({exc.error_count()} errors)") from None
        if refund.mchid is not None and refund.mchid != self._mchid:
            raise ValueError(f"{what}: refund of another merchant")
        return refund.state()

    def _answered_refund(self, answer: dict, refund_no: str, what: str) -> RefundState:
        try:
            state = self._refund(answer, what)
        except ValueError as exc:
            log.error("wechatpay %s of %s: %s", what, refund_no, exc)
            raise PayUnavailable() from None
        if state.refund_no != refund_no:
            log.error("wechatpay %s of %s answered for %s", what, refund_no, state.refund_no)
            raise PayUnavailable()
        return state

    async def refund(self, refund_no: str, order_no: str, amount_fen: int, total_fen: int,
                     reason: str) -> RefundState:
        status, answer = await self._call("refund", self._client.refund(
            out_refund_no=refund_no, out_trade_no=order_no, reason=reason[:80] or None,
            amount={"refund": amount_fen, "total": total_fen, "currency": "CNY"},
            notify_url=self._refund_notify_url))
        if status == 200:
            return self._answered_refund(answer, refund_no, "refund")
        code = str(answer.get("code") or "")
        if 400 <= status < 500 and code in _REFUND_DECLINED:
            log.error("wechatpay refund %s of %s declined: %s %s", refund_no, order_no, code, answer.get("message"))
            raise RefundDeclined(code, str(answer.get("message") or ""))
        # 5xx, FREQUENCY_LIMITED, NOT_ENOUGH (the merchant's balance): the same refund_no, later
        log.warning("wechatpay refund %s of %s not accepted: %s %s", refund_no, order_no, status, code)
        raise PayUnavailable()

    async def query_refund(self, refund_no: str) -> RefundState | None:
        status, answer = await self._call("refund query", self._client.query_refund(out_refund_no=refund_no))
        if status == 404 and answer.get("code") == "RESOURCE_NOT_EXISTS":
            return None
        if status != 200:
            log.warning("wechatpay refund query of %s failed: %s %s", refund_no, status, answer.get("code"))
            raise PayUnavailable()
        return self._answered_refund(answer, refund_no, "refund query")

    def read_refund_notification(self, headers: dict[str, str], body: bytes) -> RefundState:
        notification = self._verified(headers, body)
        expected = REFUND_EVENTS.get(notification.get("event_type"))
        if expected is None:
            raise NotificationRejected(f"not a refund notification: {notification.get('event_type')!r}")
        resource = notification.get("resource")
        if not isinstance(resource, dict) or resource.get("mchid") is None:
            raise NotificationRejected("notification: refund without its merchant")
        try:
            state = self._refund(resource, "notification")
        except ValueError as exc:
            raise NotificationRejected(str(exc)) from None
        if state.status != expected:
            raise NotificationRejected(f"refund_status {state.status!r} in a {notification.get('event_type')}")
        return state


class DevPay:
    """Development provider: prepay ids start with `dev_`, nothing is charged, no notification comes."""

    is_development = True

    def __init__(self):
        self._key = secrets.token_bytes(32)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def prepay(self, order_no: str, amount_fen: int, description: str, openid: str,
                     expire_at: datetime) -> str:
        return "dev_" + secrets.token_hex(14)

    def pay_params(self, prepay_id: str) -> dict:
        timestamp, nonce, package = str(int(clock.epoch())), _nonce(), f"prepay_id={prepay_id}"
        message = f"dev\n{timestamp}\n{nonce}\n{package}\n".encode()
        signature = base64.b64encode(hmac.new(self._key, message, hashlib.sha256).digest()).decode()
        return {"timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA",
                "paySign": signature}

    async def query(self, order_no: str) -> PaymentState | None:
        return PaymentState(order_no=order_no, trade_state="NOTPAY")

    async def close_order(self, order_no: str) -> bool:
        return True

    def read_notification(self, headers: dict[str, str], body: bytes) -> PaymentState:
        raise NotificationRejected("the development pay provider receives no notifications")

    def confirmation(self, order_no: str, amount_fen: int) -> PaymentState:
        """What /dev/pay/confirm settles with: a success for the order's own amount."""
        return PaymentState(order_no=order_no, trade_state=TRADE_SUCCESS, amount_fen=amount_fen,
                            transaction_id="dev_" + secrets.token_hex(12), paid_at=clock.now())

    async def refund(self, refund_no: str, order_no: str, amount_fen: int, total_fen: int,
                     reason: str) -> RefundState:
        """Refunded at once (nothing was charged): a success for the amount asked."""
        return RefundState(refund_no=refund_no, order_no=order_no, status=REFUND_SUCCESS, amount_fen=amount_fen,
                           refund_id="dev_" + secrets.token_hex(12), success_at=clock.now())

    async def query_refund(self, refund_no: str) -> RefundState | None:
        return None  # nothing kept: a refund still open here is asked for again, and succeeds

    def read_refund_notification(self, headers: dict[str, str], body: bytes) -> RefundState:
        raise NotificationRejected("the development pay provider receives no notifications")


def _read_key(path, setting: str) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise ConfigError(f"{setting}: cannot read {path}: {exc.strerror}") from None


def build_pay_provider(settings: Settings) -> PayProvider:
    if settings.resolved_pay_provider == "dev":
        return DevPay()
    try:
        return WeChatPayApi(
            mchid=settings.wechatpay_mchid, appid=settings.resolved_wechatpay_appid,
            private_key=_read_key(settings.wechatpay_private_key_path, "WECHATPAY_PRIVATE_KEY_PATH"),
            cert_serial_no=settings.wechatpay_cert_serial_no,
            apiv3_key=settings.wechatpay_apiv3_key.get_secret_value(),
            public_key=_read_key(settings.wechatpay_public_key_path, "WECHATPAY_PUBLIC_KEY_PATH"),
            public_key_id=settings.wechatpay_public_key_id, notify_url=settings.wechatpay_notify_url,
            api_base=settings.wechatpay_api_base, timeout=settings.wechatpay_timeout_seconds)
    except ConfigError:
        raise
    except Exception as exc:  # the SDK's "failed to load private key" and the like
        raise ConfigError(f"WeChat Pay keys cannot be used: {exc}") from None
