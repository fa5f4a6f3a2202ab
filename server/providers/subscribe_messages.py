"""Subscribe messages (一次性订阅消息): `WeChatSubscribeMessages` sends through the app's one WeChat client
(cgi-bin/message/subscribe/send) and says what became of each send in WeChat's terms; `DevSubscribeMessages`
logs the message instead (development, and the embedded defaults).

What each outcome means for the user's credit (the acceptance the send spends) is the sender's to decide
(server/services/messages.py); this module knows WeChat's codes only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from server.providers.wechat_api import AccessTokenFailed, Answer, WeChatApi, WeChatApiError, WeChatUnreachable

log = logging.getLogger("server.wechat")

# 43101: the user has no acceptance left for this template (refused, or spent): WeChat sent nothing.
USER_REFUSED = 43101
# Busy, or a quota of the API reached (daily or per minute): the same send works later.
_TRY_LATER = {-1, 45009, 45011, 45047}


class Outcome(StrEnum):
    SENT = "sent"
    REFUSED = "refused"  # 43101
    BAD = "bad"  # WeChat refused the message itself (47003 bad data, an unknown template or page): never again
    RETRY = "retry"  # not sent (busy, a quota, WeChat unreachable before it took the request): again later
    UNKNOWN = "unknown"  # the request may have reached WeChat, its answer did not come back: not again


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    error: str = ""  # WeChat's errcode, or what went wrong, for the message's row and the logs


class MessageSender(Protocol):
    async def send(self, openid: str, template_id: str, page: str, data: dict, state: str) -> SendResult: ...

    async def close(self) -> None: ...


class WeChatSubscribeMessages:
    def __init__(self, api: WeChatApi):
        self._api = api

    async def close(self) -> None:
        return None  # the WeChat client is shared: the app closes it once

    async def send(self, openid: str, template_id: str, page: str, data: dict, state: str) -> SendResult:
        payload = {"touser": openid, "template_id": template_id, "data": data, "miniprogram_state": state,
                   "lang": "zh_CN"}
        if page:
            payload["page"] = page
        try:
            await self._api.call("/cgi-bin/message/subscribe/send", payload, Answer)
        except WeChatUnreachable as exc:
            return SendResult(Outcome.UNKNOWN if exc.maybe_delivered else Outcome.RETRY, "unreachable")
        except AccessTokenFailed:
            return SendResult(Outcome.RETRY, "access token")
        except WeChatApiError as exc:
            if exc.errcode is None:  # an answer in no shape of WeChat's, after it took the request
                return SendResult(Outcome.UNKNOWN, "malformed answer")
            if exc.errcode == USER_REFUSED:
                return SendResult(Outcome.REFUSED, str(exc.errcode))
            if exc.errcode in _TRY_LATER:
                return SendResult(Outcome.RETRY, str(exc.errcode))
            return SendResult(Outcome.BAD, str(exc.errcode))
        return SendResult(Outcome.SENT)


class DevSubscribeMessages:
    """No WeChat here: the message is logged, and counts as sent."""

    async def close(self) -> None:
        return None

    async def send(self, openid: str, template_id: str, page: str, data: dict, state: str) -> SendResult:
        log.info("subscribe message (development: not sent) template %s page %r: %s", template_id, page,
                 {key: value.get("value") for key, value in data.items()})
        return SendResult(Outcome.SENT)


def build_message_sender(api: WeChatApi | None) -> MessageSender:
    return WeChatSubscribeMessages(api) if api is not None else DevSubscribeMessages()
