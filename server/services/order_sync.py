"""Orders brought in line with WeChat Pay: a paid one settled, a dead one closed. Used when an owner polls,
by the app's sweeper of expired orders, and by the operator's reconcile command."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from models.order import STATUS_CLOSED, STATUS_CREATED, Order
from runtime import clock
from server.providers.wechat_pay import PayProvider, PayUnavailable
from server.services.errors import PaymentMismatch
from server.services.settlement import settle

log = logging.getLogger("server.payments")

PAID, CLOSED, UNCHANGED, MISMATCH = "paid", "closed", "unchanged", "amount mismatch"
# WeChat's word that no payment will come for the order.
_DEAD_STATES = {"CLOSED", "REVOKED", "PAYERROR"}


async def close_locally(order: Order, reason: str, now: datetime) -> bool:
    """created → closed, unless something settled it first (the condition is checked by the UPDATE)."""
    changed = await Order.filter(id=order.id, status=STATUS_CREATED).update(
        status=STATUS_CLOSED, closed_at=now, close_reason=reason, update_at=now)
    if changed:
        log.info("order %s closed: %s", order.order_no, reason)
    return bool(changed)


async def sync_order(pay: PayProvider, order: Order) -> str:
    """Ask WeChat about a `created` order: settle it if paid, close it if WeChat gave up on it or it
    expired unpaid (closing it at WeChat first, so it cannot be paid afterwards). Returns what happened."""
    state = await pay.query(order.order_no)
    now = clock.now()
    if state is not None and state.paid:
        return await _settled(order, state)
    expired = order.expire_at <= now
    if state is None:  # the prepay never reached WeChat (it failed, or the process died before it)
        return CLOSED if expired and await close_locally(order, "never reached WeChat", now) else UNCHANGED
    if state.trade_state in _DEAD_STATES or (expired and state.trade_state == "REFUND"):
        # REFUND: paid, the notification lost, then refunded from the merchant platform: nothing to apply.
        return CLOSED if await close_locally(order, f"WeChat: {state.trade_state}", now) else UNCHANGED
    if expired and state.trade_state == "NOTPAY":
        if await pay.close_order(order.order_no):
            return CLOSED if await close_locally(order, "expired unpaid", now) else UNCHANGED
        state = await pay.query(order.order_no)  # WeChat says it was paid meanwhile
        if state is not None and state.paid:
            return await _settled(order, state)
    return UNCHANGED  # NOTPAY within its time, or USERPAYING


async def _settled(order: Order, state) -> str:
    try:
        _, changed = await settle(state)
    except PaymentMismatch:
        # Never applied; closed so that it stops coming back, with the reason for an operator (a later
        # success for the right amount would still be honoured).
        await close_locally(order, f"needs operator: WeChat reports {state.amount_fen} fen paid", clock.now())
        return MISMATCH
    return PAID if changed else UNCHANGED


async def close_expired(pay: PayProvider, limit: int = 100) -> dict[str, int]:
    """One round of the sweeper: `created` orders past their expiry, the longest unexamined first (one
    that stays, a payer still paying, goes to the back: it cannot hold up the others)."""
    orders = await Order.filter(status=STATUS_CREATED, expire_at__lte=clock.now()).order_by(
        "update_at", "id").limit(limit)
    counts: dict[str, int] = {}
    for order in orders:
        try:
            outcome = await sync_order(pay, order)
        except PayUnavailable:
            raise  # WeChat is away: the next round retries them all
        except Exception:
            log.exception("order %s could not be swept", order.order_no)
            outcome = "failed"
        if outcome in (UNCHANGED, "failed"):
            await Order.filter(id=order.id, status=STATUS_CREATED).update(update_at=clock.now())
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


async def reconcile(pay: PayProvider, since: timedelta) -> list[tuple[Order, str]]:
    """Every order still `created` from the last `since`, checked at WeChat: how a missed notification is
    recovered (WeChat stops retrying one after about a day)."""
    orders = await Order.filter(status=STATUS_CREATED, create_at__gte=clock.now() - since).order_by("id")
    outcomes = []
    for order in orders:
        try:
            outcomes.append((order, await sync_order(pay, order)))
        except PayUnavailable:
            outcomes.append((order, "WeChat unavailable"))
    return outcomes

