"""Buying: a price checked against the server's list, an order, its prepay at WeChat Pay, and the
order's state for its owner to poll."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from decimal import Decimal

import redis.asyncio as redis
from tortoise.exceptions import IntegrityError

from models.order import KIND_CONTACT_VOUCHER, KIND_REFRESH, KIND_TOP, STATUS_CREATED, Order
from models.user import User
from runtime import clock
from server.providers.wechat_pay import PayProvider, PayUnavailable
from sections import Section, served
from server.services import order_sync, postings
from server.services.errors import (
    NotYourOrder,
    OrderNotFound,
    PriceMismatch,
    UnknownProduct,
    UserBanned,
    UserNotFound,
)
from server.services.money import PriceList, fen, yuan
from server.services.settlement import settle

log = logging.getLogger("server.payments")

ORDER_PREFIXES = {KIND_TOP: "TOP", KIND_REFRESH: "REF", KIND_CONTACT_VOUCHER: "CV"}
# A created order this old is asked about at WeChat when its owner polls: the notification may be late.
QUERY_AFTER = timedelta(minutes=1)
# ...but at most this often per order: a mini-program polling in a loop must not spend the merchant's
# WeChat query quota, which recovering everyone's late payments depends on.
QUERY_EVERY_SECONDS = 5


def _charge(listed_fen: int, offered: Decimal) -> int:
    if fen(offered) != listed_fen:
        raise PriceMismatch(data={"price": yuan(listed_fen)})
    return listed_fen


async def _payable(section: Section, user_id: int, posting_id: int) -> None:
    posting = await postings.owned(section, posting_id, user_id)
    postings.require_open(section, posting, "topped or refreshed")


async def buy_top(section: Section, pay: PayProvider, prices: PriceList, ttl: timedelta, user_id: int,
                  posting_id: int, top_hour: int, price: Decimal) -> dict:
    await _payable(section, user_id, posting_id)
    tops = prices.of(section).top
    if top_hour not in tops:
        raise UnknownProduct(f"top_hour must be one of {sorted(tops)}", {"top_hour": sorted(tops)})
    amount = _charge(tops[top_hour], price)
    return await _open_order(pay, ttl, user_id, KIND_TOP, amount, f"{section.title}置顶{top_hour}小时",
                             biz_type=section.biz_type, posting_id=posting_id, top_hours=top_hour)


async def buy_refresh(section: Section, pay: PayProvider, prices: PriceList, ttl: timedelta, user_id: int,
                      posting_id: int, price: Decimal) -> dict:
    await _payable(section, user_id, posting_id)
    amount = _charge(prices.of(section).refresh, price)
    return await _open_order(pay, ttl, user_id, KIND_REFRESH, amount, f"{section.title}信息刷新",
                             biz_type=section.biz_type, posting_id=posting_id)


async def buy_vouchers(pay: PayProvider, prices: PriceList, ttl: timedelta, user_id: int, count: int,
                       price: Decimal) -> dict:
    if count not in prices.contact_voucher:
        raise UnknownProduct(f"contact_voucher_num must be one of {sorted(prices.contact_voucher)}",
                             {"contact_voucher_num": sorted(prices.contact_voucher)})
    amount = _charge(prices.contact_voucher[count], price)
    return await _open_order(pay, ttl, user_id, KIND_CONTACT_VOUCHER, amount, f"联系券{count}张",
                             voucher_count=count)


async def _insert_order(kind: str, **fields) -> Order:
    """A new order under a fresh number (TOP/REF/CV + Shanghai time to the second + 10 random digits)."""
    for _ in range(5):
        order_no = f"{ORDER_PREFIXES[kind]}{fields['create_at']:%Y%m%d%H%M%S}{secrets.randbelow(10**10):010d}"
        try:
            return await Order.create(order_no=order_no, kind=kind, **fields)
        except IntegrityError:  # the same number drawn twice in one second: draw again
            continue
    raise RuntimeError("no free order number after 5 draws")


async def _open_order(pay: PayProvider, ttl: timedelta, user_id: int, kind: str, amount_fen: int,
                      description: str, **bought) -> dict:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise UserNotFound()
    if user.banned_at is not None:
        raise UserBanned()
    now = clock.now()
    order = await _insert_order(kind, user_id=user_id, amount_fen=amount_fen, status=STATUS_CREATED,
                                expire_at=now + ttl, create_at=now, update_at=now, **bought)
    # The order is on record before WeChat hears of it: if this process dies in between, the sweeper
    # finds an expired order WeChat does not know and closes it.
    try:
        prepay_id = await pay.prepay(order.order_no, amount_fen, description, user.openid, order.expire_at)
    except PayUnavailable:
        await order_sync.close_locally(order, "prepay failed", clock.now())
        raise
    order.prepay_id, order.update_at = prepay_id, clock.now()
    await order.save(update_fields=["prepay_id", "update_at"])
    log.info("order %s created: %s, %s fen", order.order_no, kind, amount_fen)
    return {"order_id": order.id, "order_no": order.order_no, "amount": yuan(amount_fen),
            "pay_params": pay.pay_params(prepay_id)}


def _shape(order: Order) -> dict:
    section = served(order.biz_type) if order.biz_type is not None else None
    return {"order_id": order.id, "order_no": order.order_no, "kind": order.kind, "status": order.status,
            "amount": yuan(order.amount_fen), "biz_type": order.biz_type, "posting_id": order.posting_id,
            # The seed's name for the posting, for the section that has one (a job's order: `job_id`).
            "job_id": order.posting_id if section is not None and section.order_field == "job_id" else None,
            "top_hour": order.top_hours,
            "contact_voucher_num": order.voucher_count, "create_at": clock.fmt(order.create_at),
            "expire_at": clock.fmt(order.expire_at), "paid_at": clock.fmt(order.paid_at),
            "refunded": yuan(order.refunded_fen)}


async def order_info(pay: PayProvider, cache: redis.Redis, user_id: int, order_no: str) -> dict:
    """The order for its owner. One still unpaid after a minute is first checked at WeChat (at most every
    few seconds), so a payment whose notification is late (or lost) shows up when the mini-program polls."""
    order = await Order.get_or_none(order_no=order_no)
    if order is None:
        raise OrderNotFound()
    if order.user_id != user_id:
        raise NotYourOrder()
    if (order.status == STATUS_CREATED and clock.now() - order.create_at >= QUERY_AFTER
            and await cache.set(f"orders:queried:{order.order_no}", "1", nx=True, ex=QUERY_EVERY_SECONDS)):
        try:
            if await order_sync.sync_order(pay, order) != order_sync.UNCHANGED:
                await order.refresh_from_db()
        except PayUnavailable:
            pass  # WeChat unreachable: the order as we know it; the notification or the sweeper follows
    return _shape(order)


async def dev_confirm(pay: PayProvider, user_id: int, order_no: str) -> dict:
    """The development provider's stand-in for paying: the owner's order settled as WeChat's success
    would settle it. Confirming a paid order again changes nothing."""
    order = await Order.get_or_none(order_no=order_no)
    if order is None:
        raise OrderNotFound()
    if order.user_id != user_id:
        raise NotYourOrder()
    order, _ = await settle(pay.confirmation(order.order_no, order.amount_fen))
    return _shape(order)
