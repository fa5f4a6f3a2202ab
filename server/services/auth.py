"""Registration, login, and the opaque bearer tokens kept in the cache."""

from __future__ import annotations

import hashlib
import secrets

import redis.asyncio as redis
from tortoise.exceptions import IntegrityError

from models.user import User
from server import clock
from server.errors import ApiError
from server.providers.wechat_login import WeChatLogin

TOKEN_PREFIX = "auth:token:"


def _token_key(token: str) -> str:
    # Only a hash is stored: a leaked cache dump holds no usable token.
    return TOKEN_PREFIX + hashlib.sha256(token.encode()).hexdigest()


async def issue_token(cache: redis.Redis, user_id: int, ttl_seconds: int) -> str:
    token = secrets.token_urlsafe(32)
    await cache.set(_token_key(token), str(user_id), ex=ttl_seconds)
    return token


async def authenticate(cache: redis.Redis, authorization: str | None, claimed_user_id: str | None,
                       ttl_seconds: int) -> int:
    """The user id behind an `Authorization` header (`<token>` or `Bearer <token>`), sliding its expiry."""
    token = (authorization or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if not token:
        raise ApiError(401, "Unauthorized", "missing token: send the Authorization header from login")
    user_id = await cache.getex(_token_key(token), ex=ttl_seconds)
    if user_id is None:
        raise ApiError(401, "Unauthorized", "token invalid or expired, log in again")
    if claimed_user_id not in (None, "") and claimed_user_id.strip() != user_id:
        raise ApiError(401, "Unauthorized", "the user_id header does not match the token")
    return int(user_id)


async def register(wechat: WeChatLogin, cache: redis.Redis, ttl_seconds: int, *, login_code: str,
                   phone_code: str, inviter_id: int | None) -> tuple[User, str]:
    identity = await wechat.identify(login_code)
    user = await User.get_or_none(openid=identity.openid)
    if user is None:
        phone = await wechat.phone_number(phone_code)
        if inviter_id is not None and not await User.exists(id=inviter_id):
            inviter_id = None  # an unknown inviter is dropped, not an error
        now = clock.now()
        try:
            user = await User.create(openid=identity.openid, unionid=identity.unionid, phone=phone,
                                     inviter_id=inviter_id, create_at=now, update_at=now)
        except IntegrityError:  # a concurrent register of the same openid won the race
            user = await User.get(openid=identity.openid)
    return user, await issue_token(cache, user.id, ttl_seconds)


async def login(wechat: WeChatLogin, cache: redis.Redis, ttl_seconds: int, *, login_code: str) -> tuple[User, str]:
    identity = await wechat.identify(login_code)
    user = await User.get_or_none(openid=identity.openid)
    if user is None:
        raise ApiError(404, "Not Found", "user not found")
    return user, await issue_token(cache, user.id, ttl_seconds)
