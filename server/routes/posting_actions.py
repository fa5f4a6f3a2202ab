"""The routes every section has for one posting, in the seed's pattern: `/<target>/close`, `/<target>/collect`,
`/<target>/cancel_collect`, `/<target>/report` and `/<name>/refresh`, `/<name>/refresh/pay`, `/<name>/top`,
`/<name>/info` (招聘: /job/close, /jobs/refresh...). Each section's own module adds create, update and list,
whose bodies and rules are its own."""

from __future__ import annotations

from dataclasses import dataclass

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import parse_body
from server.responses import ok
from server.routes.guard import limit_writes, login_required, order_ttl, price_list, viewer
from server.schemas.responses import OrderCreated
from sections import Section
from server.services import favorites, moderation, orders, postings

# Every section's create says its caps (server/services/posting_caps.py).
CAPS = ("每个账号在每个栏目同时发布中的信息数、每天新发布的条数（含已关闭的）都有上限：超过时 400，"
        "data.cap 为 max_open_postings 或 max_new_postings_per_day，data.limit 为上限。")
# Every section's list says its read budget (server/services/rate_limits.py ReadBudget).
READS = ("每个 IP（未登录）或账号（已登录）每分钟的列表与搜索请求有上限（默认 600，刚查过的同一页不计）："
         "超过时 429，Retry-After 为可再试的秒数。")


@dataclass(frozen=True)
class PostingRoutes:
    """How a section's posting routes read and are documented."""

    section: Section
    noun: str  # 招聘信息, 求职卡片: in every summary
    owner: str  # who acts on their own posting (商家, 求职者)
    browser: str  # who saves and reports it (用户, 商家)
    id_body: type  # {"<target>_id": ...}
    report_body: type
    top_body: type
    paid_refresh_body: type
    item: type  # the detail's data
    detail_note: str = ""
    cancel_paths: tuple[str, ...] = ()  # /<target>/cancel_collect, unless the seed spells it otherwise

    def posting_id(self, body) -> int:
        return getattr(body, f"{self.section.target}_id")


def add_posting_routes(bp: Blueprint, spec: PostingRoutes) -> None:
    section, noun = spec.section, spec.noun
    one, many = f"/{section.target}", f"/{section.name}"

    @bp.post(f"{one}/close", name="close")
    @documented(f"关闭{noun}（{spec.owner}）", body=spec.id_body, auth=True)
    @login_required
    @limit_writes
    async def close(request: JobBoardRequest):
        body = parse_body(request, spec.id_body)
        await postings.close(section, request.ctx.user_id, spec.posting_id(body))
        return ok(None, message="")

    @bp.post(f"{many}/refresh", name="refresh")
    @documented(f"刷新{noun}（{spec.owner}）", body=spec.id_body, auth=True, description="每天的免费次数用完后 429。")
    @login_required
    @limit_writes
    async def refresh(request: JobBoardRequest):
        body = parse_body(request, spec.id_body)
        await postings.refresh_free(section, request.ctx.user_id, spec.posting_id(body),
                                    request.app.ctx.settings.free_refreshes_per_day)
        return ok(None, message="")

    prices = f"/pay/prices 的 {section.price_key}." if section.price_key else "/pay/prices 的 "

    @bp.post(f"{many}/top", name="top")
    @documented(f"置顶{noun}（{spec.owner}）", body=spec.top_body, data=OrderCreated, auth=True, description=(
        f"价格见 {prices}top。创建订单并返回 wx.requestPayment 的参数；支付成功后置顶生效（已在置顶中则顺延）。"))
    @login_required
    @limit_writes
    async def top(request: JobBoardRequest):
        body = parse_body(request, spec.top_body)
        return ok(await orders.buy_top(section, request.app.ctx.pay, price_list(request), order_ttl(request),
                                       request.ctx.user_id, spec.posting_id(body), body.top_hour, body.price))

    @bp.post(f"{many}/refresh/pay", name="refresh_paid")
    @documented(f"付费刷新{noun}（{spec.owner}）", body=spec.paid_refresh_body, data=OrderCreated, auth=True,
                description=f"价格见 {prices}refresh。创建订单并返回 wx.requestPayment 的参数；支付成功后刷新生效。")
    @login_required
    @limit_writes
    async def refresh_paid(request: JobBoardRequest):
        body = parse_body(request, spec.paid_refresh_body)
        return ok(await orders.buy_refresh(section, request.app.ctx.pay, price_list(request), order_ttl(request),
                                           request.ctx.user_id, spec.posting_id(body), body.price))

    @bp.post(f"{many}/info", name="info")
    @documented(f"{noun}详情", body=spec.id_body, data=spec.item, auth="optional", description=(
        "可以不带 token；未解锁的 contact 打码（138****8000），contact_unlocked 表示是否完整。" + spec.detail_note))
    async def info(request: JobBoardRequest):
        body = parse_body(request, spec.id_body)
        return ok(await postings.detail(section, spec.posting_id(body), await viewer(request),
                                        request.app.ctx.settings.mask_contacts))

    @bp.post(f"{one}/collect", name="collect")
    @documented(f"收藏{noun}（{spec.browser}）", body=spec.id_body, auth=True)
    @login_required
    @limit_writes
    async def collect(request: JobBoardRequest):
        body = parse_body(request, spec.id_body)
        await favorites.collect(section, request.ctx.user_id, spec.posting_id(body))
        return ok(None, message="")

    async def cancel_collect(request: JobBoardRequest):
        body = parse_body(request, spec.id_body)
        await favorites.cancel(section, request.ctx.user_id, spec.posting_id(body))
        return ok(None, message="")

    paths = spec.cancel_paths or (f"{one}/cancel_collect",)
    cancel_collect = login_required(limit_writes(cancel_collect))
    cancel_collect = documented(f"取消收藏（{spec.browser}）", body=spec.id_body, auth=True, description=(
        "、".join(paths) + " 为同一接口。" if len(paths) > 1 else ""))(cancel_collect)
    for number, path in enumerate(paths):
        bp.post(path, name=f"cancel_collect_{number}")(cancel_collect)

    @bp.post(f"{one}/report", name="report")
    @documented(f"举报{noun}（{spec.browser}）", body=spec.report_body, auth=True, description=(
        f"每人对每条{noun}只能举报一次；不能举报自己的。被足够多的用户举报后暂时下架，等待运营处理。"))
    @login_required
    @limit_writes
    async def report(request: JobBoardRequest):
        body = parse_body(request, spec.report_body)
        await moderation.report(section, request.ctx.user_id, spec.posting_id(body), body.reason, body.text,
                                moderation.ReportRules.from_settings(request.app.ctx.settings))
        return ok(None, message="")
