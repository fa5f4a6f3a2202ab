"""Who is calling: `@login_required` (401 without a valid token), `@limit_writes`, and the optional viewer;
and the request's view of the settings the routes hand to services (image rules, prices, order lifetime)."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from server.context import JobBoardRequest
from server.errors import bad_request
from server.services import rate_limits
from server.services.auth import LoginLimits, TokenStore
from server.services.images import ImageUrls
from server.services.money import PriceList
from server.services.posting_caps import PostingCaps
from server.services.rate_limits import ReadBudget
from sections import all_sections


def tokens(request: JobBoardRequest) -> TokenStore:
    return TokenStore.from_settings(request.app.ctx.cache, request.app.ctx.settings)


def image_urls(request: JobBoardRequest) -> ImageUrls:
    return ImageUrls.from_settings(request.app.ctx.storage, request.app.ctx.settings)


def price_list(request: JobBoardRequest) -> PriceList:
    return PriceList.from_settings(request.app.ctx.settings, all_sections())


def posting_caps(request: JobBoardRequest) -> PostingCaps:
    return PostingCaps.from_settings(request.app.ctx.settings)


def order_ttl(request: JobBoardRequest) -> timedelta:
    return timedelta(minutes=request.app.ctx.settings.order_ttl_minutes)


def login_limits(request: JobBoardRequest) -> LoginLimits:
    return LoginLimits.from_settings(request.app.ctx.settings)


def client_ip(request: JobBoardRequest) -> str:
    # remote_addr is the proxy-forwarded address when SANIC_PROXIES_COUNT / SANIC_REAL_IP_HEADER are set.
    return request.remote_addr or request.ip


def read_budget(request: JobBoardRequest) -> ReadBudget:
    settings = request.app.ctx.settings
    address = None if request.app.ctx.connections_via_proxy else client_ip(request)
    return ReadBudget(request.app.ctx.cache, address, settings.rate_limit_reads_per_ip,
                      settings.rate_limit_reads_per_user)


def identity_header(request: JobBoardRequest, *names: str) -> str | None:
    """The one value of a header saying who calls (under any of `names`). Sent twice it is refused (400):
    taking the first would let a proxy or client that appends its own see a different caller than ours."""
    values = [value for name in names for value in request.headers.getall(name, ())]
    if len(values) > 1:
        raise bad_request(f"the {names[0]} header was sent {len(values)} times: send it once")
    return values[0] if values else None


def login_required(handler):
    @wraps(handler)
    async def wrapped(request: JobBoardRequest, *args, **kwargs):
        request.ctx.user_id = await tokens(request).authenticate(
            identity_header(request, "authorization"),
            identity_header(request, "user_id", "user-id"),
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


def anonymous(request: JobBoardRequest) -> bool:
    """Whether the request says nothing of who calls (no Authorization header at all)."""
    return "authorization" not in request.headers


async def viewer(request: JobBoardRequest) -> int | None:
    """The logged-in user looking at a public endpoint, or None (anonymous, never an error)."""
    return await tokens(request).viewer(identity_header(request, "authorization"))
