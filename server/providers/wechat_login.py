"""WeChat mini-program login: code → openid, phone code → phone number.

`WeChatApiLogin` talks to WeChat; `DevLogin` accepts `test` / `test:<name>` codes so the API can be
used without an account. The session_key WeChat returns never leaves this module.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Protocol

import httpx
import redis.asyncio as redis
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runtime.errors import DomainError
from server.providers.wechat_token import AccessTokenFailed, WeChatAccessToken

log = logging.getLogger("server.wechat")


class WeChatCodeInvalid(DomainError):
    """The code the mini-program sent is wrong, used or expired: the user calls wx.login again."""


class WeChatBusy(DomainError):
    detail = "too many login attempts, try again in a minute"


class WeChatUnavailable(DomainError):
    """WeChat failed, could not be reached, or answered nonsense: not the user's fault."""

    detail = "WeChat service error, try again later"

# errcodes of jscode2session / getuserphonenumber that mean "the code the client sent is bad".
_BAD_CODE = {40029, 40163, 40226, 41008}
_RATE_LIMITED = {45011}
_TOKEN_EXPIRED = {40001, 42001}
_STORABLE_PHONE = re.compile(r"\+?\d{5,20}")


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str | None = None


class _Answer(BaseModel):
    """What WeChat answered, checked before anything of it is used or stored: a malformed answer
    (wrong types, an overlong openid or phone) is WeChat's fault, a 502, never a 500 further in."""

    model_config = ConfigDict(extra="ignore", strict=True)
    errcode: int = 0
    errmsg: str = ""


class _Session(_Answer):
    openid: str | None = Field(default=None, min_length=1, max_length=64)
    unionid: str | None = Field(default=None, min_length=1, max_length=64)


class _PhoneInfo(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    purePhoneNumber: str | None = None  # what we store; phoneNumber (with a country code) only if absent
    phoneNumber: str | None = None


class _Phone(_Answer):
    phone_info: _PhoneInfo | None = None


def _read(model: type[_Answer], body: dict, what: str) -> _Answer:
    try:
        return model.model_validate(body)
    except ValidationError:
        log.warning("wechat %s: malformed answer", what)  # the values themselves may be personal data
        raise WeChatUnavailable("WeChat returned a malformed answer, try again later") from None


class WeChatLogin(Protocol):
    async def identify(self, login_code: str) -> WeChatIdentity: ...

    async def phone_number(self, phone_code: str) -> str: ...

    async def close(self) -> None: ...


def _wechat_error(what: str, errcode: int, errmsg: str) -> DomainError:
    if errcode in _BAD_CODE:
        return WeChatCodeInvalid(f"{what} is invalid or expired, call wx.login again", {"errcode": errcode})
    if errcode in _RATE_LIMITED:
        return WeChatBusy(data={"errcode": errcode}, retry_after=60)
    log.warning("wechat %s failed: errcode=%s errmsg=%s", what, errcode, errmsg)
    return WeChatUnavailable(data={"errcode": errcode})


class WeChatApiLogin:
    """The real provider: sns/jscode2session, cgi-bin/stable_token, wxa/business/getuserphonenumber."""

    def __init__(self, appid: str, secret: str, api_base: str, cache: redis.Redis, timeout: float = 5.0):
        self._appid = appid
        self._secret = secret
        self._http = httpx.AsyncClient(base_url=api_base, timeout=timeout)
        self._token = WeChatAccessToken(appid, secret, self._http, cache)

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = await self._http.request(method, path, **kwargs)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("wechat %s unreachable: %s", path, type(exc).__name__)
            raise WeChatUnavailable("WeChat service unreachable, try again later") from None
        if not isinstance(body, dict):
            log.warning("wechat %s: answer is not a JSON object", path)
            raise WeChatUnavailable("WeChat returned a malformed answer, try again later")
        return body

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
        answer = _read(_Session, body, "jscode2session")
        if answer.errcode or not answer.openid:
            raise _wechat_error("login_code", answer.errcode or -1, answer.errmsg)
        return WeChatIdentity(openid=answer.openid, unionid=answer.unionid)

    async def _access_token(self, force_refresh: bool = False) -> str:
        try:
            return await self._token.get(force_refresh)
        except AccessTokenFailed as failed:
            if failed.errcode is None:  # unreachable or nonsense
                raise WeChatUnavailable(failed.detail) from None
            raise _wechat_error("access token", failed.errcode, failed.errmsg) from None

    async def phone_number(self, phone_code: str) -> str:
        for attempt in range(2):
            token = await self._access_token(force_refresh=attempt > 0)
            body = await self._call(
                "POST",
                "/wxa/business/getuserphonenumber",
                params={"access_token": token},
                json={"code": phone_code},
            )
            answer = _read(_Phone, body, "getuserphonenumber")
            if answer.errcode not in _TOKEN_EXPIRED:
                break
            await self._token.invalidate()
        if answer.errcode:
            raise _wechat_error("phone_code", answer.errcode, answer.errmsg)
        info = answer.phone_info
        phone = info and (info.purePhoneNumber or info.phoneNumber)
        if not phone:
            raise WeChatUnavailable("WeChat returned no phone number")
        if not _STORABLE_PHONE.fullmatch(phone):  # the users.phone column holds 20 characters
            log.warning("wechat getuserphonenumber: malformed phone number")
            raise WeChatUnavailable("WeChat returned a malformed answer, try again later")
        return phone


class DevLogin:
    """Development provider: `test` or `test:<name>` → a stable openid / phone number per name."""

    @staticmethod
    def _name(code: str, field: str) -> str:
        if code == "test":
            return "test"
        if code.startswith("test:") and len(code) > 5:
            return code[5:]
        raise WeChatCodeInvalid(f"{field} is invalid: the development provider accepts 'test' or 'test:<name>'")

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
