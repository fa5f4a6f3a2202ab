"""The search box's shared answer: what people search (热门搜索)."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.responses import ok
from server.requests import takes_query
from server.schemas.search import SuggestQuery
from server.schemas.responses import SuggestionList, hot_searches_shape
from sections import all_sections, by_biz_type

bp = Blueprint("searches")


@bp.get("/search/hot")
@documented("热门搜索", data=hot_searches_shape, description=(
    "每个栏目近 7 天（上海日期）搜索人数最多的 10 个关键词，人数多的在前（count 为人数）。关键词只由行业词汇"
    "（岗位、菜系、业态、设施、福利、地名）或运营允许的词组成，词序不计（“厨师 长沙”与“长沙 厨师”为同一个，"
    "显示为排序后的词，空格分开）；只计找到了信息的搜索、只计可举报的账号（注册满一天、绑定手机、未封禁），"
    "每人每词每天一次，翻页不计；至少 3 人搜索过、通过内容安全检测且未被运营屏蔽的词才显示。列表最多 1 分钟更新一次。"))
async def hot(request: JobBoardRequest):
    return ok(await request.app.ctx.hot_searches.hot_lists([section.name for section in all_sections()]))


@bp.get("/search/suggest")
@documented("搜索建议", data=SuggestionList, description=(
    "输入时的补全：最多 10 个，来自该栏目的热门搜索（通过内容安全检测的）、已发布信息的岗位（招租：业态）"
    "与行业词库；拼音或首字母也可（chu → 厨师）。不需要登录。"))
@takes_query(SuggestQuery)
async def suggest(request: JobBoardRequest, query: SuggestQuery):
    return ok({"suggestions": await request.app.ctx.suggestions.suggest(by_biz_type(query.biz_type), query.prefix)})
