"""Seed section 二 (商家招聘) and the job lists of section 一: postings, detail, favourites, "my" lists."""

from __future__ import annotations

from sanic import Blueprint, Request

from server.requests import parse_body
from server.responses import ok
from server.routes.guard import login_required
from server.schemas.jobs import BizPageBody, CreateJobBody, JobIdBody, UpdateJobBody
from server.schemas.listing import ListBody
from server.services import favorites, jobs, listing

bp = Blueprint("jobs")


def _reindex_soon(request: Request) -> None:
    """Wake the background indexer: the committed change shows in the listing within about a second."""
    drainer = request.app.ctx.drainer
    if drainer is not None:
        drainer.nudge()


@bp.post("/job/create")
@login_required
async def create(request: Request):
    body = parse_body(request, CreateJobBody)
    job_id = await jobs.create(request.ctx.user_id, body.changes())
    _reindex_soon(request)
    return ok({"id": job_id}, message="")


@bp.post("/jobs/update")
@login_required
async def update(request: Request):
    body = parse_body(request, UpdateJobBody)
    await jobs.update(request.ctx.user_id, body.id, body.changes())
    _reindex_soon(request)
    return ok(None, message="")


@bp.post("/job/close")
@login_required
async def close(request: Request):
    body = parse_body(request, JobIdBody)
    await jobs.close(request.ctx.user_id, body.job_id)
    _reindex_soon(request)
    return ok(None, message="")


@bp.post("/jobs/refresh")
@login_required
async def refresh(request: Request):
    body = parse_body(request, JobIdBody)
    await jobs.refresh_free(request.ctx.user_id, body.job_id, request.app.ctx.settings.free_refreshes_per_day)
    _reindex_soon(request)
    return ok(None, message="")


@bp.post("/jobs/list")
async def list_jobs(request: Request):
    body = parse_body(request, ListBody)
    return ok(await listing.list_jobs(request.app.ctx.search, body))


@bp.post("/jobs/info")
async def info(request: Request):
    body = parse_body(request, JobIdBody)
    return ok(await jobs.detail(body.job_id))


@bp.post("/jobs/my")
@login_required
async def my_postings(request: Request):
    body = parse_body(request, BizPageBody)
    return ok(await jobs.my_postings(request.ctx.user_id, body.biz_type, body.offset, body.page_size))


@bp.post("/job/collect")
@login_required
async def collect(request: Request):
    body = parse_body(request, JobIdBody)
    await favorites.collect(request.ctx.user_id, body.job_id)
    return ok(None, message="")


# "cancnel" is the seed's spelling, which the mini-program calls; the correct spelling is an alias.
@bp.post("/job/cancnel_collect", name="cancnel_collect")
@bp.post("/job/cancel_collect", name="cancel_collect")
@login_required
async def cancel_collect(request: Request):
    body = parse_body(request, JobIdBody)
    await favorites.cancel(request.ctx.user_id, body.job_id)
    return ok(None, message="")


@bp.post("/collect/my")
@login_required
async def my_favorites(request: Request):
    body = parse_body(request, BizPageBody)
    return ok(await favorites.my_favorites(request.ctx.user_id, body.biz_type, body.offset, body.page_size))
