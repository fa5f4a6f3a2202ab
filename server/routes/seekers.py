"""The 求职 section (biz_type 2): a worker's card, in the seed's style. Its cross-section lists (/jobs/my,
/collect/my, the contact histories, /contact_voucher/cost) take biz_type / purpose_type 2."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import parse_body
from server.responses import ok
from server.routes.guard import image_urls, limit_writes, login_required, order_ttl, price_list, viewer
from server.schemas.responses import OrderCreated, SeekerCreated, SeekerItem, SeekerList
from server.schemas.seekers import (
    CreateSeekerBody,
    SeekerIdBody,
    SeekerListBody,
    SeekerPaidRefreshBody,
    SeekerReportBody,
    SeekerTopBody,
    UpdateSeekerBody,
)
from sections import SEEKERS
from server.services import favorites, listing, moderation, orders, postings, seekers

bp = Blueprint("seekers")

PRIVATE = "位置只显示约 500 米精度；电话未解锁时打码；已关闭的卡片只有本人能看到。"


@bp.post("/seeker/create")
@documented("发布求职卡片（求职者）", body=CreateSeekerBody, data=SeekerCreated, auth=True, description=(
    "每人只能有一张求职中的卡片：已有时 400，data.seeker_id 为那一张（请修改它或先关闭）。"
    "salary_min、salary_max 都不填为面议。" + PRIVATE))
@login_required
@limit_writes
async def create(request: JobBoardRequest):
    body = parse_body(request, CreateSeekerBody)
    card_id = await seekers.create(request.ctx.user_id, body.changes(), image_urls(request),
                                   request.app.ctx.content_check)
    return ok({"id": card_id}, message="")


@bp.post("/seekers/update")
@documented("修改求职卡片（求职者）", body=UpdateSeekerBody, auth=True,
            description="只改带上的字段；\"\" 或 null 表示不修改（photo_urls 为 \"\" 时清空照片）。")
@login_required
@limit_writes
async def update(request: JobBoardRequest):
    body = parse_body(request, UpdateSeekerBody)
    await seekers.update(request.ctx.user_id, body.id, body.changes(), image_urls(request),
                         request.app.ctx.content_check)
    return ok(None, message="")


@bp.post("/seeker/close")
@documented("关闭求职卡片（求职者）", body=SeekerIdBody, auth=True,
            description="关闭后立即从所有列表消失，详情只有本人能看到。")
@login_required
@limit_writes
async def close(request: JobBoardRequest):
    body = parse_body(request, SeekerIdBody)
    await postings.close(SEEKERS, request.ctx.user_id, body.seeker_id)
    return ok(None, message="")


@bp.post("/seekers/refresh")
@documented("刷新求职卡片（求职者）", body=SeekerIdBody, auth=True, description="每天的免费次数用完后 429。")
@login_required
@limit_writes
async def refresh(request: JobBoardRequest):
    body = parse_body(request, SeekerIdBody)
    await postings.refresh_free(SEEKERS, request.ctx.user_id, body.seeker_id,
                                request.app.ctx.settings.free_refreshes_per_day)
    return ok(None, message="")


@bp.post("/seekers/refresh/pay")
@documented("付费刷新求职卡片（求职者）", body=SeekerPaidRefreshBody, data=OrderCreated, auth=True,
            description="价格见 /pay/prices 的 seeker.refresh；返回 wx.requestPayment 的参数，支付成功后刷新生效。")
@login_required
@limit_writes
async def refresh_paid(request: JobBoardRequest):
    body = parse_body(request, SeekerPaidRefreshBody)
    return ok(await orders.buy_refresh(SEEKERS, request.app.ctx.pay, price_list(request), order_ttl(request),
                                       request.ctx.user_id, body.seeker_id, body.price))


@bp.post("/seekers/top")
@documented("置顶求职卡片（求职者）", body=SeekerTopBody, data=OrderCreated, auth=True,
            description="价格见 /pay/prices 的 seeker.top；支付成功后置顶生效（已在置顶中则顺延）。")
@login_required
@limit_writes
async def top(request: JobBoardRequest):
    body = parse_body(request, SeekerTopBody)
    return ok(await orders.buy_top(SEEKERS, request.app.ctx.pay, price_list(request), order_ttl(request),
                                   request.ctx.user_id, body.seeker_id, body.top_hour, body.price))


@bp.post("/seekers/list")
@documented("求职卡片列表（商家）", body=SeekerListBody, data=SeekerList, description=(
    "类型：1 推荐（置顶在前，再按刷新时间）、2 附近（距离）、3 最新（发布时间倒序）。筛选：期望岗位、月薪、性别、年龄、"
    "工作经验、区域。可以不带 token；带 token 时，已解锁或自己的卡片显示完整电话。" + PRIVATE))
async def list_cards(request: JobBoardRequest):
    body = parse_body(request, SeekerListBody)
    return ok(await listing.list_postings(SEEKERS, request.app.ctx.search, body, await viewer(request),
                                          request.app.ctx.settings.mask_contacts, request.app.ctx.hot_searches))


@bp.post("/seekers/info")
@documented("求职卡片详情", body=SeekerIdBody, data=SeekerItem, auth="optional",
            description="可以不带 token；未解锁的 contact 打码，contact_unlocked 表示是否完整。" + PRIVATE)
async def info(request: JobBoardRequest):
    body = parse_body(request, SeekerIdBody)
    return ok(await postings.detail(SEEKERS, body.seeker_id, await viewer(request),
                                    request.app.ctx.settings.mask_contacts))


@bp.post("/seeker/collect")
@documented("收藏求职卡片（商家）", body=SeekerIdBody, auth=True)
@login_required
@limit_writes
async def collect(request: JobBoardRequest):
    body = parse_body(request, SeekerIdBody)
    await favorites.collect(SEEKERS, request.ctx.user_id, body.seeker_id)
    return ok(None, message="")


@bp.post("/seeker/cancel_collect")
@documented("取消收藏求职卡片（商家）", body=SeekerIdBody, auth=True)
@login_required
@limit_writes
async def cancel_collect(request: JobBoardRequest):
    body = parse_body(request, SeekerIdBody)
    await favorites.cancel(SEEKERS, request.ctx.user_id, body.seeker_id)
    return ok(None, message="")


@bp.post("/seeker/report")
@documented("举报求职卡片", body=SeekerReportBody, auth=True, description=(
    "每人每张卡片只能举报一次；不能举报自己的。被足够多的用户举报后，卡片暂时下架，等待运营处理。"))
@login_required
@limit_writes
async def report(request: JobBoardRequest):
    body = parse_body(request, SeekerReportBody)
    await moderation.report(SEEKERS, request.ctx.user_id, body.seeker_id, body.reason, body.text,
                            moderation.ReportRules.from_settings(request.app.ctx.settings))
    return ok(None, message="")
