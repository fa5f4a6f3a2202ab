"""Seed section 三 (spending vouchers) and the contact histories of section 一."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import takes
from server.responses import ok
from server.routes.guard import limit_writes, login_required
from sections.posting_bodies import BizPageBody
from server.schemas.pay import ContactCostBody
from server.schemas.responses import ContactAnswer, ContactHistoryList
from server.services import contacts

bp = Blueprint("contacts")


@bp.post("/contact_voucher/cost")
@documented("消费（用联系券联系商家）", data=ContactAnswer, auth=True, description=(
    "第一次联系某条招聘（purpose_type 1）、某张求职卡片（2）或某条招租信息（3）消耗 1 张联系券并解锁其电话；"
    "再次联系不再消耗。"
    "联系对象以信息为准，请求体中的 purpose_user_* 被忽略。没有联系券时 402。"))
@login_required
@limit_writes
@takes(ContactCostBody)
async def cost(request: JobBoardRequest, body: ContactCostBody):
    return ok(await contacts.contact(request.ctx.user_id, body.purpose_type, body.purpose_id,
                                     charge=request.app.ctx.settings.mask_contacts,
                                     stats=request.app.ctx.posting_stats), message="")


@bp.post("/contact_history/out")
@documented("我联系的", data=ContactHistoryList, auth=True,
            description="purpose_user_* 为发布者（招聘的联系人、求职卡片的称呼，及电话）。biz_type 1 招聘、2 求职。")
@login_required
@takes(BizPageBody)
async def contacted_by_me(request: JobBoardRequest, body: BizPageBody):
    return ok(await contacts.contacted_by_me(request.ctx.user_id, body.biz_type, body.offset, body.page_size))


@bp.post("/contact_history/in")
@documented("联系我的", data=ContactHistoryList, auth=True,
            description="purpose_user_* 为联系我的人（biz_type 2：解锁我的求职卡片的商家）。")
@login_required
@takes(BizPageBody)
async def contacted_me(request: JobBoardRequest, body: BizPageBody):
    return ok(await contacts.contacted_me(request.ctx.user_id, body.biz_type, body.offset, body.page_size))
