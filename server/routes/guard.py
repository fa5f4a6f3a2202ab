"""Who is calling: `@login_required` (401 without a valid token), `@limit_writes`, and the optional viewer."""

from __future__ import annotations

from functools import wraps

from server.context import JobBoardRequest
from server.services import rate_limits
from server.services.auth import LoginLimits, TokenStore
from server.services.images import ImageUrls


def tokens(request: JobBoardRequest) -> TokenStore:
    return TokenStore.from_settings(request.app.ctx.cache, request.app.ctx.settings)


def image_urls(request: JobBoardRequest) -> ImageUrls:
    return ImageUrls.from_settings(request.app.ctx.storage, request.app.ctx.settings)


def login_limits(request: JobBoardRequest) -> LoginLimits:
    return LoginLimits.from_settings(request.app.ctx.settings)


def client_ip(request: JobBoardRequest) -> str:
    # remote_addr is the proxy-forwarded address when SANIC_PROXIES_COUNT / SANIC_REAL_IP_HEADER are set.
    return request.remote_addr or request.ip


def login_required(handler):
    @wraps(handler)
    async def wrapped(request: JobBoardRequest, *args, **kwargs):
        request.ctx.user_id = await tokens(request).authenticate(
            request.headers.get("authorization"),
            request.headers.get("user_id") or request.headers.get("user-id"),
        )
        return await handler(request, *args, **kwargs)

    return wrapped


def limit_writes(handler):
    """Every authenticated write counts against its user's per-minute budget. Goes under @login_required."""
    @wraps(handler)
    async def wrapped(request: JobBoardRequest, *args, **kwargs):
        await rate_limits.hit(request.app.ctx.cache, "writes", str(request.ctx.user_id),
                              request.app.ctx.settings.rate_limit_writes_per_user)
        return await handler(request, *args, **kwargs)

    return wrapped


async def viewer(request: JobBoardRequest) -> int | None:
    """The logged-in user looking at a public endpoint, or None (anonymous, never an error)."""
    return await tokens(request).viewer(request.headers.get("authorization"))
