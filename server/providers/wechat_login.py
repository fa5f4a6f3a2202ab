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

from pydantic import BaseModel, ConfigDict, Field

from runtime.errors import DomainError
from server.providers.wechat_api import AccessTokenFailed, Answer, WeChatApi, WeChatApiError

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
_STORABLE_PHONE = re.compile(r"\+?\d{5,20}")


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str | None = None


class _Session(Answer):
    openid: str | None = Field(default=None, min_length=1, max_length=64)
    unionid: str | None = Field(default=None, min_length=1, max_length=64)


class _PhoneInfo(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    purePhoneNumber: str | None = None  # what we store; phoneNumber (with a country code) only if absent
    phoneNumber: str | None = None


class _Phone(Answer):
    phone_info: _PhoneInfo | None = None


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


def _login_error(what: str, failed: WeChatApiError) -> DomainError:
    """Login's name for a failed call about `what` (the code the user sent)."""
    if failed.errcode is None:  # unreachable or nonsense, logged by the client
        return WeChatUnavailable(failed.detail)
    if isinstance(failed, AccessTokenFailed):
        what = "access token"
    return _wechat_error(what, failed.errcode, failed.errmsg)


class WeChatApiLogin:
    """The real provider: sns/jscode2session and wxa/business/getuserphonenumber, through the app's
    WeChat client (which owns the HTTP session and the access token)."""

    def __init__(self, api: WeChatApi):
        self._api = api

    async def close(self) -> None:
        return None  # the WeChat client is shared: the app closes it once

    async def identify(self, login_code: str) -> WeChatIdentity:
        try:
            answer = await self._api.code2session(login_code, _Session)
        except WeChatApiError as failed:
            raise _login_error("login_code", failed) from None
        if not answer.openid:
            raise _wechat_error("login_code", -1, answer.errmsg)
        return WeChatIdentity(openid=answer.openid, unionid=answer.unionid)

    async def phone_number(self, phone_code: str) -> str:
        try:
            answer = await self._api.call("/wxa/business/getuserphonenumber", {"code": phone_code}, _Phone)
        except WeChatApiError as failed:
            raise _login_error("phone_code", failed) from None
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


def build_wechat_login(api: WeChatApi | None) -> WeChatLogin:
    """The real provider on the app's WeChat client; the development one where there is none."""
    return WeChatApiLogin(api) if api is not None else DevLogin()
