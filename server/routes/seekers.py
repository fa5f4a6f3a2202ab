"""The 求职 section (biz_type 2): a worker's card, in the seed's style (the routes every section has for one
posting: server/routes/posting_actions.py). Its cross-section lists (/jobs/my, /collect/my, the contact
histories, /contact_voucher/cost) take biz_type / purpose_type 2."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import parse_body
from server.responses import ok
from server.routes.guard import image_urls, limit_writes, login_required, posting_caps, read_budget, viewer
from server.routes.posting_actions import CAPS, READS, PostingRoutes, add_posting_routes
from server.schemas.responses import SeekerCreated, SeekerItem, SeekerList
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
from server.services import listing, seekers

bp = Blueprint("seekers")

PRIVATE = "位置只显示约 500 米精度；电话未解锁时打码；已关闭的卡片只有本人能看到。"
add_posting_routes(bp, PostingRoutes(
    section=SEEKERS, noun="求职卡片", owner="求职者", browser="商家", id_body=SeekerIdBody,
    report_body=SeekerReportBody, top_body=SeekerTopBody, paid_refresh_body=SeekerPaidRefreshBody,
    item=SeekerItem, detail_note=PRIVATE))


@bp.post("/seeker/create")
@documented("发布求职卡片（求职者）", body=CreateSeekerBody, data=SeekerCreated, auth=True, description=(
    "每人只能有一张求职中的卡片：已有时 400，data.seeker_id 为那一张（请修改它或先关闭）。"
    "salary_min、salary_max 都不填为面议。" + PRIVATE + CAPS))
@login_required
@limit_writes
async def create(request: JobBoardRequest):
    body = parse_body(request, CreateSeekerBody)
    card_id = await seekers.create(request.ctx.user_id, body.changes(), image_urls(request),
                                   request.app.ctx.content_check, posting_caps(request))
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


@bp.post("/seekers/list")
@documented("求职卡片列表（商家）", body=SeekerListBody, data=SeekerList, description=(
    "类型：1 推荐（置顶在前，再按刷新时间）、2 附近（距离）、3 最新（发布时间倒序）。筛选：期望岗位、月薪、性别、年龄、"
    "工作经验、区域。可以不带 token；带 token 时，已解锁或自己的卡片显示完整电话。" + PRIVATE + READS))
async def list_cards(request: JobBoardRequest):
    body = parse_body(request, SeekerListBody)
    return ok(await listing.list_postings(SEEKERS, request.app.ctx.search, body, await viewer(request),
                                          request.app.ctx.settings.mask_contacts, request.app.ctx.hot_searches,
                                          budget=read_budget(request)))
