"""The search box's shared answer: what people search (热门搜索)."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.responses import ok
from server.schemas.responses import HotSearchList
from sections import all_sections

bp = Blueprint("searches")


@bp.get("/search/hot")
@documented("热门搜索", data=HotSearchList, description=(
    "每个栏目近 7 天（上海日期）搜索最多的 10 个关键词，次数多的在前。每个登录用户每天对同一个词只计一次；"
    "未登录的搜索、翻页不计；未通过内容安全检测的词不计。约 10 秒内计入，列表最多 1 分钟更新一次。"))
async def hot(request: JobBoardRequest):
    return ok({section.name: await request.app.ctx.hot_searches.hot(section.name) for section in all_sections()})
