"""A posting's figures for its owner (what it did, day by day)."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import takes
from server.responses import ok
from server.routes.guard import login_required
from server.schemas.blocking import PostingStatsSeries, StatsBody
from server.services import posting_stats

bp = Blueprint("posting_stats")


@bp.post("/posting/stats")
@documented("信息数据（发布者）", data=PostingStatsSeries, auth=True, description=(
    "自己发布的信息每天的详情浏览人数、收藏、电话解锁与列表曝光次数（约每分钟更新）。"
    "不是自己的信息或不存在的 id：404。"))
@login_required
@takes(StatsBody)
async def series(request: JobBoardRequest, body: StatsBody):
    return ok(await posting_stats.daily_series(request.ctx.user_id, body.biz_type, body.id, body.days))
