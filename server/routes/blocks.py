"""Blocking another user: their postings leave my lists and details, my number leaves their reach."""

from __future__ import annotations

from sanic import Blueprint

from sections.posting_bodies import PageBody
from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import takes
from server.responses import ok
from server.routes.guard import limit_writes, login_required
from server.schemas.blocking import BlockBody, BlockList
from server.services import blocks

bp = Blueprint("blocks")


@bp.post("/user/block")
@documented("屏蔽用户", auth=True, description=(
    "屏蔽后：对方发布的信息不再出现在我的任何列表、搜索中，详情为 404；对方无法解锁我的电话（与已关闭的信息相同的答复）；"
    "双方的联系记录中不再出现对方。重复屏蔽无变化。屏蔽自己、不存在的用户、超过上限（默认 500）时 400。"))
@login_required
@limit_writes
@takes(BlockBody)
async def block(request: JobBoardRequest, body: BlockBody):
    await blocks.block(request.app.ctx.blocks, request.ctx.user_id, body.user_id,
                       request.app.ctx.settings.max_blocks_per_user)
    return ok(None, message="")


@bp.post("/user/unblock")
@documented("解除屏蔽", auth=True, description="未屏蔽的用户：无变化。")
@login_required
@limit_writes
@takes(BlockBody)
async def unblock(request: JobBoardRequest, body: BlockBody):
    await blocks.unblock(request.app.ctx.blocks, request.ctx.user_id, body.user_id)
    return ok(None, message="")


@bp.post("/user/blocks")
@documented("我屏蔽的用户", data=BlockList, auth=True)
@login_required
@takes(PageBody)
async def my_blocks(request: JobBoardRequest, body: PageBody):
    return ok(await blocks.my_blocks(request.ctx.user_id, body.offset, body.page_size))
