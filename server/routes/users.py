"""Seed section 一、用户模块: register, login, profile and location."""

from __future__ import annotations

from sanic import Blueprint, Request

from server.requests import parse_body
from server.responses import ok
from server.routes.guard import login_required
from server.schemas.users import LoginBody, RegisterBody, UpdateGeoBody, UpdateInfoBody
from server.services import auth, users

bp = Blueprint("users")


def _logged_in(user, token: str):
    return ok({"user_info": {"id": user.id}}, headers={"Authorization": f"Bearer {token}"})


@bp.post("/wechat/user/register")
async def register(request: Request):
    body = parse_body(request, RegisterBody)
    ctx = request.app.ctx
    user, token = await auth.register(ctx.wechat, ctx.cache, ctx.settings.token_ttl_days * 86400,
                                      login_code=body.login_code, phone_code=body.phone_code,
                                      inviter_id=body.inviter_id)
    return _logged_in(user, token)


@bp.post("/wechat/user/login")
async def login(request: Request):
    body = parse_body(request, LoginBody)
    ctx = request.app.ctx
    user, token = await auth.login(ctx.wechat, ctx.cache, ctx.settings.token_ttl_days * 86400,
                                   login_code=body.login_code)
    return _logged_in(user, token)


@bp.get("/user/info")
@login_required
async def info(request: Request):
    return ok(await users.profile(request.ctx.user_id))


@bp.post("/user/update/info")
@login_required
async def update_info(request: Request):
    body = parse_body(request, UpdateInfoBody)
    await users.update(request.ctx.user_id, body.model_dump(exclude_none=True))
    return ok(None, message="")


@bp.post("/user/update/geo")
@login_required
async def update_geo(request: Request):
    body = parse_body(request, UpdateGeoBody)
    await users.update(request.ctx.user_id, body.model_dump(exclude_none=True))
    return ok(None, message="")
