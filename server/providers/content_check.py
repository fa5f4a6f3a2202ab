"""Content security: is a user's text or image fit to publish?

`WeChatContentCheck` asks WeChat (wxa/msg_sec_check v2 for text, answered at once; wxa/media_check_async
v2 for images, answered later by a `wxa_media_check` message push, see wechat_push.py) through the app's
WeChat client, with the access token it shares with login. `DevContentCheck` refuses text holding one of a few configured words.
The checked text is user content: it is never logged.
"""

from __future__ import annotations

import logging
import secrets
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from runtime.errors import DomainError
from server.providers.wechat_api import (
    AccessTokenFailed,
    Answer,
    WeChatApi,
    WeChatApiError,
    WeChatMalformed,
    WeChatRefused,
    WeChatUnreachable,
)

log = logging.getLogger("server.wechat")

# WeChat's v2 scenes. Jobs are forum posts; a user's name is profile data.
SCENE_PROFILE = 1
SCENE_COMMENT = 2
SCENE_FORUM = 3
SCENE_SOCIAL_LOG = 4

# msg_sec_check takes at most 2500 characters. Longer text is checked in windows that overlap a little,
# so a word placed across a boundary is still seen whole by one of them.
MAX_CHUNK_CHARS = 2500
CHUNK_OVERLAP_CHARS = 50

_RATE_LIMITED = {45009, 45011}
_UNAVAILABLE = {WeChatUnreachable: "WeChat service unreachable", WeChatMalformed: "WeChat returned a malformed answer"}


class Verdict(StrEnum):
    PASS = "pass"
    REVIEW = "review"
    RISKY = "risky"


_SEVERITY = {Verdict.PASS: 0, Verdict.REVIEW: 1, Verdict.RISKY: 2}


class ContentCheckUnavailable(DomainError):
    """WeChat could not give a verdict (unreachable, rate-limited, or nonsense): the caller accepts the write
    and checks again in the background. `errcode` is WeChat's code when it gave one."""

    detail = "content check unavailable, try again later"

    def __init__(self, detail: str | None = None, errcode: int | None = None, retry_after: int | None = None):
        super().__init__(detail, data={"errcode": errcode} if errcode is not None else None,
                         retry_after=retry_after)
        self.errcode = errcode


class ContentChecker(Protocol):
    async def check_text(self, text: str, openid: str, scene: int) -> Verdict: ...

    async def submit_image(self, url: str, openid: str, scene: int) -> str:
        """Submit an image for an asynchronous check; WeChat's trace_id, which its push will carry."""
        ...

    async def close(self) -> None: ...


def worst(verdicts) -> Verdict:
    return max(verdicts, key=_SEVERITY.__getitem__, default=Verdict.PASS)


def chunks(text: str) -> list[str]:
    """`text` in windows of at most MAX_CHUNK_CHARS, each overlapping the previous one."""
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    step = MAX_CHUNK_CHARS - CHUNK_OVERLAP_CHARS
    return [text[start:start + MAX_CHUNK_CHARS] for start in range(0, len(text) - CHUNK_OVERLAP_CHARS, step)]


class _Result(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    suggest: Literal["pass", "review", "risky"]
    label: int | None = None


class _TextAnswer(Answer):
    result: _Result | None = None


class _MediaAnswer(Answer):
    trace_id: str | None = Field(default=None, min_length=1, max_length=128)


class WeChatContentCheck:
    """The real provider: wxa/msg_sec_check and wxa/media_check_async, version 2, through the app's WeChat
    client (which owns the HTTP session and the access token)."""

    def __init__(self, api: WeChatApi):
        self._api = api

    async def close(self) -> None:
        return None  # the WeChat client is shared: the app closes it once

    async def check_text(self, text: str, openid: str, scene: int) -> Verdict:
        if not text.strip():
            return Verdict.PASS  # nothing to publish, nothing to check (WeChat refuses empty content)
        verdicts = []
        for chunk in chunks(text):
            payload = {"content": chunk, "version": 2, "scene": scene, "openid": openid}
            answer = await self._post("/wxa/msg_sec_check", payload, _TextAnswer)
            if answer.result is None:
                log.warning("wechat msg_sec_check: answer without a result")
                raise ContentCheckUnavailable("WeChat returned a malformed answer")
            verdicts.append(Verdict(answer.result.suggest))
            if verdicts[-1] is Verdict.RISKY:
                break  # nothing can be worse
        return worst(verdicts)

    async def submit_image(self, url: str, openid: str, scene: int) -> str:
        payload = {"media_url": url, "media_type": 2, "version": 2, "scene": scene, "openid": openid}
        answer = await self._post("/wxa/media_check_async", payload, _MediaAnswer)
        if not answer.trace_id:
            log.warning("wechat media_check_async: answer without a trace_id")
            raise ContentCheckUnavailable("WeChat returned a malformed answer")
        return answer.trace_id

    async def _post(self, path: str, payload: dict, model: type[Answer]) -> Answer:
        try:
            return await self._api.call(path, payload, model)
        except AccessTokenFailed as failed:
            if failed.errcode is not None:
                log.warning("wechat access token failed: errcode=%s errmsg=%s", failed.errcode, failed.errmsg)
            raise ContentCheckUnavailable(failed.detail, failed.errcode) from None
        except WeChatRefused as refused:
            log.warning("wechat %s failed: errcode=%s errmsg=%s", path, refused.errcode, refused.errmsg)
            if refused.errcode in _RATE_LIMITED:
                raise ContentCheckUnavailable("WeChat rate limit reached", refused.errcode, retry_after=60) from None
            raise ContentCheckUnavailable(errcode=refused.errcode) from None
        except WeChatApiError as failed:  # unreachable or nonsense, logged by the client
            raise ContentCheckUnavailable(_UNAVAILABLE[type(failed)]) from None


class DevContentCheck:
    """Development provider: text holding one of `words` is risky, everything else passes, images too."""

    def __init__(self, words: list[str]):
        self._words = [word for word in words if word]

    async def check_text(self, text: str, openid: str, scene: int) -> Verdict:
        return Verdict.RISKY if any(word in text for word in self._words) else Verdict.PASS

    async def submit_image(self, url: str, openid: str, scene: int) -> str:
        return "dev-" + secrets.token_hex(16)  # no push will ever come: the image stays as it is

    async def close(self) -> None:
        return None


def build_content_checker(settings, api: WeChatApi | None) -> ContentChecker:
    """The real provider on the app's WeChat client; the development one where there is none."""
    if api is not None:
        return WeChatContentCheck(api)
    return DevContentCheck(settings.content_check_dev_words)
