"""Settling a paid order: the one function every proof of payment goes through (WeChat's notification,
an order query, the development provider's confirmation), and the effect each kind of order buys."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from models.postings import STATUS_OPEN
from models.posting_writes import posting_transaction, save_posting
from models.order import (
    KIND_CONTACT_VOUCHER,
    KIND_REFRESH,
    KIND_TOP,
    STATUS_CLOSED,
    STATUS_PAID,
    Order,
)
from models.voucher_writes import change_balance, open_account
from models.vouchers import LEDGER_BUY
from runtime import clock
from sections import by_biz_type
from server.providers.wechat_pay import PaymentState, PayProvider
from server.services.errors import OrderNotFound, PaymentMismatch

log = logging.getLogger("server.payments")

VOUCHER_BUY_TITLE = "购买联系券"


async def settle(payment: PaymentState) -> tuple[Order, bool]:
    """Mark the order paid and apply what it bought, exactly once: `(order, True)` the first time, `(order,
    False)` for any repeat. The order row stays locked from the check to the commit, so concurrent
    deliveries of one payment queue up and all but the first find it paid."""
    if not payment.paid:
        raise ValueError(f"not a payment success: {payment.trade_state}")
    now = clock.now()
    order = await Order.get_or_none(order_no=payment.order_no)
    if order is None:
        raise OrderNotFound(data={"order_no": payment.order_no})
    if order.kind == KIND_CONTACT_VOUCHER:
        await open_account(order.user_id, now)
    async with posting_transaction():
        order = await Order.select_for_update().get(id=order.id)
        if payment.amount_fen != order.amount_fen:
            log.error("payment for %s of %s fen, the order is %s fen: not settled", order.order_no,
                      payment.amount_fen, order.amount_fen)
            raise PaymentMismatch("the paid amount is not the order's amount", {"order_no": order.order_no})
        if order.status == STATUS_PAID:
            return order, False
        was_closed = order.status == STATUS_CLOSED
        order.status, order.transaction_id = STATUS_PAID, payment.transaction_id
        order.paid_at, order.settled_at, order.update_at = payment.paid_at or now, now, now
        await order.save(update_fields=["status", "transaction_id", "paid_at", "settled_at", "update_at"])
        await _apply(order, now)
    if was_closed:  # WeChat took the money after we gave up on the order: honoured, and an operator looks
        log.error("LATE PAYMENT honoured: order %s had been closed (%s); paid at %s, transaction %s",
                  order.order_no, order.close_reason, clock.fmt(order.paid_at), order.transaction_id)
    log.info("order %s settled: %s, %s fen", order.order_no, order.kind, order.amount_fen)
    return order, True


async def _apply(order: Order, now: datetime) -> None:
    if order.kind == KIND_CONTACT_VOUCHER:
        await change_balance(order.user_id, order.voucher_count, LEDGER_BUY, VOUCHER_BUY_TITLE, now,
                             order_id=order.id)
        return
    job = await by_biz_type(order.biz_type).model.select_for_update().get(id=order.posting_id)
    if job.status != STATUS_OPEN:  # paid, so applied; the owner closed it meanwhile and may want a refund
        log.warning("order %s paid for posting %s, which is closed", order.order_no, job.id)
    if order.kind == KIND_TOP:
        running = job.top_end_time is not None and job.top_end_time > now
        job.top_end_time = (job.top_end_time if running else now) + timedelta(hours=order.top_hours)
        changed = ["top_end_time"]
        if not running:
            job.top_start_time = now
            changed.append("top_start_time")
        await save_posting(job, "top", now, changed)
    elif order.kind == KIND_REFRESH:
        job.last_refresh_time = now
        await save_posting(job, "paid_refresh", now, ["last_refresh_time"])
    else:
        raise ValueError(f"order {order.order_no}: unknown kind {order.kind!r}")


async def settle_notification(pay: PayProvider, headers: dict[str, str], body: bytes) -> bool:
    """WeChat's payment notification: verified and decrypted by the provider, then settled. True the first
    time; a repeat (WeChat retries until it hears success) changes nothing."""
    _, changed = await settle(pay.read_notification(headers, body))
    return changed
