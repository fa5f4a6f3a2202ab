"""The {code, message, data} envelope for errors, and the mapping of every failure onto it."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from redis.exceptions import ConnectionError as CacheConnectionError
from redis.exceptions import TimeoutError as CacheTimeoutError
from sanic import Request
from sanic.exceptions import SanicException

from models.voucher_writes import NotEnoughVouchers
from runtime.errors import DomainError
from sections import UnknownSection
from sections.posting_rules import PostingRuleBroken
from server.providers.content_check import ContentCheckUnavailable
from server.providers.licence_reader import NotALicence, ReaderUnavailable
from server.providers.share_codes import ShareCodeUnavailable
from server.providers.storage import StorageUnavailable
from server.providers.wechat_api import WeChatApiError
from server.providers.wechat_login import WeChatBusy, WeChatCodeInvalid, WeChatUnavailable
from server.providers.wechat_pay import NotificationRejected, PayUnavailable, RefundDeclined
from server.providers.wechat_push import PushRejected
from server.responses import envelope
from server.services.errors import (
    AlreadyReported,
    BlockRefused,
    CannotReportOwnPosting,
    ContentRefused,
    FreeRefreshUsed,
    ImageRejected,
    ImagesBusy,
    ImageUrlNotAllowed,
    PostingClosed,
    PostingError,
    PostingNotFound,
    NothingToRestore,
    HotSearchRuleInvalid,
    LoginLocked,
    LoginRefused,
    OperatorInvalid,
    OperatorNotFound,
    SecondFactorNeeded,
    HotSearchRuleNotFound,
    NotYourPosting,
    NotYourOrder,
    OrderNotFound,
    OwnPosting,
    PaymentMismatch,
    PriceMismatch,
    PurposeTypeUnsupported,
    RateLimited,
    RefundMismatch,
    RefundNotFound,
    RefundRefused,
    SearchUnavailable,
    CursorInvalid,
    OneOpenPosting,
    PostingCapReached,
    TokenInvalid,
    TokenMismatch,
    TokenMissing,
    UnknownProduct,
    UserBanned,
    UserNotFound,
    VerificationNotFound,
    VerificationWaiting,
    LicenceInUse,
    NothingToDecide,
)

log = logging.getLogger("server.errors")

DEFAULT_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class HttpError(Exception):
    """A refusal at the HTTP edge itself (a body that is not JSON, fields that fail validation)."""

    def __init__(self, status: int, message: str | None = None, data=None):
        super().__init__(message or DEFAULT_MESSAGES.get(status, "Error"))
        self.status = status
        self.message = message or DEFAULT_MESSAGES.get(status, "Error")
        self.data = data


def bad_request(message: str, data=None) -> HttpError:
    return HttpError(400, message, data)


def validation_error(exc: ValidationError) -> HttpError:
    """Name every offending field, in words a mini-program developer understands."""
    fields = {}
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        fields.setdefault(loc, err["msg"])
    first = next(iter(fields.items()), ("body", "invalid"))
    return HttpError(400, f"invalid {first[0]}: {first[1]}", fields)


# How each domain error goes out: its status, and whether the envelope's message is the status's title
# with the detail in `data` (the seed's way for 401/403/404: "Not Found", "user not found") or the detail
# itself with the error's data.
TITLE, DETAIL = True, False
DOMAIN_ERRORS: dict[type[DomainError], tuple[int, bool]] = {
    TokenMissing: (401, TITLE),
    TokenInvalid: (401, TITLE),
    TokenMismatch: (401, TITLE),
    NotYourPosting: (403, TITLE),
    UserNotFound: (404, TITLE),
    PostingNotFound: (404, TITLE),
    PostingClosed: (400, DETAIL),
    PostingRuleBroken: (400, DETAIL),
    OneOpenPosting: (400, DETAIL),
    PostingCapReached: (400, DETAIL),
    CursorInvalid: (400, DETAIL),
    WeChatCodeInvalid: (400, DETAIL),
    FreeRefreshUsed: (429, DETAIL),
    RateLimited: (429, TITLE),
    WeChatBusy: (429, DETAIL),
    WeChatUnavailable: (502, DETAIL),
    ImageRejected: (400, DETAIL),
    ImageUrlNotAllowed: (400, DETAIL),
    ImagesBusy: (503, DETAIL),
    SearchUnavailable: (503, TITLE),
    StorageUnavailable: (503, TITLE),
    OrderNotFound: (404, TITLE),
    NotYourOrder: (403, TITLE),
    PriceMismatch: (400, DETAIL),
    UnknownProduct: (400, DETAIL),
    PayUnavailable: (502, DETAIL),
    NotEnoughVouchers: (402, DETAIL),
    OwnPosting: (400, DETAIL),
    AlreadyReported: (400, DETAIL),
    CannotReportOwnPosting: (400, DETAIL),
    NothingToRestore: (400, DETAIL),
    BlockRefused: (400, DETAIL),
    HotSearchRuleInvalid: (400, DETAIL),
    HotSearchRuleNotFound: (404, DETAIL),
    UserBanned: (403, DETAIL),
    ContentRefused: (400, DETAIL),
    NotALicence: (400, DETAIL),
    ReaderUnavailable: (503, DETAIL),  # kept and read again in the background: never an answer today
    VerificationWaiting: (400, DETAIL),
    VerificationNotFound: (404, TITLE),
    LicenceInUse: (400, DETAIL),
    NothingToDecide: (400, DETAIL),
    ContentCheckUnavailable: (502, DETAIL),
    ShareCodeUnavailable: (503, DETAIL),  # before WeChatApiError: WeChat's failure to make a code is a 503
    WeChatApiError: (502, DETAIL),  # the WeChat client's own errors; providers name them in their words
    PushRejected: (400, DETAIL),
    PurposeTypeUnsupported: (400, DETAIL),
    UnknownSection: (400, DETAIL),
    PostingError: (400, DETAIL),  # a kind of posting error without an entry of its own
    # The notify route answers these in WeChat's format itself; mapped for any other caller.
    NotificationRejected: (400, DETAIL),
    PaymentMismatch: (400, DETAIL),
    RefundRefused: (400, DETAIL),
    RefundDeclined: (502, DETAIL),
    RefundNotFound: (400, DETAIL),
    RefundMismatch: (400, DETAIL),
    # The console answers these with its own pages; mapped for any other caller.
    OperatorInvalid: (400, DETAIL),
    OperatorNotFound: (404, DETAIL),
    LoginRefused: (401, DETAIL),
    SecondFactorNeeded: (401, DETAIL),
    LoginLocked: (429, DETAIL),
}


def domain_response(exc: DomainError, request_id: str | None):
    status, titled = next((DOMAIN_ERRORS[cls] for cls in type(exc).__mro__ if cls in DOMAIN_ERRORS), (500, TITLE))
    if status == 500:  # a domain error nobody mapped is a bug of ours, not the caller's
        log.error("unmapped domain error %s", type(exc).__name__, extra={"request_id": request_id})
        return envelope(500, DEFAULT_MESSAGES[500], {"request_id": request_id}, status=500)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    if titled:
        return envelope(status, DEFAULT_MESSAGES[status], exc.detail, status=status, headers=headers)
    return envelope(status, exc.detail, exc.data, status=status, headers=headers)


def install(app) -> None:
    @app.exception(HttpError)
    async def _http_error(request: Request, exc: HttpError):
        return envelope(exc.status, exc.message, exc.data, status=exc.status)

    @app.exception(DomainError)
    async def _domain_error(request: Request, exc: DomainError):
        return domain_response(exc, getattr(request.ctx, "request_id", None))

    @app.exception(SanicException)
    async def _sanic_error(request: Request, exc: SanicException):
        status = getattr(exc, "status_code", 500) or 500
        if status == 413:  # oversized bodies are a client error like any other bad input
            if "header" in str(exc).lower():
                return envelope(400, "request header too large", None, status=400)
            limit = request.app.config.REQUEST_MAX_SIZE
            return envelope(400, f"request body too large (at most {limit} bytes)", None, status=400)
        if status == 408:  # a slow or stalled client: worth a line, not a traceback
            log.warning("request timeout: %s", exc, extra={"request_id": getattr(request.ctx, "request_id", None)})
            return envelope(408, str(exc) or DEFAULT_MESSAGES[408], None, status=408)
        if status >= 500:
            log.exception("server error", extra={"request_id": getattr(request.ctx, "request_id", None)})
            return envelope(status, DEFAULT_MESSAGES.get(status, "Error"), None, status=status)
        return envelope(status, DEFAULT_MESSAGES.get(status, str(exc)), None, status=status)

    @app.exception(CacheConnectionError, CacheTimeoutError)
    async def _cache_unavailable(request: Request, exc: Exception):
        # Redis refused or hung (the client's short timeouts, runtime/cache.py): an outage the
        # operator sees in /readyz, not a bug. Calls work again as soon as it is back.
        log.warning("cache unavailable: %s", type(exc).__name__,
                    extra={"request_id": getattr(request.ctx, "request_id", None)})
        return envelope(503, "cache unavailable, try again shortly", None, status=503)

    @app.exception(Exception)
    async def _unexpected(request: Request, exc: Exception):
        request_id = getattr(request.ctx, "request_id", None)
        if request.conn_info is not None and request.conn_info.lost:
            # The client hung up, so Sanic cancelled the handler; what that cancellation broke on its way out
            # (a rollback on an interrupted database connection) is not an error of ours (logged 499).
            log.info("client left mid-request; the handler was cancelled: %s", type(exc).__name__,
                     extra={"request_id": request_id})
        else:
            log.exception("unhandled error", extra={"request_id": request_id})
        return envelope(500, "Internal Server Error", {"request_id": request_id}, status=500)
