"""Refunds: money given back for a paid order, all of it or part, through WeChat Pay (docs/payments.md).

Recording a refund takes back what the money bought, in the transaction that records it and under the
order's row lock (a top's posting row first, as a takedown holds it): a top's hours (its end moves back
through the posting write, so the listing follows), unspent vouchers (a ledger row). The refunds of an order
that hold money (all but closed ones) never add up to more than it paid. WeChat is asked after the commit,
under the refund's own number, so asking again (the sweeper, reconcile) is safe; WeChat's answer, its
notification or a query settles the refund exactly once (`settle_refund`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.moderation import ModerationAction
from models.order import KIND_CONTACT_VOUCHER, KIND_REFRESH, KIND_TOP, STATUS_PAID, Order
from models.posting_writes import posting_transaction, save_posting
from models.refund import (
    REFUND_ABNORMAL,
    REFUND_CLOSED,
    REFUND_HOLDING,
    REFUND_OPEN,
    REFUND_PENDING,
    REFUND_PROCESSING,
    REFUND_SUCCESS,
    Refund,
)
from models.voucher_writes import change_balance, locked_balance
from models.vouchers import LEDGER_REFUND
from runtime import clock
from sections import by_biz_type
from server.providers import wechat_pay
from server.providers.wechat_pay import PayProvider, PayUnavailable, RefundDeclined, RefundState
from server.services import messages
from server.services.errors import RefundMismatch, RefundNotFound, RefundRefused

log = logging.getLogger("server.payments")

# REFUND_TOP_ON_TAKEDOWN
PRORATA, NONE = "prorata", "none"
VOUCHER_REFUND_TITLE = "退款收回联系券"
BOUGHT = {KIND_TOP: "置顶", KIND_CONTACT_VOUCHER: "联系券", KIND_REFRESH: "刷新"}  # a refund message's `what`
# A refund still processing at WeChat after this long is asked about (its notification may be lost).
FOLLOW_UP_AFTER = timedelta(minutes=5)
UNAVAILABLE_IN_A_ROW = 3  # refunds WeChat Pay would not take, one after another: it is away; the round stops
# What asking WeChat about a refund did to it.
REFUNDED, PROCESSING, CLOSED, ABNORMAL, UNCHANGED = "refunded", "processing", "closed", "abnormal", "unchanged"


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


async def refund(order_no: str, amount_fen: int | None, actor: str, reason: str, pay: PayProvider) -> dict:
    """An operator refunds `amount_fen` of a paid order (None: all that is left), saying who and why (audited
    in moderation_actions). Recorded first, then asked of WeChat: WeChat away, it stays `pending` and the
    sweeper submits it. RefundRefused (nothing changed) for an unknown or unpaid order, an amount that is
    not a positive number of fen or more than is left."""
    recorded, short = await record(order_no, amount_fen, actor, reason)
    try:
        await _ask(pay, recorded)
    except RefundMismatch:
        pass  # logged; it stays open for reconcile and the operator
    except PayUnavailable:
        log.warning("refund %s recorded; WeChat Pay unavailable: the sweeper submits it", recorded.refund_no)
    await recorded.refresh_from_db()
    return shape(recorded, order_no, short)


def shape(refund_row: Refund, order_no: str, vouchers_short: int = 0) -> dict:
    """What the operator sees of a refund (`vouchers_short`: vouchers the money stood for that were spent
    already, so not taken back)."""
    return {"refund_no": refund_row.refund_no, "order_no": order_no, "amount_fen": refund_row.amount_fen,
            "status": refund_row.status, "top_hours": refund_row.top_hours, "vouchers": refund_row.vouchers,
            "vouchers_short": vouchers_short, "actor": refund_row.actor, "reason": refund_row.reason,
            "create_at": clock.fmt(refund_row.create_at), "success_at": clock.fmt(refund_row.success_at)}


async def record(order_no: str, amount_fen: int | None, actor: str, reason: str) -> tuple[Refund, int]:
    """The refund on record, with what it takes back and its audit row, in one transaction. Returns it and
    the vouchers it could not take back (spent)."""
    actor, reason = (actor or "").strip(), (reason or "").strip()
    if not actor or not reason:
        raise RefundRefused("a refund needs the operator's name and a reason")
    if amount_fen is not None and (type(amount_fen) is not int or amount_fen <= 0):
        raise RefundRefused("the amount must be a positive whole number of fen", {"amount_fen": amount_fen})
    order = await Order.get_or_none(order_no=order_no)
    if order is None:
        raise RefundRefused(f"order {order_no} not found", {"order_no": order_no})
    if order.status != STATUS_PAID:
        raise RefundRefused(f"order {order_no} is not paid ({order.status}): nothing to refund",
                            {"order_no": order_no, "status": order.status})
    now = clock.now()
    async with posting_transaction():
        # A top's posting row before the order's, as a takedown takes them; the first statement locks, so
        # the reads after it see every refund committed before.
        posting = None
        if order.kind == KIND_TOP:
            posting = await by_biz_type(order.biz_type).model.select_for_update().get_or_none(id=order.posting_id)
        order = await Order.select_for_update().get(id=order.id)
        recorded, short, top_moved = await _record_locked(order, posting, amount_fen, None, actor, reason, now)
        if top_moved:
            await save_posting(posting, "refund", now, ["top_end_time"])
    log.info("refund %s recorded by %s: %s fen of %s", recorded.refund_no, actor, recorded.amount_fen, order_no)
    return recorded, short


async def _record_locked(order: Order, posting, amount_fen: int | None, hours: int | None, actor: str,
                         reason: str, now: datetime) -> tuple[Refund, int, bool]:
    """In the caller's transaction, which holds the order's row lock (and a top's posting's): the refund
    row, what it takes back, its audit row. `hours`: a top's hours to take back (else in proportion to
    the money, rounded up). Returns the refund, the vouchers short, whether the posting's top moved (the
    caller writes the posting)."""
    earlier = await Refund.filter(order_id=order.id)
    holding = sum(r.amount_fen for r in earlier if r.status in REFUND_HOLDING)
    left = order.amount_fen - holding
    amount = left if amount_fen is None else amount_fen
    if left <= 0:
        raise RefundRefused(f"order {order.order_no} is refunded in full already", {"left_fen": 0})
    if amount > left:
        raise RefundRefused(f"{amount} fen is more than the {left} fen left to refund of order {order.order_no}",
                            {"left_fen": left})
    refunded_after = holding + amount
    row = await Refund.create(refund_no=f"{order.order_no}R{len(earlier) + 1}", order_id=order.id, amount_fen=amount,
                              status=REFUND_PENDING, actor=actor[:64], reason=reason[:500], create_at=now,
                              update_at=now)
    short, top_moved = 0, False
    if order.kind == KIND_TOP:
        taken = sum(r.top_hours for r in earlier)
        if hours is None:  # the share of the hours the money stood for, rounded up
            hours = min(order.top_hours, _ceil_div(order.top_hours * refunded_after, order.amount_fen)) - taken
        row.top_hours = max(0, min(hours, order.top_hours - taken))
        top_moved = posting is not None and _shorten_top(posting, row.top_hours, now)
    elif order.kind == KIND_CONTACT_VOUCHER:
        # The share of the vouchers the money stood for (rounded up, over all the order's refunds so far),
        # but only unspent ones: never more than the balance.
        due = min(order.voucher_count, _ceil_div(order.voucher_count * refunded_after, order.amount_fen))
        due = max(0, due - sum(r.vouchers for r in earlier))
        row.vouchers = min(due, await locked_balance(order.user_id))
        short = due - row.vouchers
        if row.vouchers:
            await change_balance(order.user_id, -row.vouchers, LEDGER_REFUND, VOUCHER_REFUND_TITLE, now,
                                 refund_id=row.id)
    await row.save(update_fields=["top_hours", "vouchers"])
    await ModerationAction.create(actor=actor[:64], action="refund", target_type="order", target_id=order.id,
                                  reason=f"{row.refund_no}: {amount} fen; {reason}"[:500], create_at=now)
    return row, short, top_moved


def _shorten_top(posting, hours: int, now: datetime) -> bool:
    """A running top's end moved back by `hours`, not before now (an ended top stays ended)."""
    if not hours or posting.top_end_time is None or posting.top_end_time <= now:
        return False
    posting.top_end_time = max(now, posting.top_end_time - timedelta(hours=hours))
    return True


async def refund_unused_top(posting, actor: str, reason: str, now: datetime) -> list[Refund]:
    """REFUND_TOP_ON_TAKEDOWN=prorata: in the takedown's transaction, which holds the posting's row lock, the
    running top's unused whole hours are refunded, newest paid top order first (stacked tops extend the
    end), each order's share `amount * hours // top_hours` fen. The refunds are recorded `pending` with the
    takedown (a crash cannot lose them) and the sweeper submits them. Moves the posting's top end back (the
    caller writes the posting); returns the refunds."""
    if posting.top_end_time is None or posting.top_end_time <= now:
        return []
    unused = int((posting.top_end_time - now).total_seconds() // 3600)
    paid_tops = await Order.filter(kind=KIND_TOP, status=STATUS_PAID, biz_type=posting.biz_type,
                                   posting_id=posting.id).order_by("-settled_at", "-id").values_list("id", flat=True)
    recorded = []
    for order_id in paid_tops:
        if unused <= 0:
            break
        order = await Order.select_for_update().get(id=order_id)
        hours = min(unused, order.top_hours - sum(await Refund.filter(order_id=order.id).values_list(
            "top_hours", flat=True)))
        left = order.amount_fen - sum(await Refund.filter(order_id=order.id, status__in=REFUND_HOLDING).values_list(
            "amount_fen", flat=True))
        amount = min(left, order.amount_fen * max(hours, 0) // order.top_hours)
        if amount <= 0:
            continue
        row, _, _ = await _record_locked(order, posting, amount, hours, actor,
                                         f"takedown: {hours} of {order.top_hours} top hours unused; {reason}", now)
        unused -= hours
        recorded.append(row)
    if recorded:
        log.info("takedown of %s %s: unused top refunded by %s", posting.biz_type, posting.id,
                 ", ".join(r.refund_no for r in recorded))
    return recorded


async def _ask(pay: PayProvider, row: Refund) -> str:
    """Submit a refund to WeChat (again: the same refund_no is the same refund) and follow its answer.
    PayUnavailable when WeChat could not be asked (it stays as it is)."""
    order = await Order.get(id=row.order_id)
    try:
        state = await pay.refund(row.refund_no, order.order_no, row.amount_fen, order.amount_fen, row.reason)
    except RefundDeclined as exc:
        return CLOSED if await _close(row.refund_no, f"WeChat refused: {exc.code}") else UNCHANGED
    return await follow(state)


async def _ours(state: RefundState) -> Refund:
    row = await Refund.get_or_none(refund_no=state.refund_no)
    if row is None:
        raise RefundNotFound(data={"refund_no": state.refund_no})
    order = await Order.get(id=row.order_id)
    if state.order_no != order.order_no or state.amount_fen != row.amount_fen:
        log.error("refund %s: WeChat reports %s fen of %s, ours is %s fen of %s: not settled", row.refund_no,
                  state.amount_fen, state.order_no, row.amount_fen, order.order_no)
        raise RefundMismatch("the refund is not ours: another amount or order", {"refund_no": row.refund_no})
    return row


async def follow(state: RefundState) -> str:
    """What WeChat says about a refund, applied once: success settles it, processing marks it accepted,
    closed frees its amount, abnormal waits for an operator."""
    row = await _ours(state)
    if state.status == wechat_pay.REFUND_SUCCESS:
        _, changed = await settle_refund(state)
        return REFUNDED if changed else UNCHANGED
    now = clock.now()
    if state.status == wechat_pay.REFUND_PROCESSING:
        changed = await Refund.filter(id=row.id, status=REFUND_PENDING).update(
            status=REFUND_PROCESSING, wechat_refund_id=state.refund_id, update_at=now)
        return PROCESSING if changed else UNCHANGED
    if state.status == wechat_pay.REFUND_CLOSED:
        return CLOSED if await _close(row.refund_no, "WeChat: CLOSED") else UNCHANGED
    if state.status == wechat_pay.REFUND_ABNORMAL:
        changed = await Refund.filter(id=row.id, status__in=REFUND_OPEN).update(
            status=REFUND_ABNORMAL, note="WeChat: ABNORMAL (the payer's account refused it)", update_at=now)
        if changed:
            log.error("REFUND ABNORMAL: %s could not reach the payer's account: finish it on the merchant "
                      "platform", row.refund_no)
        return ABNORMAL if changed else UNCHANGED
    log.warning("refund %s: unknown WeChat status %r", row.refund_no, state.status)
    return UNCHANGED


async def _close(refund_no: str, note: str) -> bool:
    """An open refund that will not be paid: its amount is free again. What it took back stays taken (an
    operator decides; docs/payments.md)."""
    changed = await Refund.filter(refund_no=refund_no, status__in=REFUND_OPEN).update(
        status=REFUND_CLOSED, note=note[:128], update_at=clock.now())
    if changed:
        log.error("REFUND CLOSED: %s (%s); what it took back stays taken: an operator decides", refund_no, note)
    return bool(changed)


async def settle_refund(state: RefundState) -> tuple[Refund, bool]:
    """A refund WeChat paid out, settled exactly once: the refund row locked, flipped to success once, the
    order's refunded sum raised in the same transaction. `(refund, False)` for any repeat."""
    if state.status != wechat_pay.REFUND_SUCCESS:
        raise ValueError(f"not a refund success: {state.status}")
    row = await _ours(state)
    now = clock.now()
    async with in_transaction():
        row = await Refund.select_for_update().get(id=row.id)
        if row.status == REFUND_SUCCESS:
            return row, False
        if row.status == REFUND_CLOSED:  # its amount was freed; WeChat paid it all the same
            log.error("REFUND PAID AFTER CLOSING: %s: honoured, an operator looks at order %s", row.refund_no,
                      state.order_no)
        row.status, row.success_at, row.update_at = REFUND_SUCCESS, state.success_at or now, now
        row.wechat_refund_id = state.refund_id or row.wechat_refund_id
        await row.save(update_fields=["status", "success_at", "update_at", "wechat_refund_id"])
        await Order.filter(id=row.order_id).update(refunded_fen=F("refunded_fen") + row.amount_fen)
        order = await Order.get(id=row.order_id)
        await messages.refund_arrived(order.user_id, order.order_no, row.amount_fen, BOUGHT.get(order.kind, "订单"),
                                      refund_no=row.refund_no)  # told in the settlement's transaction: once
    log.info("refund %s settled: %s fen of %s", row.refund_no, row.amount_fen, state.order_no)
    return row, True


async def settle_refund_notification(pay: PayProvider, headers: dict[str, str], body: bytes) -> str:
    """WeChat's refund notification: verified and decrypted by the provider, then followed (a success settled
    once; a repeat changes nothing)."""
    return await follow(pay.read_refund_notification(headers, body))


async def sync_refund(pay: PayProvider, row: Refund) -> str:
    """Bring an open refund in line with WeChat: a pending one is submitted; a processing one asked about
    (submitted again when WeChat never heard of it)."""
    if row.status == REFUND_PROCESSING:
        state = await pay.query_refund(row.refund_no)
        if state is not None:
            return await follow(state)
    return await _ask(pay, row)


async def sweep(pay: PayProvider, limit: int = 100) -> dict[str, int]:
    """One round of the app's sweeper: refunds still pending are submitted, those processing for a while
    asked about (a notification that never came). WeChat away: PayUnavailable, the next round retries."""
    pending = await Refund.filter(status=REFUND_PENDING).order_by("update_at", "id").limit(limit)
    stale = await Refund.filter(status=REFUND_PROCESSING, update_at__lte=clock.now() - FOLLOW_UP_AFTER).order_by(
        "update_at", "id").limit(limit)
    counts: dict[str, int] = {}
    unavailable = 0
    for row in [*pending, *stale]:
        try:
            outcome = await sync_refund(pay, row)
            unavailable = 0
        except PayUnavailable:
            # One refund WeChat keeps refusing (an account problem, not enough balance) must not hold up
            # the others: it goes to the back of the queue. Several in a row: WeChat is away, stop the round.
            unavailable += 1
            if unavailable >= UNAVAILABLE_IN_A_ROW:
                await Refund.filter(id=row.id, status=row.status).update(update_at=clock.now())
                raise
            outcome = "unavailable"
        except Exception:
            log.exception("refund %s could not be followed up", row.refund_no)
            outcome = "failed"
        if outcome in (UNCHANGED, "failed", "unavailable"):  # to the back of the queue
            await Refund.filter(id=row.id, status=row.status).update(update_at=clock.now())
        counts[outcome] = counts.get(outcome, 0) + 1
    if counts.get("unavailable") and len(counts) == 1:
        raise PayUnavailable()  # no refund got through: WeChat Pay is away (the next round retries)
    return counts


async def reconcile(pay: PayProvider, since: timedelta) -> list[tuple[Refund, str, str]]:
    """Every refund still open (pending, processing) from the last `since`, followed up at WeChat now:
    (refund, its order's number, what happened)."""
    rows = await Refund.filter(status__in=REFUND_OPEN, create_at__gte=clock.now() - since).order_by("id")
    numbers = dict(await Order.filter(id__in=[r.order_id for r in rows]).values_list("id", "order_no"))
    outcomes = []
    for row in rows:
        try:
            outcome = await sync_refund(pay, row)
        except PayUnavailable:
            outcome = "WeChat unavailable"
        except RefundMismatch:
            outcome = "amount mismatch"
        outcomes.append((row, numbers[row.order_id], outcome))
    return outcomes
