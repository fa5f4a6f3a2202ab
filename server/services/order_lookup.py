"""The console's orders: filtered lists, and one order with what WeChat Pay says about it now."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from models.order import STATUS_PAID, Order
from models.refund import Refund
from models.vouchers import VoucherLedger
from server.providers.wechat_pay import PayProvider, PayUnavailable
from server.services import money, refunds
from server.services.lookup import LIMIT, order_row


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


async def orders(status: str = "", since: str = "", until: str = "", user_id: str = "") -> list[dict]:
    """Newest first. `since` / `until` are days (YYYY-MM-DD, Shanghai) of creation, both included; a filter
    that is not a status, a day or an account id is left out."""
    query = Order.all()
    if status in ("created", "paid", "closed"):
        query = query.filter(status=status)
    if (first := _day(since)) is not None:
        query = query.filter(create_at__gte=datetime.combine(first, time()))
    if (last := _day(until)) is not None:
        query = query.filter(create_at__lt=datetime.combine(last + timedelta(days=1), time()))
    if user_id.strip().isdigit() and len(user_id.strip()) <= 18:
        query = query.filter(user_id=int(user_id))
    return [order_row(order) for order in await query.order_by("-id").limit(LIMIT * 4)]


async def order_page(pay: PayProvider, order_no: str) -> dict | None:
    """The order, its voucher ledger row if any, and WeChat Pay's state of it now (asked; `wechat` says why
    not when it cannot be)."""
    order = await Order.get_or_none(order_no=order_no)
    if order is None:
        return None
    try:
        state = await pay.query(order_no)
        wechat = ({"trade_state": state.trade_state, "amount": money.shown(state.amount_fen)
                   if state.amount_fen is not None else "", "transaction_id": state.transaction_id or ""}
                  if state else {"trade_state": "微信支付无此订单"})
    except PayUnavailable as exc:
        wechat = {"trade_state": f"暂时无法查询：{exc.detail}"}
    ledger = await VoucherLedger.get_or_none(order_id=order.id)
    given_back = await Refund.filter(order_id=order.id).order_by("id")
    return {"order": order_row(order), "transaction_id": order.transaction_id or "", "wechat": wechat,
            "refunded": money.shown(order.refunded_fen), "refundable": order.status == STATUS_PAID and
            order.refunded_fen < order.amount_fen, "refunds": [refunds.shape(row, order_no) for row in given_back],
            "prepay_id": order.prepay_id or "", "expire": f"{order.expire_at:%Y-%m-%d %H:%M}",
            "ledger": {"change": ledger.change_num, "balance": ledger.balance_after} if ledger else None}
