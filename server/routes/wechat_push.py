"""WeChat's message push (消息推送): the server verification and the `wxa_media_check` verdicts.

Registered when WECHAT_PUSH_TOKEN is set. It speaks WeChat's format: "success" or the echostr as text."""

from __future__ import annotations

import logging

import orjson
from sanic import Blueprint
from sanic.response import text

from server.context import JobBoardRequest
from server.openapi import documented
from server.services import image_checks
from server.services.push_messages import PushRejected, open_push, verify_signature

log = logging.getLogger("server.content")
bp = Blueprint("wechat_push")

_TEXT = {"200": {"description": "success（或验证时原样返回 echostr）", "content": {"text/plain": {"schema": {"type": "string"}}}},
         "default": {"description": "签名或解密失败", "content": {"text/plain": {"schema": {"type": "string"}}}}}


@bp.get("/wechat/push")
@documented("微信消息推送：服务器地址验证", responses=_TEXT, description="微信平台调用：签名正确时原样返回 echostr。")
async def verify(request: JobBoardRequest):
    settings = request.app.ctx.settings
    args = request.args
    if not verify_signature(settings.wechat_push_token, args.get("signature"), args.get("timestamp"),
                            args.get("nonce")):
        return text("bad signature", status=403)
    return text(args.get("echostr", ""))


@bp.post("/wechat/push")
@documented("微信消息推送：内容安全异步检测结果", responses=_TEXT,
            description="微信平台调用（wxa_media_check 事件，明文或安全模式）：图片被判定 risky 时删除并从招聘、头像中移除。")
async def push(request: JobBoardRequest):
    settings = request.app.ctx.settings
    try:
        body = orjson.loads(request.body or b"null")
        message = open_push(request.args, body, token=settings.wechat_push_token,
                            aes_key=settings.wechat_push_aes_key.get_secret_value() if settings.wechat_push_aes_key else None,
                            appid=settings.wechat_appid or "")
    except (PushRejected, orjson.JSONDecodeError) as exc:
        log.warning("wechat push rejected: %s", getattr(exc, "detail", "not JSON"))
        return text("rejected", status=403)
    if message.get("Event") == "wxa_media_check" and isinstance(message.get("trace_id"), str):
        result = message.get("result") if isinstance(message.get("result"), dict) else {}
        suggest = result.get("suggest")
        if message.get("errcode") not in (0, None) or not isinstance(suggest, str):
            # WeChat could not check it (e.g. it failed to download the image): submitted again later.
            await image_checks.check_failed(message["trace_id"], message.get("errcode"))
        else:
            await image_checks.apply_verdict(request.app.ctx.storage, message["trace_id"], suggest)
    return text("success")
