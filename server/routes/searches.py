"""The search box's shared answer: what people search (热门搜索)."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.responses import ok
from server.requests import parse_query
from server.schemas.listing import SuggestQuery
from server.schemas.responses import HotSearchList, SuggestionList
from sections import all_sections, by_biz_type

bp = Blueprint("searches")


@bp.get("/search/hot")
@documented("热门搜索", data=HotSearchList, description=(
    "每个栏目近 7 天（上海日期）搜索人数最多的 10 个关键词，人数多的在前（count 为人数）。只计登录用户的搜索，"
    "翻页不计；至少 3 人搜索过、且通过内容安全检测的词才显示；含 7 位以上数字的词不计。列表最多 1 分钟更新一次。"))
async def hot(request: JobBoardRequest):
    return ok(await request.app.ctx.hot_searches.hot_lists([section.name for section in all_sections()]))


@bp.get("/search/suggest")
@documented("搜索建议", query=SuggestQuery, data=SuggestionList, description=(
    "输入时的补全：最多 10 个，来自该栏目的热门搜索（通过内容安全检测的）、已发布信息的岗位（招租：业态）"
    "与行业词库；拼音或首字母也可（chu → 厨师）。不需要登录。"))
async def suggest(request: JobBoardRequest):
    query = parse_query(request, SuggestQuery)
    return ok({"suggestions": await request.app.ctx.suggestions.suggest(by_biz_type(query.biz_type), query.prefix)})
