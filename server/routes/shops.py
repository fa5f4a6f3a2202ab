"""The 招租 section (biz_type 3): shops to let or transfer, in the seed's style. Its cross-section lists
(/jobs/my, /collect/my, the contact histories, /contact_voucher/cost) take biz_type / purpose_type 3."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import parse_body
from server.responses import ok
from server.routes.guard import image_urls, limit_writes, login_required, order_ttl, price_list, viewer
from server.schemas.responses import OrderCreated, ShopCreated, ShopItem, ShopList
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
from server.services import favorites, listing, moderation, orders, postings, shops

bp = Blueprint("shops")

MONEY = "金额均为整数元：rent_month 为月租金（0 为面议，不是免费），transfer_fee 为转让费（0 为无）。"


@bp.post("/shop/create")
@documented("发布招租（店铺出租、转让）", body=CreateShopBody, data=ShopCreated, auth=True, description=(
    MONEY + "业态、配套设施只能取文档列出的值，否则 400。文字与图片经过内容安全检测。"))
@login_required
@limit_writes
async def create(request: JobBoardRequest):
    body = parse_body(request, CreateShopBody)
    shop_id = await shops.create(request.ctx.user_id, body.changes(), image_urls(request),
                                 request.app.ctx.content_check)
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


@bp.post("/shop/close")
@documented("关闭招租信息", body=ShopIdBody, auth=True,
            description="关闭后立即从所有列表消失；详情仍可查看（status 2），电话只有本人能看到。")
@login_required
@limit_writes
async def close(request: JobBoardRequest):
    body = parse_body(request, ShopIdBody)
    await postings.close(SHOPS, request.ctx.user_id, body.shop_id)
    return ok(None, message="")


@bp.post("/shops/refresh")
@documented("刷新招租信息", body=ShopIdBody, auth=True, description="每天的免费次数用完后 429。")
@login_required
@limit_writes
async def refresh(request: JobBoardRequest):
    body = parse_body(request, ShopIdBody)
    await postings.refresh_free(SHOPS, request.ctx.user_id, body.shop_id,
                                request.app.ctx.settings.free_refreshes_per_day)
    return ok(None, message="")


@bp.post("/shops/refresh/pay")
@documented("付费刷新招租信息", body=ShopPaidRefreshBody, data=OrderCreated, auth=True,
            description="价格见 /pay/prices 的 shop.refresh；返回 wx.requestPayment 的参数，支付成功后刷新生效。")
@login_required
@limit_writes
async def refresh_paid(request: JobBoardRequest):
    body = parse_body(request, ShopPaidRefreshBody)
    return ok(await orders.buy_refresh(SHOPS, request.app.ctx.pay, price_list(request), order_ttl(request),
                                       request.ctx.user_id, body.shop_id, body.price))


@bp.post("/shops/top")
@documented("置顶招租信息", body=ShopTopBody, data=OrderCreated, auth=True,
            description="价格见 /pay/prices 的 shop.top；支付成功后置顶生效（已在置顶中则顺延）。")
@login_required
@limit_writes
async def top(request: JobBoardRequest):
    body = parse_body(request, ShopTopBody)
    return ok(await orders.buy_top(SHOPS, request.app.ctx.pay, price_list(request), order_ttl(request),
                                   request.ctx.user_id, body.shop_id, body.top_hour, body.price))


@bp.post("/shops/list")
@documented("招租列表", body=ShopListBody, data=ShopList, description=(
    "类型：1 推荐（置顶在前，再按刷新时间）、2 附近（距离）、3 最新（发布时间倒序）。筛选：出租/转让、月租金、面积、"
    "转让费、业态、配套设施（须全部具备）、区域；范围的上下限都包含在内。月租金筛选时面议（0）的店铺总在内；"
    "任何列表都不按租金排序。可以不带 token；带 token 时，已解锁或自己的店铺显示完整电话。"))
async def list_shops(request: JobBoardRequest):
    body = parse_body(request, ShopListBody)
    return ok(await listing.list_postings(SHOPS, request.app.ctx.search, body, await viewer(request),
                                          request.app.ctx.settings.mask_contacts))


@bp.post("/shops/info")
@documented("招租详情", body=ShopIdBody, data=ShopItem, auth="optional", description=(
    "可以不带 token；未解锁的 contact 打码，contact_unlocked 表示是否完整；已关闭的店铺只有本人能看到电话。"))
async def info(request: JobBoardRequest):
    body = parse_body(request, ShopIdBody)
    return ok(await postings.detail(SHOPS, body.shop_id, await viewer(request),
                                    request.app.ctx.settings.mask_contacts))


@bp.post("/shop/collect")
@documented("收藏店铺", body=ShopIdBody, auth=True)
@login_required
@limit_writes
async def collect(request: JobBoardRequest):
    body = parse_body(request, ShopIdBody)
    await favorites.collect(SHOPS, request.ctx.user_id, body.shop_id)
    return ok(None, message="")


@bp.post("/shop/cancel_collect")
@documented("取消收藏店铺", body=ShopIdBody, auth=True)
@login_required
@limit_writes
async def cancel_collect(request: JobBoardRequest):
    body = parse_body(request, ShopIdBody)
    await favorites.cancel(SHOPS, request.ctx.user_id, body.shop_id)
    return ok(None, message="")


@bp.post("/shop/report")
@documented("举报招租信息", body=ShopReportBody, auth=True, description=(
    "每人每条只能举报一次；不能举报自己的。被足够多的用户举报后，信息暂时下架，等待运营处理。"))
@login_required
@limit_writes
async def report(request: JobBoardRequest):
    body = parse_body(request, ShopReportBody)
    await moderation.report(SHOPS, request.ctx.user_id, body.shop_id, body.reason, body.text,
                            moderation.ReportRules.from_settings(request.app.ctx.settings))
    return ok(None, message="")
