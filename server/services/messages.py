"""Subscribe messages (一次性订阅): what a user is told, and the sending of it.

A user accepts a template in the mini-program (`accept`): one credit, one send of that template. An event
(`notify`) writes a message row in the caller's own transaction, so a rolled-back event tells nobody and a
committed one is never forgotten. The sender (`send_due`, run by `MessageSender` in every process) claims a
row and spends its credit in one transaction before calling WeChat, then records what WeChat said:

- sent, or 43101 (the user has no acceptance left at WeChat: the credit stays spent, nothing is sent again);
- busy, a quota, WeChat unreachable before it took the request: retried with backoff for MESSAGE_RETRY_HOURS
  (the credit held by the message meanwhile), then given up and the credit given back;
- 47003 (bad data) or another refusal of the message itself: logged, not retried, the credit given back;
- the answer lost after WeChat may have taken the request (a read timeout), or the process killed between the
  claim and the record: the message is `unknown`, never sent again, its credit spent. At most once: a message
  is never sent twice, and one in flight when the process died is the one a user may miss.

Template ids and their data come from SUBSCRIBE_TEMPLATES, one per event; an event without one is skipped (INFO).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

import redis.asyncio as redis
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.messages import (
    FAILED,
    NO_CREDIT,
    PENDING,
    REFUSED,
    SENDING,
    SENT,
    UNKNOWN,
    SubscribeCredit,
    SubscribeMessage,
)
from models.postings import STATUS_OPEN
from models.user import User
from runtime import clock
from runtime.periodic import PeriodicTask
from runtime.settings import ConfigError, TemplateSetting
from sections import Section, all_sections, by_biz_type
from server.providers.subscribe_messages import MessageSender as Provider
from server.providers.subscribe_messages import Outcome
from server.services import money

log = logging.getLogger("server.messages")

PAGE_LIMIT = 255  # SubscribeMessage.page
# Every event and the fields its template's data and page may use ({posting}, {reason}...).
_POSTING = ("section", "posting", "posting_id", "biz_type")
EVENTS: dict[str, tuple[str, ...]] = {
    "contact_unlocked": (*_POSTING, "by", "by_phone", "at"),  # your number was unlocked (by whom, masked)
    "top_ending": (*_POSTING, "end"),  # your top ends within the hour
    "top_ended": (*_POSTING, "end"),
    "posting_hidden": (*_POSTING, "reason", "at"),  # reported or content check; the reason as the owner sees it
    "posting_taken_down": (*_POSTING, "reason", "at"),
    "posting_restored": (*_POSTING, "reason", "at"),
    "report_decided": (*_POSTING, "decision", "at"),  # to each reporter, on the operator's takedown or restore
    "refund_arrived": ("amount", "order_no", "what", "at"),
}
MODERATION_EVENTS = {"hide": "posting_hidden", "takedown": "posting_taken_down", "restore": "posting_restored"}
DECISIONS = {"takedown": "已下架", "restore": "未发现违规，已恢复"}

# WeChat's limits on a template value, by its key's kind (thing1 is a "thing"): longer ones are refused (47003).
_VALUE_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "number": 32, "letter": 32,
                 "symbol": 5, "amount": 32, "phone_number": 17, "car_number": 8}
TOP_ENDING_WITHIN = timedelta(hours=1)
TOP_ENDED_LOOKBACK = timedelta(hours=24)  # a top that ended while every process was down is told this late
SENDING_STALE = timedelta(minutes=5)  # far beyond a send's timeout: the claimer died
_BACKOFF_FIRST_SECONDS, _BACKOFF_MAX_SECONDS = 30, 900

_templates: dict[str, TemplateSetting] = {}


def check_templates(templates: dict[str, TemplateSetting]) -> None:
    """ConfigError for a template of no event, or one that uses a field its event has not."""
    for event, template in templates.items():
        if event not in EVENTS:
            raise ConfigError(f"SUBSCRIBE_TEMPLATES: {event!r} is no event (events: {', '.join(EVENTS)})")
        for text in (template.page, *template.data.values()):
            try:
                text.format_map({name: "" for name in EVENTS[event]})
            except (KeyError, ValueError, IndexError) as exc:
                raise ConfigError(f"SUBSCRIBE_TEMPLATES[{event}]: {text!r} uses {exc} "
                                  f"(fields: {', '.join(EVENTS[event])})") from None


def use_templates(templates: dict[str, TemplateSetting]) -> None:
    """This process's templates (the app's start, the commands; tests change them)."""
    check_templates(templates)
    _templates.clear()
    _templates.update(templates)


def configured_template_ids() -> set[str]:
    return {template.template_id for template in _templates.values()}


def _value(key: str, text: str) -> str:
    limit = _VALUE_LIMITS.get(key.rstrip("0123456789"))
    return text if limit is None or len(text) <= limit else text[:limit - 1] + "…"


def wall_time(moment: datetime) -> str:
    """A time as WeChat's `time` values take it: 2026年1月5日 15:01."""
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def mask_name(name: str) -> str:
    """段先生 → 段**: who it was, as far as the other side may know."""
    name = name.strip()
    return name[:1] + "*" * min(len(name) - 1, 2) if name else ""


def posting_fields(section: Section, posting) -> dict:
    """The fields every posting event has: the section's title and the posting's first summary field."""
    first = next(iter(section.summary(posting).values()), "")
    return {"section": section.title, "posting": first if isinstance(first, str) else str(first),
            "posting_id": posting.id, "biz_type": section.biz_type}


async def notify(event: str, user_id: int, fields: dict, dedupe_key: str | None = None) -> bool:
    """Queue `event`'s message to `user_id`, in the caller's transaction (call it inside the transaction of the
    event itself). Skipped (False) when no template is configured for the event, or `dedupe_key` was queued
    already (an event told once: a top's end)."""
    if event not in EVENTS:
        raise ValueError(f"no event {event!r}")
    template = _templates.get(event)
    if template is None:
        log.info("subscribe message %s skipped: no template configured", event)
        return False
    if dedupe_key is not None and await SubscribeMessage.filter(dedupe_key=dedupe_key).exists():
        return False
    data = {key: {"value": _value(key, text.format_map(fields))} for key, text in template.data.items()}
    page = template.page.format_map(fields)
    if len(page) > PAGE_LIMIT:  # a long field in the page's query: the message opens the mini-program instead
        log.warning("subscribe message %s: page longer than %s characters, sent without it", event, PAGE_LIMIT)
        page = ""  # never fail the event's own transaction (a takedown, an unlock) over its message
    now = clock.now()
    try:
        await SubscribeMessage.create(user_id=user_id, event=event, template_id=template.template_id,
                                      page=page, data=data, dedupe_key=dedupe_key,
                                      next_attempt_at=now, create_at=now, update_at=now)
    except IntegrityError:  # the same key queued meanwhile (another process's round)
        return False
    return True


async def refund_arrived(user_id: int, order_no: str, amount_fen: int, what: str, refund_no: str | None = None) -> bool:
    """A refund reached the user (`what`: what the order bought). Called in the refund settlement's transaction:
    the refund's number (else the order's and the amount) makes it told once."""
    fields = {"amount": f"{money.shown(amount_fen)}元", "order_no": order_no, "what": what,
              "at": wall_time(clock.now())}
    return await notify("refund_arrived", user_id, fields,
                        dedupe_key=f"refund:{refund_no}" if refund_no else f"refund:{order_no}:{amount_fen}")


async def accept(user_id: int, template_ids: list[str]) -> dict:
    """The templates the user accepted in wx.requestSubscribeMessage: one credit each. Ids no event is configured
    with (an older release's, or a typo) are ignored and named in the answer: the mini-program's list may run ahead
    of or behind the server's settings, and refusing the whole call would lose the others."""
    known = configured_template_ids()
    accepted = [template_id for template_id in dict.fromkeys(template_ids) if template_id in known]
    now = clock.now()
    for template_id in accepted:
        credits = SubscribeCredit.filter(user_id=user_id, template_id=template_id)
        if await credits.update(remaining=F("remaining") + 1, update_at=now):
            continue
        try:
            await SubscribeCredit.create(user_id=user_id, template_id=template_id, remaining=1, update_at=now)
        except IntegrityError:  # created meanwhile by a concurrent acceptance
            await credits.update(remaining=F("remaining") + 1, update_at=now)
    return {"accepted": accepted, "ignored": [template_id for template_id in dict.fromkeys(template_ids)
                                              if template_id not in known]}


async def credits_of(user_id: int) -> dict[str, int]:
    return {credit.template_id: credit.remaining for credit in await SubscribeCredit.filter(user_id=user_id)}


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(_BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), _BACKOFF_MAX_SECONDS))


async def _claim(message_id: int, now: datetime) -> SubscribeMessage | str | None:
    """The message, claimed for one send, its credit spent (once for all its attempts); None when another
    process claimed it first; NO_CREDIT when the user has none left (the message is settled so)."""
    async with in_transaction():
        if not await SubscribeMessage.filter(id=message_id, state=PENDING).update(
                state=SENDING, claimed_at=now, attempts=F("attempts") + 1, update_at=now):
            return None
        message = await SubscribeMessage.get(id=message_id)  # as claimed: credit_claimed as the last attempt left it
        if not message.credit_claimed:
            spent = await SubscribeCredit.filter(user_id=message.user_id, template_id=message.template_id,
                                                 remaining__gt=0).update(remaining=F("remaining") - 1, update_at=now)
            if not spent:
                await SubscribeMessage.filter(id=message_id).update(state=NO_CREDIT, update_at=now)
                return NO_CREDIT
            message.credit_claimed = True
            await SubscribeMessage.filter(id=message_id).update(credit_claimed=True)
    return message


async def _settle(message: SubscribeMessage, state: str, error: str, now: datetime, *,
                  give_back: bool = False, retry_at: datetime | None = None) -> None:
    async with in_transaction():
        if give_back and message.credit_claimed:
            await SubscribeCredit.filter(user_id=message.user_id, template_id=message.template_id).update(
                remaining=F("remaining") + 1, update_at=now)
        await SubscribeMessage.filter(id=message.id).update(
            state=state, last_error=error[:64], update_at=now, credit_claimed=message.credit_claimed and not give_back,
            **({"next_attempt_at": retry_at} if retry_at else {}))


async def _send_one(provider: Provider, message_id: int, state: str, retry_for: timedelta) -> str | None:
    now = clock.now()
    message = await _claim(message_id, now)
    if message is None or message == NO_CREDIT:
        return message
    user = await User.get_or_none(id=message.user_id)
    if user is None:
        await _settle(message, FAILED, "no such user", now, give_back=True)
        return FAILED
    result = await provider.send(user.openid, message.template_id, message.page, message.data, state)
    now = clock.now()
    if result.outcome is Outcome.SENT:
        await _settle(message, SENT, "", now)
        return SENT
    if result.outcome is Outcome.REFUSED:
        await _settle(message, REFUSED, result.error, now)
        return REFUSED
    if result.outcome is Outcome.UNKNOWN:
        log.warning("subscribe message %s (%s): WeChat's answer lost, not sent again: %s", message.id,
                    message.event, result.error)
        await _settle(message, UNKNOWN, result.error, now)
        return UNKNOWN
    if result.outcome is Outcome.BAD:
        log.error("subscribe message %s (%s) refused by WeChat (errcode %s): check its template in "
                  "SUBSCRIBE_TEMPLATES; not retried", message.id, message.event, result.error)
        await _settle(message, FAILED, result.error, now, give_back=True)
        return FAILED
    if now - message.create_at >= retry_for:
        log.warning("subscribe message %s (%s) given up after %s attempts: %s", message.id, message.event,
                    message.attempts, result.error)
        await _settle(message, FAILED, result.error, now, give_back=True)
        return FAILED
    await _settle(message, PENDING, result.error, now, retry_at=now + _backoff(message.attempts))
    return PENDING


async def send_due(provider: Provider, state: str = "formal", retry_for: timedelta = timedelta(hours=24),
                   limit: int = 50) -> Counter[str]:
    """One round of the sender: what became of each message due now (rows another process claimed first are
    left to it)."""
    now = clock.now()
    outcomes: Counter[str] = Counter()
    # Claimed by a process that died before recording the answer: it may have been sent, so never again.
    if interrupted := await SubscribeMessage.filter(state=SENDING, claimed_at__lt=now - SENDING_STALE).update(
            state=UNKNOWN, last_error="interrupted", update_at=now):
        log.warning("%s subscribe messages were being sent by a process that stopped: not sent again", interrupted)
        outcomes[UNKNOWN] += interrupted
    due = await (SubscribeMessage.filter(state=PENDING, next_attempt_at__lte=now).order_by("id").limit(limit)
                 .values_list("id", flat=True))
    for message_id in due:
        if (outcome := await _send_one(provider, message_id, state, retry_for)) is not None:
            outcomes[outcome] += 1
    return outcomes


class MessageSender(PeriodicTask):
    log = logging.getLogger("server.messages")
    what = "subscribe message round"
    pause_after_failure = 5.0

    def __init__(self, provider: Provider, settings):
        super().__init__(settings.message_send_seconds)
        self._provider, self._settings = provider, settings

    async def round(self) -> None:
        outcomes = await send_due(self._provider, self._settings.subscribe_miniprogram_state,
                                  timedelta(hours=self._settings.message_retry_hours))
        if outcomes:
            self.log.info("subscribe messages: %s", dict(outcomes))


async def notify_top_ends(now: datetime | None = None) -> int:
    """Tell owners whose top ends within the hour, or has ended, once per end (a top bought again has a new end,
    told again); open, listed postings only. How many messages were queued."""
    now = now or clock.now()
    queued = 0
    for section in all_sections():
        # One read of the section's table a round (top_end_time has no index: see docs/messages.md).
        due = {}
        for posting in await section.model.filter(
                biz_type=section.biz_type, status=STATUS_OPEN, moderation="",
                top_end_time__gt=now - TOP_ENDED_LOOKBACK, top_end_time__lte=now + TOP_ENDING_WITHIN):
            event = "top_ended" if posting.top_end_time <= now else "top_ending"
            due[f"{event}:{section.biz_type}:{posting.id}:{posting.top_end_time:%Y%m%d%H%M%S}"] = event, posting
        told = set(await SubscribeMessage.filter(dedupe_key__in=list(due)).values_list("dedupe_key", flat=True)
                   ) if due else set()
        for key, (event, posting) in due.items():
            if key not in told:
                fields = {**posting_fields(section, posting), "end": wall_time(posting.top_end_time)}
                queued += await notify(event, posting.user_id, fields, dedupe_key=key)
    return queued


class TopNotices(PeriodicTask):
    """Looks for top ends every TOP_NOTICE_SECONDS, one process a round (a Redis key that expires by itself;
    without Redis each process looks, which the messages' keys make harmless)."""

    log = logging.getLogger("server.messages")
    what = "top notices round"

    def __init__(self, cache: redis.Redis, interval: float):
        super().__init__(interval)
        self._cache = cache

    async def round(self) -> None:
        if not _templates.keys() & {"top_ending", "top_ended"}:
            return
        try:
            mine = bool(await self._cache.set("messages:top_notices", "1", nx=True, ex=max(int(self._interval), 1)))
        except redis.RedisError:
            mine = True
        if mine and (queued := await notify_top_ends()):
            self.log.info("top end messages queued: %s", queued)


async def moderated(posting, action: str, reason: str, now: datetime) -> None:
    """The owner's message for a hide, takedown or restore (in its transaction); `reason` as the owner sees it."""
    section = by_biz_type(posting.biz_type)
    await notify(MODERATION_EVENTS[action], posting.user_id,
                 {**posting_fields(section, posting), "reason": reason, "at": wall_time(now)})


async def reports_decided(posting, reports, action: str, now: datetime) -> None:
    """Each reporter's message when an operator decides (takedown or restore); told once per report."""
    section = by_biz_type(posting.biz_type)
    fields = {**posting_fields(section, posting), "decision": DECISIONS[action], "at": wall_time(now)}
    for report in reports:
        await notify("report_decided", report.user_id, fields, dedupe_key=f"report:{report.id}")
