"""Blocking: a user keeps another away. The blocked user's postings leave the blocker's lists and details (as
if they did not exist), the blocked user cannot unlock the blocker's number (told, as for a closed posting,
that it cannot be contacted: the block is not revealed), and neither shows in the other's contact history
while the block lasts.

The read path never asks the database for a viewer's block set: `BlockSets` keeps it in Redis, filled from the
database on a miss and dropped by every block or unblock. A fill that read the database before a block's
commit must not put the old set back after the block dropped it: each drop bumps the user's generation, and a
fill stores its set only if the generation is still the one it saw before reading.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import redis.asyncio as redis
from redis.exceptions import RedisError
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from models.blocks import Block
from models.user import User
from runtime import clock
from server.services.errors import BlockRefused

log = logging.getLogger("server.blocks")

# A kept set is read from the database again after this: the bound on a stale set, should Redis have failed
# between a block's commit and its drop of the set.
KEEP_SECONDS = 3600
_FILL = """
local generation = redis.call('GET', KEYS[2]) or ''
if generation ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


@lru_cache(maxsize=4096)
def _parsed(kept: str) -> frozenset[int]:
    # A set as Redis keeps it ("12,40"), parsed once per process: a blocker's every list reads the same text.
    return frozenset(int(part) for part in kept.split(",") if part)


def _keys(user_id: int) -> tuple[str, str]:
    return f"blocks:{user_id}", f"blocks-generation:{user_id}"


async def blocked_by(user_id: int) -> frozenset[int]:
    """The users `user_id` blocks, from the database."""
    return frozenset(await Block.filter(user_id=user_id).values_list("blocked_id", flat=True))


class BlockSets:
    """Each viewer's block set as the read path needs it: one Redis read, the database only on a miss."""

    def __init__(self, cache: redis.Redis):
        self._cache = cache
        self._fill = cache.register_script(_FILL)

    async def of(self, viewer_id: int | None) -> frozenset[int]:
        """Whom the viewer blocks (nobody for an anonymous one). Redis away: read from the database, so a
        block holds whatever happens to the cache."""
        if viewer_id is None:
            return frozenset()
        value_key, generation_key = _keys(viewer_id)
        try:
            kept, generation = await self._cache.mget(value_key, generation_key)
        except (RedisError, OSError) as exc:
            log.warning("block set read from the database: cache unavailable: %s", type(exc).__name__)
            return await blocked_by(viewer_id)
        if kept is not None:
            return _parsed(kept)
        blocked = await blocked_by(viewer_id)
        try:
            await self._fill(keys=[value_key, generation_key],
                             args=[generation or "", ",".join(map(str, sorted(blocked))), KEEP_SECONDS])
        except (RedisError, OSError):
            pass  # read again next time
        return blocked

    async def forget(self, user_id: int) -> None:
        """Drop the user's kept set (their blocks changed, or are about to)."""
        value_key, generation_key = _keys(user_id)
        async with self._cache.pipeline(transaction=True) as pipe:
            pipe.incr(generation_key)
            pipe.expire(generation_key, 2 * KEEP_SECONDS)
            pipe.delete(value_key)
            await pipe.execute()


async def block(sets: BlockSets, user_id: int, other_id: int, cap: int) -> None:
    """Block `other_id`; blocking someone already blocked changes nothing. Refused (400): oneself, a user that
    does not exist, more than `cap` users."""
    if other_id == user_id:
        raise BlockRefused("you cannot block yourself", {"user_id": other_id})
    if not await User.exists(id=other_id):
        raise BlockRefused("no such user", {"user_id": other_id})
    # Dropped before (a Redis down refuses the block before anything changed: 503) and after the commit.
    await sets.forget(user_id)
    async with in_transaction():
        # The blocker's row lock makes their blocks one at a time: concurrent ones cannot pass the cap together.
        await User.select_for_update().get(id=user_id)
        if await Block.exists(user_id=user_id, blocked_id=other_id):
            return
        if await Block.filter(user_id=user_id).count() >= cap:
            raise BlockRefused(f"you can block at most {cap} users: unblock someone first", {"limit": cap})
        try:
            await Block.create(user_id=user_id, blocked_id=other_id, create_at=clock.now())
        except IntegrityError:  # the same block made meanwhile by another request
            return
    await sets.forget(user_id)


async def unblock(sets: BlockSets, user_id: int, other_id: int) -> None:
    """Lift a block; unblocking someone not blocked changes nothing."""
    await sets.forget(user_id)
    await Block.filter(user_id=user_id, blocked_id=other_id).delete()
    await sets.forget(user_id)


async def my_blocks(user_id: int, offset: int, limit: int) -> dict:
    """`/user/blocks`: the users I block, the latest first."""
    query = Block.filter(user_id=user_id)
    rows = await query.order_by("-create_at", "-id").offset(offset).limit(limit)
    users = {user.id: user for user in await User.filter(id__in=[row.blocked_id for row in rows])}
    return {"list": [{"user_id": row.blocked_id, "name": users[row.blocked_id].name,
                      "avatar": users[row.blocked_id].avatar, "create_at": clock.fmt(row.create_at)}
                     for row in rows if row.blocked_id in users],
            "total": await query.count()}


async def either_way_blocked(user_id: int, other_id: int) -> tuple[bool, bool]:
    """(user blocks other, other blocks user): one query."""
    rows = await Block.filter(user_id__in=(user_id, other_id), blocked_id__in=(user_id, other_id)) \
        .values_list("user_id", "blocked_id")
    return (user_id, other_id) in rows, (other_id, user_id) in rows


def apart_from(user_id: int) -> tuple[Subquery, Subquery]:
    """The users `user_id` blocks and those who block them, as subqueries (a contact history leaves both out
    whatever their number)."""
    return (Subquery(Block.filter(user_id=user_id).values("blocked_id")),
            Subquery(Block.filter(blocked_id=user_id).values("user_id")))
