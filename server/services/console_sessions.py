"""Console sessions, in Redis: a random token in an HttpOnly cookie names one; only its hash is stored.

A session lives `idle` after its last request and never longer than MAX_AGE; each login starts a new one
(the token rotates); disabling an operator ends all of theirs at once (a set per operator). Each holds the
CSRF token its forms carry. Everything expires on its own: a crash leaves nothing to clean.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import redis.asyncio as redis

from runtime import clock

MAX_AGE = timedelta(hours=12)
_PREFIX = "console:session:"


def _key(token: str) -> str:
    return _PREFIX + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Session:
    operator_id: int
    csrf: str


@dataclass(frozen=True)
class ConsoleSessions:
    cache: redis.Redis
    idle: timedelta

    @classmethod
    def from_settings(cls, cache: redis.Redis, settings) -> ConsoleSessions:
        return cls(cache, timedelta(minutes=settings.admin_session_idle_minutes))

    async def start(self, operator_id: int) -> str:
        token = secrets.token_urlsafe(32)
        key, mine = _key(token), f"console:sessions:{operator_id}"
        async with self.cache.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"operator_id": operator_id, "csrf": secrets.token_urlsafe(32),
                                    "started": f"{clock.epoch():.0f}"})
            pipe.expire(key, int(self.idle.total_seconds()))
            pipe.sadd(mine, key)
            pipe.expire(mine, int(MAX_AGE.total_seconds()))
            await pipe.execute()
        return token

    async def find(self, token: str | None) -> Session | None:
        """The live session of this token (its idle time starts again), or None."""
        if not token:
            return None
        key = _key(token)
        fields = await self.cache.hgetall(key)  # the cache decodes (runtime/cache.py)
        if not fields.get("operator_id") or clock.epoch() - float(fields["started"]) > MAX_AGE.total_seconds():
            return None
        await self.cache.expire(key, int(self.idle.total_seconds()))
        return Session(int(fields["operator_id"]), fields["csrf"])

    async def end(self, token: str | None) -> None:
        if token:
            await self.cache.delete(_key(token))

    async def end_all(self, operator_id: int) -> None:
        mine = f"console:sessions:{operator_id}"
        keys = await self.cache.smembers(mine)
        await self.cache.delete(mine, *keys)
