"""The 招租 section (biz_type 3): shops to let or transfer, in the seed's style (the routes every section has for
one posting: server/routes/posting_actions.py). Its cross-section lists
(/jobs/my, /collect/my, the contact histories, /contact_voucher/cost) take biz_type / purpose_type 3."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import parse_body
from server.responses import ok
from server.routes.guard import image_urls, limit_writes, login_required, posting_caps, read_budget, viewer
from server.routes.posting_actions import CAPS, READS, PostingRoutes, add_posting_routes
from server.schemas.responses import ShopCreated, ShopItem, ShopList
from server.schemas.shops import (
    CreateShopBody,
    ShopIdBody,
    ShopListBody,
    ShopPaidRefreshBody,
    ShopReportBody,
    ShopTopBody,
    UpdateShopBody,
)
from sections import SHOPS
from server.services import listing, shops

bp = Blueprint("shops")

MONEY = "金额均为整数元：rent_month 为月租金（0 为面议，不是免费），transfer_fee 为转让费（0 为无）。"
add_posting_routes(bp, PostingRoutes(
    section=SHOPS, noun="招租信息", owner="发布者", browser="用户", id_body=ShopIdBody, report_body=ShopReportBody,
    top_body=ShopTopBody, paid_refresh_body=ShopPaidRefreshBody, item=ShopItem,
    detail_note="已关闭的店铺仍可查看（status 2），电话只有本人能看到。" + MONEY))


@bp.post("/shop/create")
@documented("发布招租（店铺出租、转让）", body=CreateShopBody, data=ShopCreated, auth=True, description=(
    MONEY + "业态、配套设施只能取文档列出的值，否则 400。文字与图片经过内容安全检测。" + CAPS))
@login_required
@limit_writes
async def create(request: JobBoardRequest):
    body = parse_body(request, CreateShopBody)
    shop_id = await shops.create(request.ctx.user_id, body.changes(), image_urls(request),
                                 request.app.ctx.content_check, posting_caps(request))
    return ok({"id": shop_id}, message="")


@bp.post("/shops/update")
@documented("修改招租信息", body=UpdateShopBody, auth=True,
            description="只改带上的字段；\"\" 或 null 表示不修改（photo_urls 为 \"\" 时清空照片）。")
@login_required
@limit_writes
async def update(request: JobBoardRequest):
    body = parse_body(request, UpdateShopBody)
    await shops.update(request.ctx.user_id, body.id, body.changes(), image_urls(request),
                       request.app.ctx.content_check)
    return ok(None, message="")


@bp.post("/shops/list")
@documented("招租列表", body=ShopListBody, data=ShopList, description=(
    "类型：1 推荐（置顶在前，再按刷新时间）、2 附近（距离）、3 最新（发布时间倒序）。筛选：出租/转让、月租金、面积、"
    "转让费、业态、配套设施（须全部具备）、区域；范围的上下限都包含在内。月租金筛选时面议（0）的店铺总在内；"
    "任何列表都不按租金排序。可以不带 token；带 token 时，已解锁或自己的店铺显示完整电话。" + READS))
async def list_shops(request: JobBoardRequest):
    body = parse_body(request, ShopListBody)
    return ok(await listing.list_postings(SHOPS, request.app.ctx.search, body, await viewer(request),
                                          request.app.ctx.settings.mask_contacts, request.app.ctx.hot_searches,
                                          budget=read_budget(request)))
