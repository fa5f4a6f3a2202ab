"""Seed section 二 (商家招聘) and the job lists of section 一: postings, detail, favourites, "my" lists (the
routes every section has for one posting: server/routes/posting_actions.py)."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import parse_body
from server.responses import ok
from server.routes.guard import image_urls, limit_writes, login_required, posting_caps, read_budget, viewer
from server.routes.posting_actions import CAPS, READS, PostingRoutes, add_posting_routes
from server.schemas.jobs import BizPageBody, CreateJobBody, JobIdBody, ReportBody, UpdateJobBody
from server.schemas.pay import PaidRefreshBody, TopBody
from server.schemas.listing import ListBody
from server.schemas.responses import JobCreated, JobItem, JobList, MyFavorites, MyPostings
from sections import JOBS
from server.services import favorites, jobs, listing, postings

bp = Blueprint("jobs")
add_posting_routes(bp, PostingRoutes(
    section=JOBS, noun="招聘信息", owner="商家", browser="用户", id_body=JobIdBody, report_body=ReportBody,
    top_body=TopBody, paid_refresh_body=PaidRefreshBody, item=JobItem,
    detail_note="每当商家、用户点击某一条招聘，希望详细展开查看数据时使用。已关闭的招聘只对发布者显示电话。",
    # "cancnel" is the seed's spelling, which the mini-program calls; the correct spelling is an alias.
    cancel_paths=("/job/cancnel_collect", "/job/cancel_collect")))


@bp.post("/job/create")
@documented("发布招聘信息（商家）", body=CreateJobBody, data=JobCreated, auth=True, description=CAPS)
@login_required
@limit_writes
async def create(request: JobBoardRequest):
    body = parse_body(request, CreateJobBody)
    job_id = await jobs.create(request.ctx.user_id, body.changes(), image_urls(request), request.app.ctx.content_check,
                               posting_caps(request))
    return ok({"id": job_id}, message="")


@bp.post("/jobs/update")
@documented("修改招聘信息（商家）", body=UpdateJobBody, auth=True,
            description="只改带上的字段；\"\" 或 null 表示不修改（photo_urls 为 \"\" 时清空图片）。")
@login_required
@limit_writes
async def update(request: JobBoardRequest):
    body = parse_body(request, UpdateJobBody)
    await jobs.update(request.ctx.user_id, body.id, body.changes(), image_urls(request), request.app.ctx.content_check)
    return ok(None, message="")


@bp.post("/jobs/list")
@documented("招聘信息列表（用户）", body=ListBody, data=JobList, description=(
    "类型：推荐（刷新时间；有关键词时按相关度）、附近（距离）、最新（发布时间倒序）。筛选：岗位、薪资范围、基础保障、薪酬福利、"
    "考勤休假、地区、搜索关键词（规则见 filter.keyword）。"
    "可以不带 token；带 token 时，已解锁（/contact_voucher/cost）或自己发布的招聘显示完整电话，其余 contact 打码。"
    + READS))
async def list_jobs(request: JobBoardRequest):
    body = parse_body(request, ListBody)
    return ok(await listing.list_postings(JOBS, request.app.ctx.search, body, await viewer(request),
                                          request.app.ctx.settings.mask_contacts, request.app.ctx.hot_searches,
                                          budget=read_budget(request)))


@bp.post("/jobs/my")
@documented("我发布的", body=BizPageBody, data=MyPostings, auth=True)
@login_required
async def my_postings(request: JobBoardRequest):
    body = parse_body(request, BizPageBody)
    return ok(await postings.my_postings(request.ctx.user_id, body.biz_type, body.offset, body.page_size))


@bp.post("/collect/my")
@documented("我收藏的", body=BizPageBody, data=MyFavorites, auth=True)
@login_required
async def my_favorites(request: JobBoardRequest):
    body = parse_body(request, BizPageBody)
    return ok(await favorites.my_favorites(request.ctx.user_id, body.biz_type, body.offset, body.page_size))
