"""Subscribe messages (the templates a user accepted) and share codes of postings."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import takes
from server.responses import ok
from server.routes.guard import limit_writes, login_required, read_budget, viewer
from server.schemas.messages import ShareCodeBody, ShareResolveBody, SubscribeAcceptBody
from server.schemas.responses import ShareCodeAnswer, SharedPosting, SubscribeAccepted
from server.services import messages, share_codes

bp = Blueprint("messages")


@bp.post("/subscribe/accept")
@documented("上报用户允许的订阅消息模板", data=SubscribeAccepted, auth=True, description=(
    "wx.requestSubscribeMessage 成功后，把结果为 accept 的模板 id 发来：每个计一次发送机会（一次性订阅）。"
    "服务器未配置的模板 id 被忽略，并在 ignored 中列出。"))
@login_required
@limit_writes
@takes(SubscribeAcceptBody)
async def accept(request: JobBoardRequest, body: SubscribeAcceptBody):
    return ok(await messages.accept(request.ctx.user_id, body.template_ids))


@bp.post("/share/code")
@documented("信息的小程序码", data=ShareCodeAnswer, auth=True, description=(
    "返回可分享的小程序码图片地址、scene 与页面；同一条信息只生成一次。已关闭 400，不存在或已下架 404，"
    "微信暂时无法生成 503。"))
@login_required
@takes(ShareCodeBody)
async def share_code(request: JobBoardRequest, body: ShareCodeBody):
    ctx = request.app.ctx
    return ok(await share_codes.code(ctx.storage, ctx.share_codes, ctx.cache,
                                     share_codes.ShareCodeRules.from_settings(ctx.settings),
                                     request.ctx.user_id, body.biz_type, body.id))


@bp.post("/share/resolve")
@documented("扫码进入：scene 对应的信息", data=SharedPosting, auth="optional", description=(
    "小程序码的 scene（如 j42）对应的栏目与信息 id；信息已关闭、下架或不存在时 404。"))
@takes(ShareResolveBody)
async def resolve(request: JobBoardRequest, body: ShareResolveBody):
    await read_budget(request).spend(await viewer(request))
    return ok(await share_codes.resolve(body.scene))
