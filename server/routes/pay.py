"""The money path: prices, paid top and refresh (seed section 二), buying vouchers and the voucher records
(section 三), orders, and WeChat Pay's notification, which speaks WeChat's format, not the envelope."""

from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.response import HTTPResponse, json

from runtime.errors import DomainError
from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import takes
from server.responses import ok
from server.routes.guard import limit_writes, login_required, order_ttl, price_list
from server.schemas.pay import OrderNoBody, VoucherBuyBody, VoucherRecordsBody
from server.schemas.responses import OrderCreated, OrderInfo, VoucherRecords, prices_shape
from server.services import orders, refunds, settlement, vouchers
from server.services.errors import (
    NotificationRejected,
    OrderNotFound,
    PaymentMismatch,
    RefundMismatch,
    RefundNotFound,
)

log = logging.getLogger("server.payments")
bp = Blueprint("pay")


@bp.get("/pay/prices")
@documented("价格表", data=prices_shape, description="置顶（小时→价格）、付费刷新、联系券（张数→价格），单位元。"
                                            "下单时 price 须与此一致，否则 400 price mismatch。")
async def prices(request: JobBoardRequest):
    return ok(price_list(request).shape())


@bp.post("/contact_voucher/buy")
@documented("充值（购买联系券）", data=OrderCreated, auth=True,
            description="创建订单并返回 wx.requestPayment 的参数；支付成功后联系券到账。")
@login_required
@limit_writes
@takes(VoucherBuyBody)
async def buy_vouchers(request: JobBoardRequest, body: VoucherBuyBody):
    return ok(await orders.buy_vouchers(request.app.ctx.pay, price_list(request), order_ttl(request),
                                        request.ctx.user_id, body.contact_voucher_num, body.price))


@bp.post("/order/info")
@documented("查询订单", data=OrderInfo, auth=True,
            description="wx.requestPayment 之后轮询：status 为 paid 时已生效。只能查询自己的订单。")
@login_required
@takes(OrderNoBody)
async def order_info(request: JobBoardRequest, body: OrderNoBody):
    return ok(await orders.order_info(request.app.ctx.pay, request.app.ctx.cache, request.ctx.user_id,
                                      body.order_no))


@bp.post("/contact_voucher/records")
@documented("我的券包", data=VoucherRecords, auth=True)
@login_required
@takes(VoucherRecordsBody)
async def voucher_records(request: JobBoardRequest, body: VoucherRecordsBody):
    return ok(await vouchers.records(request.ctx.user_id, body.offset, body.page_size))


def _wechat_fail(status: int, message: str) -> HTTPResponse:
    return json({"code": "FAIL", "message": message}, status=status)


# WeChat Pay's callback format: no body on success, {"code": "FAIL", "message"} on failure.
_WECHAT_FAIL = {"type": "object", "required": ["code", "message"],
                "properties": {"code": {"const": "FAIL"}, "message": {"type": "string"}}}
NOTIFY_RESPONSES = {"204": {"description": "已入账（重复的通知同样 204，不重复入账）"},
                    "default": {"description": "拒绝或暂时失败：微信会重试",
                                "content": {"application/json": {"schema": _WECHAT_FAIL}}}}


@bp.post("/pay/notify/wechat")
@documented("微信支付结果通知", responses=NOTIFY_RESPONSES,
            description="微信支付平台调用（APIv3 回调）：验签、解密后入账。成功 204；失败 4xx/5xx 与 "
                        '{"code": "FAIL", "message": ...}，微信会重试。不是小程序接口，不用信封格式。')
async def wechat_notify(request: JobBoardRequest):
    return await _answer_wechat(request, "", settlement.settle_notification,
                                (NotificationRejected, OrderNotFound, PaymentMismatch))


@bp.post("/pay/notify/wechat/refund")
@documented("微信支付退款结果通知", responses=NOTIFY_RESPONSES,
            description="微信支付平台调用（APIv3 退款回调）：验签、解密后记账，同一退款只记一次。成功 204；失败 "
                        '4xx/5xx 与 {"code": "FAIL", "message": ...}，微信会重试。不是小程序接口，不用信封格式。')
async def wechat_refund_notify(request: JobBoardRequest):
    return await _answer_wechat(request, "refund ", refunds.settle_refund_notification,
                                (NotificationRejected, RefundNotFound, RefundMismatch))


async def _answer_wechat(request: JobBoardRequest, what: str, settle, rejected: tuple[type[DomainError], ...]):
    """A WeChat Pay notification settled by `settle`, answered as WeChat expects: 204 once settled (a repeat
    too), 400 for one refused for good, 503 / 500 for a failure WeChat should retry."""
    try:
        await settle(request.app.ctx.pay, request.headers, request.body)
    except rejected as exc:
        log.warning("wechatpay %snotification rejected: %s", what, exc.detail)
        return _wechat_fail(400, exc.detail)
    except DomainError as exc:
        log.warning("wechatpay %snotification not settled: %s", what, exc.detail)
        return _wechat_fail(503, exc.detail)
    except Exception:
        log.exception("wechatpay %snotification failed", what)
        return _wechat_fail(500, "internal error, retry later")
    return HTTPResponse(status=204)
