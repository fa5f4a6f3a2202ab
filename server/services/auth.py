"""Registration, login, logout, and the opaque bearer tokens kept in the cache."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import redis.asyncio as redis
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.user import User
from models.voucher_writes import change_balance, open_account
from models.vouchers import LEDGER_GIFT
from runtime import clock
from server.providers.wechat_login import WeChatLogin
from server.services import rate_limits
from server.services.errors import TokenInvalid, TokenMismatch, TokenMissing, UserBanned, UserNotFound

TOKEN_PREFIX = "auth:token:"
USER_TOKENS_PREFIX = "auth:user-tokens:"
BANNED_PREFIX = "auth:banned:"  # set while a user is banned: their requests are refused even mid-flight
WELCOME_TITLE = "新用户赠送"  # the ledger title of a new user's free vouchers

# KEYS: the banned marker, the user's token set; ARGV: the user id. Each live token is kept (to its own
# expiry) as BANNED_TOKEN + id: it answers "this account is banned" (403) while the ban lasts, and is dead
# after an unban (401: log in again).
_BAN = """
redis.call('SET', KEYS[1], '1')
for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', key) == 1 then redis.call('SET', key, 'banned:' .. ARGV[1], 'KEEPTTL') end
end
redis.call('DEL', KEYS[2])
return 1
"""
BANNED_TOKEN = "banned:"

# Store a token and cap the user's live tokens, in one atomic step: the oldest ones beyond the cap are
# revoked. Ordered by Redis' own clock (one for every worker, never set back by tests).
# KEYS: token key, the user's token set; ARGV: user id, ttl seconds, cap.
_ISSUE = """
local now = redis.call('TIME')
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], now[1] * 1000000 + now[2], KEYS[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if extra > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[2], 0, extra - 1)) do redis.call('DEL', old) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
end
return 1
"""


def _token_key(token: str) -> str:
    # Only a hash is stored: a leaked cache dump holds no usable token.
    # A header with bytes that are not UTF-8 reaches here as lone surrogates: just an invalid token.
    return TOKEN_PREFIX + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _bare(authorization: str | None) -> str:
    token = (authorization or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    return token


@dataclass(frozen=True)
class TokenStore:
    cache: redis.Redis
    ttl_seconds: int
    max_per_user: int = 10

    @classmethod
    def from_settings(cls, cache: redis.Redis, settings) -> "TokenStore":
        return cls(cache, settings.token_ttl_days * 86400, settings.max_tokens_per_user)

    async def issue(self, user_id: int) -> str:
        token = secrets.token_urlsafe(32)
        await self.cache.eval(_ISSUE, 2, _token_key(token), f"{USER_TOKENS_PREFIX}{user_id}",
                              str(user_id), self.ttl_seconds, self.max_per_user)
        return token

    async def authenticate(self, authorization: str | None, claimed_user_id: str | None) -> int:
        """The user id behind `<token>` or `Bearer <token>`, sliding its expiry; 401 otherwise."""
        token = _bare(authorization)
        if not token:
            raise TokenMissing()
        user_id = await self.cache.getex(_token_key(token), ex=self.ttl_seconds)
        if user_id is None:
            raise TokenInvalid()
        if isinstance(user_id, bytes):
            user_id = user_id.decode()
        banned = user_id.startswith(BANNED_TOKEN)
        user_id = user_id.removeprefix(BANNED_TOKEN)
        if claimed_user_id not in (None, "") and claimed_user_id.strip() != user_id:
            raise TokenMismatch()
        # A ban keeps the user's tokens only to answer this; one issued in the same instant is refused too.
        if await self.cache.exists(f"{BANNED_PREFIX}{user_id}"):
            raise UserBanned()
        if banned:  # unbanned since: the token died with the ban
            raise TokenInvalid()
        return int(user_id)

    async def viewer(self, authorization: str | None) -> int | None:
        """Who is looking, for endpoints open to everyone: an absent or invalid token, or a cache that
        cannot answer, is an anonymous viewer, never an error."""
        token = _bare(authorization)
        if not token:
            return None
        try:
            user_id = await self.cache.get(_token_key(token))
        except (redis.ConnectionError, redis.TimeoutError):
            return None
        return int(user_id) if user_id and user_id.isdigit() else None  # a banned user's: anonymous

    async def ban(self, user_id: int) -> None:
        """Refuse the user's tokens from now on and revoke every live one, in one atomic step."""
        await self.cache.eval(_BAN, 2, f"{BANNED_PREFIX}{user_id}", f"{USER_TOKENS_PREFIX}{user_id}", str(user_id))

    async def unban(self, user_id: int) -> None:
        await self.cache.delete(f"{BANNED_PREFIX}{user_id}")

    async def revoke(self, authorization: str | None, user_id: int) -> None:
        key = _token_key(_bare(authorization))
        async with self.cache.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.zrem(f"{USER_TOKENS_PREFIX}{user_id}", key)
            await pipe.execute()


@dataclass(frozen=True)
class LoginLimits:
    per_code: int
    per_ip: int

    @classmethod
    def from_settings(cls, settings) -> "LoginLimits":
        return cls(settings.rate_limit_login_per_code, settings.rate_limit_login_per_ip)

    async def check(self, cache: redis.Redis, login_code: str, client_ip: str) -> None:
        # Counted before WeChat is asked: a flood never reaches WeChat's own quota.
        await rate_limits.hit(cache, "login-ip", client_ip, self.per_ip)
        await rate_limits.hit(cache, "login-code", login_code, self.per_code)


async def register(wechat: WeChatLogin, tokens: TokenStore, limits: LoginLimits, client_ip: str, *,
                   login_code: str, phone_code: str, inviter_id: int | None,
                   welcome_vouchers: int = 0) -> tuple[User, str]:
    await limits.check(tokens.cache, login_code, client_ip)
    identity = await wechat.identify(login_code)
    user = await User.get_or_none(openid=identity.openid)
    if user is not None:
        _not_banned(user)
        return user, await tokens.issue(user.id)
    phone = await wechat.phone_number(phone_code)
    if inviter_id is not None and not await User.exists(id=inviter_id):
        inviter_id = None  # an unknown inviter is dropped, not an error
    now = clock.now()
    try:
        # The user and the token together: if the cache fails, no user is left behind half-registered.
        async with in_transaction():
            user = await User.create(openid=identity.openid, unionid=identity.unionid, phone=phone,
                                     inviter_id=inviter_id, create_at=now, update_at=now)
            if welcome_vouchers:  # a brand-new account: no other transaction can hold its row yet
                await open_account(user.id, now)
                await change_balance(user.id, welcome_vouchers, LEDGER_GIFT, WELCOME_TITLE, now)
            token = await tokens.issue(user.id)
    except IntegrityError:  # a concurrent register of the same openid won the race
        user = await User.get(openid=identity.openid)
        token = await tokens.issue(user.id)
    return user, token


async def login(wechat: WeChatLogin, tokens: TokenStore, limits: LoginLimits, client_ip: str, *,
                login_code: str) -> tuple[User, str]:
    await limits.check(tokens.cache, login_code, client_ip)
    identity = await wechat.identify(login_code)
    user = await User.get_or_none(openid=identity.openid)
    if user is None:
        raise UserNotFound()
    _not_banned(user)
    return user, await tokens.issue(user.id)


def _not_banned(user: User) -> None:
    if user.banned_at is not None:
        raise UserBanned()
