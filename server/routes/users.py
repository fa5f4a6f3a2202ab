"""Seed section 一、用户模块: register, login, profile and location."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.requests import takes
from server.responses import ok
from server.routes.guard import client_ip, image_urls, limit_writes, login_limits, login_required, tokens
from server.schemas.responses import LoggedIn, Profile
from server.schemas.users import LoginBody, RegisterBody, UpdateGeoBody, UpdateInfoBody
from server.services import auth, users

bp = Blueprint("users")


def _logged_in(user, token: str):
    return ok({"user_info": {"id": user.id}}, headers={"Authorization": f"Bearer {token}"})


@bp.post("/wechat/user/register")
@documented("微信注册（首次，需手机号）", data=LoggedIn, token_in_response=True,
            description="已注册的微信用户直接登录。token 在响应头 Authorization 中返回。")
@takes(RegisterBody)
async def register(request: JobBoardRequest, body: RegisterBody):
    user, token = await auth.register(request.app.ctx.wechat, tokens(request), login_limits(request),
                                      client_ip(request), login_code=body.login_code,
                                      phone_code=body.phone_code, inviter_id=body.inviter_id,
                                      welcome_vouchers=request.app.ctx.settings.free_contact_vouchers)
    return _logged_in(user, token)


@bp.post("/wechat/user/login")
@documented("微信登录（二次，无需手机号）", data=LoggedIn, token_in_response=True,
            description="未注册：404 user not found。token 在响应头 Authorization 中返回。")
@takes(LoginBody)
async def login(request: JobBoardRequest, body: LoginBody):
    user, token = await auth.login(request.app.ctx.wechat, tokens(request), login_limits(request),
                                   client_ip(request), login_code=body.login_code)
    return _logged_in(user, token)


@bp.post("/wechat/user/logout")
@documented("退出登录", auth=True, description="吊销本次请求带的 token（其他设备仍保持登录）。")
@login_required
async def logout(request: JobBoardRequest):
    """Revokes the presented token (other devices stay logged in)."""
    await tokens(request).revoke(request.headers.get("authorization"), request.ctx.user_id)
    return ok(None, message="")


@bp.get("/user/info")
@documented("查询个人信息", data=Profile, auth=True)
@login_required
async def info(request: JobBoardRequest):
    return ok(await users.profile(request.ctx.user_id))


@bp.post("/user/update/info")
@documented("更新个人信息", auth=True, description="只改带上的字段；\"\" 或 null 表示不修改。")
@login_required
@limit_writes
@takes(UpdateInfoBody)
async def update_info(request: JobBoardRequest, body: UpdateInfoBody):
    await users.update(request.ctx.user_id, body.model_dump(exclude_none=True), image_urls(request),
                       request.app.ctx.content_check)
    return ok(None, message="")


@bp.post("/user/update/geo")
@documented("更新位置信息", auth=True,
            description="每次登陆用户授权获取地理位置信息时都应该调用该接口刷新用户位置")
@login_required
@limit_writes
@takes(UpdateGeoBody)
async def update_geo(request: JobBoardRequest, body: UpdateGeoBody):
    await users.update(request.ctx.user_id, body.model_dump(exclude_none=True), image_urls(request),
                       request.app.ctx.content_check)
    return ok(None, message="")
