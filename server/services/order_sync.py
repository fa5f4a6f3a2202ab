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
        return await _settled(state)
    expired = order.expire_at <= now
    if state is None:  # the prepay never reached WeChat (it failed, or the process died before it)
        return CLOSED if expired and await close_locally(order, "never reached WeChat", now) else UNCHANGED
    if state.trade_state in _DEAD_STATES:
        return CLOSED if await close_locally(order, f"WeChat: {state.trade_state}", now) else UNCHANGED
    if expired and state.trade_state == "NOTPAY":
        if await pay.close_order(order.order_no):
            return CLOSED if await close_locally(order, "expired unpaid", now) else UNCHANGED
        state = await pay.query(order.order_no)  # WeChat says it was paid meanwhile
        if state is not None and state.paid:
            return await _settled(state)
    return UNCHANGED  # NOTPAY within its time, USERPAYING, or REFUND (an operator's business)


async def _settled(state) -> str:
    try:
        _, changed = await settle(state)
    except PaymentMismatch:
        return MISMATCH
    return PAID if changed else UNCHANGED


async def close_expired(pay: PayProvider, limit: int = 100) -> dict[str, int]:
    """One round of the sweeper: every `created` order past its expiry."""
    orders = await Order.filter(status=STATUS_CREATED, expire_at__lte=clock.now()).order_by("id").limit(limit)
    return await _sync_all(pay, orders)


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


async def _sync_all(pay: PayProvider, orders: list[Order]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for order in orders:
        outcome = await sync_order(pay, order)  # PayUnavailable ends the round: the next one retries
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
