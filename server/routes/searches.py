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
    "每个栏目近 7 天（上海日期）搜索人数最多的 10 个关键词，人数多的在前（count 为人数）。关键词只由行业词汇"
    "（岗位、菜系、业态、设施、福利、地名）或运营允许的词组成，词序不计（“厨师 长沙”与“长沙 厨师”为同一个，"
    "显示为排序后的词，空格分开）；只计找到了信息的搜索、只计可举报的账号（注册满一天、绑定手机、未封禁），"
    "每人每词每天一次，翻页不计；至少 3 人搜索过、通过内容安全检测且未被运营屏蔽的词才显示。列表最多 1 分钟更新一次。"))
async def hot(request: JobBoardRequest):
    return ok(await request.app.ctx.hot_searches.hot_lists([section.name for section in all_sections()]))
