"""The mini-program's access token (cgi-bin/stable_token), cached in Redis and shared by every provider
that calls WeChat on the app's behalf (login's phone number, content checks).

One cache key per appid: all providers and all workers use the same token, so a refresh by one is seen
by the others instead of each fetching (and, with force_refresh, invalidating) its own.
"""

from __future__ import annotations

import logging

import httpx
import redis.asyncio as redis
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runtime.errors import DomainError

log = logging.getLogger("server.wechat")

# Kept until this long before WeChat expires it, so a token is never used in its last minutes.
_EXPIRY_MARGIN_SECONDS = 300


class AccessTokenFailed(DomainError):
    """No access token: `errcode` is WeChat's error code (logged by the provider that turns it into its own
    error), None when WeChat was unreachable or answered nonsense (logged here)."""

    detail = "WeChat access token unavailable, try again later"

    def __init__(self, detail: str | None = None, errcode: int | None = None, errmsg: str = ""):
        super().__init__(detail, data={"errcode": errcode} if errcode is not None else None)
        self.errcode = errcode
        self.errmsg = errmsg


class _Token(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    errcode: int = 0
    errmsg: str = ""
    access_token: str | None = Field(default=None, min_length=1, max_length=2048)
    expires_in: int = Field(default=7200, ge=0)


class WeChatAccessToken:
    def __init__(self, appid: str, secret: str, http: httpx.AsyncClient, cache: redis.Redis):
        self._appid = appid
        self._secret = secret
        self._http = http
        self._cache = cache
        self.cache_key = f"wechat:access_token:{appid}"

    async def get(self, force_refresh: bool = False) -> str:
        """The cached token, or a new one from WeChat (`force_refresh`: WeChat said the cached one is
        invalid or expired)."""
        if not force_refresh:
            cached = await self._cache.get(self.cache_key)
            if cached:
                return cached
        answer = await self._fetch(force_refresh)
        if not answer.access_token:
            raise AccessTokenFailed(errcode=answer.errcode or -1, errmsg=answer.errmsg)
        ttl = max(answer.expires_in - _EXPIRY_MARGIN_SECONDS, 60)
        await self._cache.set(self.cache_key, answer.access_token, ex=ttl)
        return answer.access_token

    async def invalidate(self) -> None:
        """Forget the cached token (WeChat rejected it), so no caller keeps using it."""
        await self._cache.delete(self.cache_key)

    async def _fetch(self, force_refresh: bool) -> _Token:
        try:
            response = await self._http.post("/cgi-bin/stable_token", json={
                "grant_type": "client_credential",
                "appid": self._appid,
                "secret": self._secret,
                "force_refresh": force_refresh,
            })
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("wechat /cgi-bin/stable_token unreachable: %s", type(exc).__name__)
            raise AccessTokenFailed("WeChat service unreachable, try again later") from None
        try:
            return _Token.model_validate(body)  # a list or a string is refused too
        except ValidationError:
            log.warning("wechat stable_token: malformed answer")
            raise AccessTokenFailed("WeChat returned a malformed answer, try again later") from None
