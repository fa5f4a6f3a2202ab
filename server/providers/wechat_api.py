"""The one WeChat API client of a process: its HTTP session, the mini-program's access token, and the
mapping of every way a call can fail onto three errors. Login and content checks both call through it.

The access token (cgi-bin/stable_token) is cached in Redis under one key per appid, so every provider and
every worker uses the same token: a refresh by one is seen by the others instead of each fetching (and,
with force_refresh, invalidating) its own.
"""

from __future__ import annotations

import logging
from typing import TypeVar

import httpx
import redis.asyncio as redis
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from runtime.errors import DomainError

log = logging.getLogger("server.wechat")

# WeChat's "the access token is invalid / has expired": the call is made once more with a new token.
# 40001 invalid credential, 40014 invalid access_token (e.g. a cached value WeChat never issued or has
# replaced), 42001 access_token expired. Left out, 40014 kept a bad cached token in use until it aged out.
TOKEN_EXPIRED = {40001, 40014, 42001}

# Kept until this long before WeChat expires it, so a token is never used in its last minutes.
_EXPIRY_MARGIN_SECONDS = 300


class WeChatApiError(DomainError):
    """WeChat gave no usable answer. `errcode` is WeChat's code when it refused (not logged here: each
    provider knows which codes are the user's doing); None when it was unreachable or answered nonsense
    (logged here)."""

    detail = "WeChat service error, try again later"

    def __init__(self, detail: str | None = None, errcode: int | None = None, errmsg: str = ""):
        super().__init__(detail, data={"errcode": errcode} if errcode is not None else None)
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatUnreachable(WeChatApiError):
    """No answer. `maybe_delivered`: the request may have reached WeChat all the same (the answer was lost, not
    the connection refused): a call that must not happen twice (a subscribe message) is not made again."""

    detail = "WeChat service unreachable, try again later"
    maybe_delivered = False


class WeChatMalformed(WeChatApiError):
    detail = "WeChat returned a malformed answer, try again later"


class WeChatRefused(WeChatApiError):
    """WeChat answered a non-zero errcode."""


class _TokenRejected(WeChatRefused):
    """WeChat called the access token invalid or expired (what the one retry is for)."""


class AccessTokenFailed(WeChatApiError):
    """No access token: WeChat refused one (`errcode`), or was unreachable or answered nonsense (None)."""

    detail = "WeChat access token unavailable, try again later"


class Answer(BaseModel):
    """What every WeChat answer holds; each call's model adds its own fields. Checked before anything of it
    is used or stored: a malformed answer (wrong types, a list) is WeChat's fault, never a 500 further in."""

    model_config = ConfigDict(extra="ignore", strict=True)
    errcode: int = 0
    errmsg: str = ""


class _Token(Answer):
    access_token: str | None = Field(default=None, min_length=1, max_length=2048)
    expires_in: int = Field(default=7200, ge=0)


A = TypeVar("A", bound=Answer)


class WeChatApi:
    """One per process (the app builds it and hands it to the providers; it alone closes it)."""

    def __init__(self, appid: str, secret: str, api_base: str, cache: redis.Redis, timeout: float = 5.0):
        self._appid = appid
        self._secret = secret
        self._http = httpx.AsyncClient(base_url=api_base, timeout=timeout)
        self._cache = cache
        self.token_cache_key = f"wechat:access_token:{appid}"  # the key of every release: rolling deploys share it

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    async def close(self) -> None:
        await self._http.aclose()

    async def call(self, path: str, payload: dict, model: type[A], files: dict | None = None) -> A:
        """POST `payload` to an API taking the access token (`files`: a multipart upload instead, as
        cv/ocr/* take an image). A token WeChat calls invalid or expired is forgotten and the call made once
        more with a new one; a second such answer is a WeChatRefused."""
        async for attempt in AsyncRetrying(stop=stop_after_attempt(2), retry=retry_if_exception_type(_TokenRejected),
                                           reraise=True):
            with attempt:
                token = await self.access_token(force_refresh=attempt.retry_state.attempt_number > 1)
                body = {"files": files, "data": payload} if files else {"json": payload}
                answer = await self._request("POST", path, model, params={"access_token": token}, **body)
                if answer.errcode in TOKEN_EXPIRED:
                    await self._cache.delete(self.token_cache_key)  # so no caller keeps using it
                    raise _TokenRejected(errcode=answer.errcode, errmsg=answer.errmsg)
        return self._accepted(answer)

    async def call_for_bytes(self, path: str, payload: dict) -> tuple[bytes, str]:
        """POST `payload` to an API that answers a file (wxa/getwxacodeunlimit: an image) or, when it refuses,
        WeChat's JSON error: the file's bytes and content type. The access token is renewed once, as `call`."""
        async for attempt in AsyncRetrying(stop=stop_after_attempt(2), retry=retry_if_exception_type(_TokenRejected),
                                           reraise=True):
            with attempt:
                token = await self.access_token(force_refresh=attempt.retry_state.attempt_number > 1)
                response = await self._send("POST", path, params={"access_token": token}, json=payload)
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if content_type.startswith("image/"):
                    return response.content, content_type
                answer = self._parsed(path, response, Answer)
                if answer.errcode in TOKEN_EXPIRED:
                    await self._cache.delete(self.token_cache_key)
                    raise _TokenRejected(errcode=answer.errcode, errmsg=answer.errmsg)
                self._accepted(answer)
                log.warning("wechat %s: neither a file nor an error", path)
                raise WeChatMalformed()
        raise AssertionError("unreachable")  # pragma: no cover

    async def code2session(self, login_code: str, model: type[A]) -> A:
        """sns/jscode2session: the app's credentials and the code, no access token."""
        answer = await self._request("GET", "/sns/jscode2session", model, params={
            "appid": self._appid,
            "secret": self._secret,
            "js_code": login_code,
            "grant_type": "authorization_code",
        })
        return self._accepted(answer)

    async def access_token(self, force_refresh: bool = False) -> str:
        """The cached token, or a new one from WeChat (`force_refresh`: WeChat said the cached one is
        invalid or expired)."""
        if not force_refresh:
            cached = await self._cache.get(self.token_cache_key)
            if cached:
                return cached
        try:
            answer = await self._request("POST", "/cgi-bin/stable_token", _Token, json={
                "grant_type": "client_credential",
                "appid": self._appid,
                "secret": self._secret,
                "force_refresh": force_refresh,
            })
        except WeChatApiError as failed:
            raise AccessTokenFailed(failed.detail) from None
        if not answer.access_token:
            raise AccessTokenFailed(errcode=answer.errcode or -1, errmsg=answer.errmsg)
        ttl = max(answer.expires_in - _EXPIRY_MARGIN_SECONDS, 60)
        await self._cache.set(self.token_cache_key, answer.access_token, ex=ttl)
        return answer.access_token

    async def _request(self, method: str, path: str, model: type[A], **kwargs) -> A:
        return self._parsed(path, await self._send(method, path, **kwargs), model)

    async def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("wechat %s unreachable: %s", path, type(exc).__name__)
            unreachable = WeChatUnreachable()
            # Refused or never connected, or an HTTP error status: WeChat did not act on it. Anything else
            # (a read timeout, a connection cut mid-answer) may have come after WeChat acted.
            unreachable.maybe_delivered = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout,
                                                               httpx.PoolTimeout, httpx.HTTPStatusError))
            raise unreachable from None
        return response

    @staticmethod
    def _parsed(path: str, response: httpx.Response, model: type[A]) -> A:
        try:
            body = response.json()
        except ValueError:
            log.warning("wechat %s unreachable: %s", path, "JSONDecodeError")
            unreachable = WeChatUnreachable()
            unreachable.maybe_delivered = True  # answered, in no form of WeChat's: whether it acted is unknown
            raise unreachable from None
        try:
            return model.model_validate(body)  # a list or a string is refused too
        except ValidationError:
            log.warning("wechat %s: malformed answer", path)  # the values themselves may be personal data
            raise WeChatMalformed() from None

    @staticmethod
    def _accepted(answer: A) -> A:
        if answer.errcode:
            raise WeChatRefused(errcode=answer.errcode, errmsg=answer.errmsg)
        return answer


def build_wechat_api(settings, cache: redis.Redis) -> WeChatApi | None:
    """The process's client, or None where the development providers stand in for WeChat."""
    if settings.resolved_wechat_provider != "wechat":
        return None
    return WeChatApi(settings.wechat_appid, settings.wechat_secret, settings.wechat_api_base, cache,
                     timeout=settings.wechat_timeout_seconds)
