"""Development only: registered when the development pay provider is in use, absent otherwise."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import takes
from server.responses import ok
from server.routes.guard import login_required
from server.schemas.pay import DevConfirmBody
from server.schemas.responses import OrderInfo
from server.services import orders

bp = Blueprint("dev")


@bp.post("/dev/pay/confirm")
@documented("（开发环境）确认支付", data=OrderInfo, auth=True,
            description="开发用支付渠道下代替 wx.requestPayment：按微信支付成功入账。生产环境没有此接口。")
@login_required
@takes(DevConfirmBody)
async def confirm(request: JobBoardRequest, body: DevConfirmBody):
    return ok(await orders.dev_confirm(request.app.ctx.pay, request.ctx.user_id, body.order_no))
