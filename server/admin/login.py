"""Logging in and out of the console. The login form carries a token that must match its own cookie (no
session exists yet to hold one); a successful login always starts a new session (the token rotates)."""

from __future__ import annotations

import hmac
import logging
import secrets

from sanic import response

from server.admin.guard import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    bp,
    csrf_ok,
    drop_cookie,
    same_origin,
    sessions,
    set_cookie,
    to_login,
)
from server.admin.render import page
from server.context import JobBoardRequest
from server.routes.guard import client_ip
from server.services import operators, rate_limits
from server.services.errors import LoginLocked, LoginRefused, RateLimited, SecondFactorNeeded

log = logging.getLogger("server.console")
ATTEMPTS_PER_MINUTE = 20  # per address, whatever the names tried; the lockout counts wrong ones


def _form(request: JobBoardRequest, status: int = 200, message: str = "", name: str = "") -> response.HTTPResponse:
    token = secrets.token_urlsafe(24)
    resp = page("login.html", status=status, operator=None, csrf=token, message=message, name=name)
    set_cookie(request, resp, LOGIN_COOKIE, token, max_age=3600)
    return resp


@bp.get("/login")
async def login_form(request: JobBoardRequest):
    return _form(request)  # also to someone logged in: logging in as another ends the session they had


@bp.post("/login")
async def login(request: JobBoardRequest):
    form = request.form or {}
    sent, expected = form.get("csrf", ""), request.cookies.get(LOGIN_COOKIE, "")
    if not (same_origin(request) and sent and expected and hmac.compare_digest(sent.encode(), expected.encode())):
        log.warning("console login from %s without its form token refused", client_ip(request))
        return _form(request, 403, "登录表单已失效，请重新输入。")
    name = (form.get("name") or "").strip()[:64]
    try:
        await rate_limits.hit(request.app.ctx.cache, "console-login", client_ip(request), ATTEMPTS_PER_MINUTE)
        operator = await operators.authenticate(
            request.app.ctx.cache, operators.LoginRules.from_settings(request.app.ctx.settings), name,
            form.get("password") or "", form.get("code") or "", client_ip(request))
    except (LoginRefused, SecondFactorNeeded) as exc:
        return _form(request, 401, exc.detail, name)
    except (LoginLocked, RateLimited) as exc:
        return _form(request, 429, LoginLocked.detail if isinstance(exc, RateLimited) else exc.detail, name)
    store = sessions(request)
    await store.end(request.cookies.get(SESSION_COOKIE))
    resp = response.redirect("/admin", status=303)
    set_cookie(request, resp, SESSION_COOKIE, await store.start(operator.id))
    drop_cookie(request, resp, LOGIN_COOKIE)
    log.info("operator %s logged in from %s", operator.name, client_ip(request))
    return resp


@bp.post("/logout")
async def logout(request: JobBoardRequest):
    """Ends the session when the form is the session's own; anything else changes nothing (another page
    cannot log an operator out, nor leave them believing they are out while the session lives on)."""
    store = sessions(request)
    session = await store.find(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return to_login()
    if not csrf_ok(request, session.csrf):
        return page("error.html", status=403, operator=None, csrf="", title="表单已失效",
                    message="退出表单没有有效的安全令牌：会话仍然有效。请在控制台页面上点“退出”。")
    await store.end(request.cookies.get(SESSION_COOKIE))
    resp = to_login()
    drop_cookie(request, resp, SESSION_COOKIE)
    return resp
