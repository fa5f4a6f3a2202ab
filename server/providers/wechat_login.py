"""WeChat mini-program login: code → openid, phone code → phone number.

`WeChatApiLogin` talks to WeChat; `DevLogin` accepts `test` / `test:<name>` codes so the API can be
used without an account. The session_key WeChat returns never leaves this module.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Protocol

import httpx
import redis.asyncio as redis

from server.errors import ApiError

log = logging.getLogger("server.wechat")

# errcodes of jscode2session / getuserphonenumber that mean "the code the client sent is bad".
_BAD_CODE = {40029, 40163, 40226, 41008}
_RATE_LIMITED = {45011}
_TOKEN_EXPIRED = {40001, 42001}


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str | None = None


class WeChatLogin(Protocol):
    async def identify(self, login_code: str) -> WeChatIdentity: ...

    async def phone_number(self, phone_code: str) -> str: ...

    async def close(self) -> None: ...


def _wechat_error(what: str, errcode: int, errmsg: str) -> ApiError:
    if errcode in _BAD_CODE:
        return ApiError(400, f"{what} is invalid or expired, call wx.login again", {"errcode": errcode})
    if errcode in _RATE_LIMITED:
        return ApiError(429, "too many login attempts, try again in a minute", {"errcode": errcode})
    log.warning("wechat %s failed: errcode=%s errmsg=%s", what, errcode, errmsg)
    return ApiError(502, "WeChat service error, try again later", {"errcode": errcode})


class WeChatApiLogin:
    """The real provider: sns/jscode2session, cgi-bin/stable_token, wxa/business/getuserphonenumber."""

    def __init__(self, appid: str, secret: str, api_base: str, cache: redis.Redis, timeout: float = 5.0):
        self._appid = appid
        self._secret = secret
        self._cache = cache
        self._token_key = f"wechat:access_token:{appid}"
        self._http = httpx.AsyncClient(base_url=api_base, timeout=timeout)

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = await self._http.request(method, path, **kwargs)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("wechat %s unreachable: %s", path, type(exc).__name__)
            raise ApiError(502, "WeChat service unreachable, try again later") from None

    async def identify(self, login_code: str) -> WeChatIdentity:
        body = await self._call(
            "GET",
            "/sns/jscode2session",
            params={
                "appid": self._appid,
                "secret": self._secret,
                "js_code": login_code,
                "grant_type": "authorization_code",
            },
        )
        if body.get("errcode") or not body.get("openid"):
            raise _wechat_error("login_code", int(body.get("errcode") or -1), body.get("errmsg", ""))
        return WeChatIdentity(openid=body["openid"], unionid=body.get("unionid"))

    async def _access_token(self, force_refresh: bool = False) -> str:
        if not force_refresh:
            cached = await self._cache.get(self._token_key)
            if cached:
                return cached
        body = await self._call(
            "POST",
            "/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self._appid,
                "secret": self._secret,
                "force_refresh": force_refresh,
            },
        )
        token = body.get("access_token")
        if not token:
            raise _wechat_error("access token", int(body.get("errcode") or -1), body.get("errmsg", ""))
        # Kept until five minutes before WeChat expires it.
        ttl = max(int(body.get("expires_in", 7200)) - 300, 60)
        await self._cache.set(self._token_key, token, ex=ttl)
        return token

    async def phone_number(self, phone_code: str) -> str:
        body: dict = {}
        for attempt in range(2):
            token = await self._access_token(force_refresh=attempt > 0)
            body = await self._call(
                "POST",
                "/wxa/business/getuserphonenumber",
                params={"access_token": token},
                json={"code": phone_code},
            )
            if body.get("errcode") not in _TOKEN_EXPIRED:
                break
            await self._cache.delete(self._token_key)
        if body.get("errcode"):
            raise _wechat_error("phone_code", int(body["errcode"]), body.get("errmsg", ""))
        info = body.get("phone_info") or {}
        phone = info.get("purePhoneNumber") or info.get("phoneNumber")
        if not phone:
            raise ApiError(502, "WeChat returned no phone number")
        return phone


class DevLogin:
    """Development provider: `test` or `test:<name>` → a stable openid / phone number per name."""

    @staticmethod
    def _name(code: str, field: str) -> str:
        if code == "test":
            return "test"
        if code.startswith("test:") and len(code) > 5:
            return code[5:]
        raise ApiError(400, f"{field} is invalid: the development provider accepts 'test' or 'test:<name>'")

    async def identify(self, login_code: str) -> WeChatIdentity:
        name = self._name(login_code, "login_code")
        return WeChatIdentity(openid="dev-" + hashlib.sha256(name.encode()).hexdigest()[:28])

    async def phone_number(self, phone_code: str) -> str:
        name = self._name(phone_code, "phone_code")
        if name.isdigit():
            return f"138{int(name) % 10**8:08d}"
        return f"139{int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**8:08d}"

    async def close(self) -> None:
        return None


def build_wechat_login(settings, cache: redis.Redis) -> WeChatLogin:
    if settings.resolved_wechat_provider == "wechat":
        return WeChatApiLogin(
            settings.wechat_appid,
            settings.wechat_secret,
            settings.wechat_api_base,
            cache,
            timeout=settings.wechat_timeout_seconds,
        )
    return DevLogin()
