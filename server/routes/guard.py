"""`@login_required`: resolves the token to `request.ctx.user_id` or answers 401."""

from __future__ import annotations

from functools import wraps

from server.services import auth


def login_required(handler):
    @wraps(handler)
    async def wrapped(request, *args, **kwargs):
        ctx = request.app.ctx
        request.ctx.user_id = await auth.authenticate(
            ctx.cache,
            request.headers.get("authorization"),
            request.headers.get("user_id") or request.headers.get("user-id"),
            ctx.settings.token_ttl_days * 86400,
        )
        return await handler(request, *args, **kwargs)

    return wrapped
