"""Who reaches the console and what they may do there.

Every /admin response carries the security headers. A request from outside ADMIN_ALLOWED_NETWORKS is 404
(the console does not exist for it). A page needs a live session (else: to the login page) and a role with
its capability (else 403); a form post needs the session's CSRF token and a same-origin browser (else 403),
and a refused action is audited. Domain errors become a page saying what was wrong, status 400 / 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from functools import wraps
from urllib.parse import urlsplit

from sanic import Blueprint, response

from runtime.errors import DomainError
from sections import UnknownSection, by_name
from server.admin.render import page
from server.context import JobBoardRequest
from server.routes.guard import client_ip
from server.services import operators
from server.services.console_sessions import ConsoleSessions
from server.services.errors import OperatorNotFound, PostingNotFound, UserNotFound

log = logging.getLogger("server.console")
bp = Blueprint("console", url_prefix="/admin")
SESSION_COOKIE = "console_session"
LOGIN_COOKIE = "console_login"


def sessions(request: JobBoardRequest) -> ConsoleSessions:
    return ConsoleSessions.from_settings(request.app.ctx.cache, request.app.ctx.settings)


def set_cookie(request: JobBoardRequest, resp: response.HTTPResponse, name: str, value: str,
               max_age: int | None = None) -> None:
    resp.add_cookie(name, value, path="/admin", httponly=True, samesite="Strict", max_age=max_age,
                    secure=request.app.ctx.settings.app_env == "production")


def drop_cookie(request: JobBoardRequest, resp: response.HTTPResponse, name: str) -> None:
    # With set_cookie's own flags: a Secure deletion is ignored by a browser on plain HTTP.
    set_cookie(request, resp, name, "", max_age=0)


def _content_policy(settings) -> str:
    """Scripts: none at all. Images: the app and where photos live (the storage, the allowed prefixes)."""
    images = {"'self'", "data:"}
    buckets = []
    if settings.oss_bucket and settings.oss_endpoint:  # signed URLs of private photos (licences) name the bucket
        endpoint = urlsplit(settings.oss_endpoint if "://" in settings.oss_endpoint else f"http://{settings.oss_endpoint}")
        buckets.append(f"{endpoint.scheme}://{settings.oss_bucket}.{endpoint.netloc}")
    for base in (settings.uploads_base_url, settings.oss_public_base_url, *buckets,
                 *settings.image_url_prefixes.split(",")):
        parts = urlsplit((base or "").strip())
        if parts.scheme in ("http", "https"):
            images.add(f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:")
    return ("default-src 'none'; script-src 'none'; style-src 'self'; img-src " + " ".join(sorted(images)) +
            "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


# Referrer-Policy same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` with the
# console's own form posts, which the same-origin check must then refuse.
@bp.on_response
async def _headers(request: JobBoardRequest, resp: response.HTTPResponse):
    resp.headers.update({
        "Content-Security-Policy": _content_policy(request.app.ctx.settings),
        "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store", "Cross-Origin-Opener-Policy": "same-origin",
    })
    for name in [name for name in resp.headers if name.lower().startswith("access-control-")]:
        del resp.headers[name]  # the API's CORS is for the mini-program; no other site reads the console


@bp.on_request
async def _networks(request: JobBoardRequest):
    allowed = request.app.ctx.settings.admin_networks
    if not allowed:
        return None
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        address = None
    if address is None or not any(address in network for network in allowed):
        log.warning("console refused to %s: not in ADMIN_ALLOWED_NETWORKS", client_ip(request))
        return response.text("Not Found", status=404)
    return None


def same_origin(request: JobBoardRequest) -> bool:
    """A browser's cross-site form post says so (Sec-Fetch-Site, Origin); the SameSite=Strict cookie would
    not even come with it, this refuses it outright."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.host


def csrf_ok(request: JobBoardRequest, expected: str) -> bool:
    sent = (request.form or {}).get("csrf", "") if request.method == "POST" else ""
    return same_origin(request) and bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


def to_login() -> response.HTTPResponse:
    return response.redirect("/admin/login", status=303)


def refused_page(operator, what: str) -> response.HTTPResponse:
    return page("error.html", status=403, operator=operator, csrf="", title="无权操作",
                message=f"你的角色（{operator.role}）不能{what}。此次尝试已记录。")


def console(capability: str, what: str = "查看此页"):
    """A console page or action: a live session, the capability, and for a POST the CSRF token. The handler
    gets (request, operator, session, **route args)."""

    def decorate(handler):
        @wraps(handler)
        async def guarded(request: JobBoardRequest, **kwargs):
            session = await sessions(request).find(request.cookies.get(SESSION_COOKIE))
            operator = await operators.active(session.operator_id) if session else None
            if operator is None:
                return to_login()
            if request.method == "POST" and not csrf_ok(request, session.csrf):
                log.warning("console: form from %s without a valid CSRF token refused (%s)", operator.name,
                            request.path)
                return page("error.html", status=403, operator=operator, csrf="", title="表单已失效",
                            message="这个表单没有有效的安全令牌（可能来自其他网站，或页面已过期）。请回到控制台重新操作。")
            if not _plausible(kwargs):  # nothing by that id or name can exist: no database or audit write
                return page("error.html", status=404, operator=operator, csrf=session.csrf, title="找不到",
                            message="没有这个对象")
            if not operators.may(operator.role, capability):
                if request.method == "POST":
                    await operators.refused(operator, capability, *_target(kwargs), f"{what} ({request.path})")
                return refused_page(operator, what)
            try:
                return await handler(request, operator, session, **kwargs)
            except (PostingNotFound, UserNotFound, OperatorNotFound) as exc:
                return page("error.html", status=404, operator=operator, csrf=session.csrf, title="找不到",
                            message=exc.detail)
            except DomainError as exc:
                return page("error.html", status=400, operator=operator, csrf=session.csrf, title="未能完成",
                            message=exc.detail)

        return guarded

    return decorate


# Ids are BIGINT; order numbers, operator names and section names are short.
_MAX_ID, _MAX_NAME = 2**63 - 1, 32


def _plausible(kwargs: dict) -> bool:
    return all(0 < value <= _MAX_ID if isinstance(value, int) else len(str(value)) <= _MAX_NAME
               for value in kwargs.values())


def _target(kwargs: dict) -> tuple[str, int]:
    """What a refused action was aimed at, for its audit row."""
    if "user_id" in kwargs:
        return "user", int(kwargs["user_id"])
    if "order_no" in kwargs:
        return "order", 0
    if "posting_id" in kwargs:
        try:
            return by_name(kwargs.get("section", "")).target, int(kwargs["posting_id"])
        except UnknownSection:
            return "posting", int(kwargs["posting_id"])
    return "console", 0
