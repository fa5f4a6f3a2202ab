"""Every section's routes, made from its declaration (`Section.api`, sections/registry.py), in the seed's
pattern: `/<target>/create`, `/<name>/update`, `/<name>/list`, `/<target>/close`, `/<target>/collect`,
`/<target>/cancel_collect`, `/<target>/report`, `/<name>/refresh`, `/<name>/refresh/pay`, `/<name>/top`,
`/<name>/info` (招聘: /job/create, /jobs/list...); and the lists across sections, `/jobs/my` and `/collect/my`
(biz_type picks the section). A new section gets its routes by being registered: nothing here names one."""

from __future__ import annotations

from sanic import Blueprint

from sections import Section
from sections.posting_bodies import BizPageBody, action_bodies
from server.context import JobBoardRequest
from server.home_pages import serves_kept_home_page
from server.openapi import documented
from server.requests import takes
from server.responses import ok
from server.routes.guard import (
    anonymous,
    image_urls,
    limit_writes,
    login_required,
    order_ttl,
    posting_caps,
    price_list,
    read_budget,
    viewer,
)
from server.schemas.responses import OrderCreated, created_shape, favorites_shape, list_shape, mine_shape
from server.services import favorites, listing, moderation, orders, postings

# Every section's create says its caps (server/services/posting_caps.py).
CAPS = ("每个账号在每个栏目同时发布中的信息数、每天新发布的条数（含已关闭的）都有上限：超过时 400，"
        "data.cap 为 max_open_postings 或 max_new_postings_per_day，data.limit 为上限。")
# Every section's list says its read budget (server/services/rate_limits.py ReadBudget).
READS = ("每个 IP（未登录）或账号（已登录）每分钟的列表与搜索请求有上限（默认 600，刚查过的同一页不计）："
         "超过时 429，Retry-After 为可再试的秒数。")

across = Blueprint("postings")


def _page_of_one_section(path: str, name: str, summary: str, shape, service) -> None:
    @across.post(path, name=name)
    @documented(summary, data=shape, auth=True)
    @login_required
    @takes(BizPageBody)
    async def handler(request: JobBoardRequest, body: BizPageBody):
        return ok(await service(request.ctx.user_id, body.biz_type, body.offset, body.page_size))


# A page of the caller's own postings, or saved ones, of the section biz_type names.
_page_of_one_section("/jobs/my", "my_postings", "我发布的", mine_shape, postings.my_postings)
_page_of_one_section("/collect/my", "my_favorites", "我收藏的", favorites_shape, favorites.my_favorites)


def section_routes(section: Section) -> Blueprint:
    """A blueprint of the section's own routes (one per app: the registry may differ between two apps)."""
    api, noun = section.api, section.api.noun
    one, many = f"/{section.target}", f"/{section.name}"
    hours, price = next(iter(section.prices.top.items()))
    bodies = action_bodies(section.target, api.id_text, api.example_id, (hours, price), section.prices.refresh,
                           api.report_example)
    id_field = f"{section.target}_id"
    bp = Blueprint(section.name)

    @bp.post(f"{one}/create", name="create")
    @documented(api.create_summary, data=created_shape(section), auth=True, description=api.create_note + CAPS)
    @login_required
    @limit_writes
    @takes(api.create)
    async def create(request: JobBoardRequest, body):
        posting_id = await postings.publish(section, request.ctx.user_id, body.changes(), image_urls(request),
                                            request.app.ctx.content_check, posting_caps(request))
        return ok({"id": posting_id}, message="")

    @bp.post(f"{many}/update", name="update")
    @documented(api.update_summary, auth=True, description=api.update_note)
    @login_required
    @limit_writes
    @takes(api.update)
    async def update(request: JobBoardRequest, body):
        await postings.edit(section, request.ctx.user_id, body.id, body.changes(), image_urls(request),
                            request.app.ctx.content_check)
        return ok(None, message="")

    @bp.post(f"{many}/list", name=f"list_{section.name}")
    @documented(api.list_summary, data=list_shape(section), description=api.list_note + READS)
    @serves_kept_home_page(section.name, anonymous)
    @takes(api.listing)
    async def list_postings(request: JobBoardRequest, body):
        return ok(await listing.list_postings(section, request.app.ctx.search, body, await viewer(request),
                                              request.app.ctx.settings.mask_contacts, request.app.ctx.hot_searches,
                                              budget=read_budget(request),
                                              share_metres=request.app.ctx.settings.nearby_share_metres,
                                              blocks=request.app.ctx.blocks, stats=request.app.ctx.posting_stats))

    def id_action(names: dict[str, str], summary: str, act, description: str = "") -> None:
        """A route (at each path of `names`: path → route name) that acts on the posting its id names."""

        @documented(summary, auth=True, description=description)
        @login_required
        @limit_writes
        @takes(bodies.id)
        async def handler(request: JobBoardRequest, body):
            await act(request, getattr(body, id_field))
            return ok(None, message="")

        for path, name in names.items():
            bp.post(path, name=name)(handler)

    id_action({f"{one}/close": "close"}, f"关闭{noun}（{api.owner}）",
              lambda request, posting_id: postings.close(section, request.ctx.user_id, posting_id))
    id_action({f"{many}/refresh": "refresh"}, f"刷新{noun}（{api.owner}）",
              lambda request, posting_id: postings.refresh_free(section, request.ctx.user_id, posting_id,
                                                                request.app.ctx.settings.free_refreshes_per_day),
              description="每天的免费次数用完后 429。")
    id_action({f"{one}/collect": "collect"}, f"收藏{noun}（{api.browser}）",
              lambda request, posting_id: favorites.collect(section, request.ctx.user_id, posting_id,
                                                            request.app.ctx.posting_stats))
    paths = api.cancel_paths or (f"{one}/cancel_collect",)
    id_action({path: f"cancel_collect_{number}" for number, path in enumerate(paths)}, f"取消收藏（{api.browser}）",
              lambda request, posting_id: favorites.cancel(section, request.ctx.user_id, posting_id),
              description="、".join(paths) + " 为同一接口。" if len(paths) > 1 else "")

    prices = f"/pay/prices 的 {section.price_key}." if section.price_key else "/pay/prices 的 "

    @bp.post(f"{many}/top", name="top")
    @documented(f"置顶{noun}（{api.owner}）", data=OrderCreated, auth=True, description=(
        f"价格见 {prices}top。创建订单并返回 wx.requestPayment 的参数；支付成功后置顶生效（已在置顶中则顺延）。"))
    @login_required
    @limit_writes
    @takes(bodies.top)
    async def top(request: JobBoardRequest, body):
        return ok(await orders.buy_top(section, request.app.ctx.pay, price_list(request), order_ttl(request),
                                       request.ctx.user_id, getattr(body, id_field), body.top_hour, body.price))

    @bp.post(f"{many}/refresh/pay", name="refresh_paid")
    @documented(f"付费刷新{noun}（{api.owner}）", data=OrderCreated, auth=True,
                description=f"价格见 {prices}refresh。创建订单并返回 wx.requestPayment 的参数；支付成功后刷新生效。")
    @login_required
    @limit_writes
    @takes(bodies.paid_refresh)
    async def refresh_paid(request: JobBoardRequest, body):
        return ok(await orders.buy_refresh(section, request.app.ctx.pay, price_list(request), order_ttl(request),
                                           request.ctx.user_id, getattr(body, id_field), body.price))

    @bp.post(f"{many}/info", name="info")
    @documented(f"{noun}详情", data=section.item, auth="optional", description=(
        "可以不带 token；未解锁的 contact 打码（138****8000），contact_unlocked 表示是否完整。" + api.detail_note))
    @takes(bodies.id)
    async def info(request: JobBoardRequest, body):
        return ok(await postings.detail(section, getattr(body, id_field), await viewer(request),
                                        request.app.ctx.settings.mask_contacts, request.app.ctx.blocks,
                                        request.app.ctx.posting_stats))

    @bp.post(f"{one}/report", name="report")
    @documented(f"举报{noun}（{api.browser}）", auth=True, description=(
        f"每人对每条{noun}只能举报一次；不能举报自己的。被足够多的用户举报后暂时下架，等待运营处理。"))
    @login_required
    @limit_writes
    @takes(bodies.report)
    async def report(request: JobBoardRequest, body):
        await moderation.report(section, request.ctx.user_id, getattr(body, id_field), body.reason, body.text,
                                moderation.ReportRules.from_settings(request.app.ctx.settings))
        return ok(None, message="")

    return bp
