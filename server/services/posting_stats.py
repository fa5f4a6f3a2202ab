"""What a posting did, for its owner: per Shanghai day, detail views by distinct users, favourites, phone
unlocks and impressions (times shown in a list page).

Counted off the request path: a request only notes the event in its process's memory (`PostingCounter`, no
I/O), pushed to Redis every POSTING_STATS_PUSH_SECONDS (1 s) in one pipeline. Distinct viewers are a
HyperLogLog per posting and day (the owner's own views and a repeat view of the day are not counted: one
account viewing 1,000 times is one view); the other figures are increments of one Redis hash, `stats:pending`.

`StatsFlusher` moves them to MySQL every POSTING_STATS_FLUSH_SECONDS: it renames the pending hash to a batch of
its own (atomic: new counts start a new hash), lists the batch in `stats:batches`, and applies it in one
transaction that also inserts the batch's name into posting_stats_flushes (unique). A flush that died before
its commit leaves the batch listed, applied by the next round; one that died after its commit leaves the name
in the table, so the next round only drops the batch: nothing is counted twice. A crash of the app loses at
most its last second of counts; a lost Redis those not yet flushed (at most the minute).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta

import redis.asyncio as redis
from redis.exceptions import RedisError
from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.posting_stats import PostingStat, StatsFlush
from runtime import clock
from runtime.periodic import PeriodicTask
from runtime.settings import Settings
from sections import served
from server.services.errors import PostingNotFound

log = logging.getLogger("server.posting_stats")

PENDING = "stats:pending"
BATCHES = "stats:batches"
KINDS = ("views", "favorites", "contacts", "impressions")
SHOWN = ("views", "favorites", "contacts")  # in a "my postings" item
MY_DAYS = 7
MAX_DAYS = 90
_VIEWERS_KEEP = int(timedelta(days=2).total_seconds())  # a day's viewers outlive its last flush
BUFFER_LIMIT = 100_000  # events noted between two pushes; beyond, they are dropped
_ROWS_PER_STATEMENT = 500
_FLUSHES_KEPT = timedelta(days=2)

# KEYS: the pending hash. ARGV: field, increment, field, increment...
_ADD = """
for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
"""
# KEYS: the pending hash, the new batch, the list of batches. ARGV: the batch's name.
_TAKE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
"""


def _day(moment=None) -> str:
    return (moment or clock.now()).strftime("%Y%m%d")


def _viewers(day: str, biz_type: int, posting_id: int) -> str:
    return f"stats:viewers:{day}:{biz_type}:{posting_id}"


class PostingCounter(PeriodicTask):
    """Notes each event in this process's memory (no I/O on the request path: one list append), and pushes
    what it noted to Redis every POSTING_STATS_PUSH_SECONDS in one pipeline, counted under the Shanghai day
    of the push (an event of midnight's last second may count for the next day); POSTING_STATS false: notes
    nothing. A crash loses at most that interval; Redis away, the push is dropped (logged once)."""

    log = log
    what = "posting stats push"

    def __init__(self, cache: redis.Redis, settings: Settings, interval: float):
        super().__init__(interval)
        self._cache = cache
        self._settings = settings  # read as it is (tests and operators turn counting off)
        self._noted: list[tuple] = []  # (biz_type, posting id or ids, kind or viewer id)
        self._warned = False
        self._pushing = asyncio.Lock()
        self._add = cache.register_script(_ADD)

    def _note(self, event: tuple) -> None:
        if self._settings.posting_stats and len(self._noted) < BUFFER_LIMIT:
            self._noted.append(event)

    def viewed(self, biz_type: int, posting_id: int, owner_id: int, viewer_id: int | None) -> None:
        """A detail seen by a logged-in user other than its owner."""
        if viewer_id is not None and viewer_id != owner_id:
            self._note((biz_type, posting_id, viewer_id))

    def counted(self, biz_type: int, posting_id: int, kind: str) -> None:
        """One favourite or contact (unlock) of a posting."""
        self._note((biz_type, posting_id, kind))

    def shown(self, biz_type: int, posting_ids: list[int]) -> None:
        """A list page showed these postings."""
        if posting_ids:
            self._note((biz_type, posting_ids, "impressions"))

    async def round(self) -> None:
        await self.push()

    async def push(self) -> None:
        """What was noted since the last push, to Redis in one pipeline; returns once every push started
        before it has ended."""
        async with self._pushing:
            await self._push()

    async def _push(self) -> None:
        noted, self._noted = self._noted, []
        if not noted:
            return
        day = _day()
        counts: Counter = Counter()
        viewers: dict[tuple[int, int], set[int]] = defaultdict(set)
        for biz_type, posting, what in noted:
            if isinstance(what, int):
                viewers[(biz_type, posting)].add(what)
            elif isinstance(posting, list):
                counts.update((biz_type, posting_id, what) for posting_id in posting)
            else:
                counts[(biz_type, posting, what)] += 1
        try:
            async with self._cache.pipeline(transaction=False) as pipe:
                for (biz_type, posting_id), ids in viewers.items():
                    key = _viewers(day, biz_type, posting_id)
                    pipe.pfadd(key, *ids)
                    pipe.expire(key, _VIEWERS_KEEP)
                    counts[(biz_type, posting_id, "views")] = 1  # a mark: the flush counts the viewers
                increments = []
                for (biz_type, posting_id, kind), n in counts.items():
                    increments += (f"{day}:{biz_type}:{posting_id}:{kind}", n)
                # One command for them all: packing hundreds of HINCRBY cost the process more than their work.
                await self._add(keys=[PENDING], args=increments, client=pipe)
                await pipe.execute()
            self._warned = False
        except (RedisError, OSError) as exc:
            if not self._warned:  # once per outage
                log.warning("posting stats of a push lost: cache unavailable: %s", type(exc).__name__)
                self._warned = True

    async def run(self) -> None:
        await super().run()
        await self.push()  # a clean stop loses nothing


class _AppliedBefore(Exception):
    """Raised inside a flush's transaction to roll it back: this batch was applied by an earlier flush."""


def _upsert_sql(dialect: str, rows: int) -> str:
    columns = "(biz_type, posting_id, day, views, favorites, contacts, impressions)"
    if dialect == "mysql":
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * rows)
        return (f"INSERT INTO posting_stats {columns} VALUES {values} ON DUPLICATE KEY UPDATE "
                "views = GREATEST(views, VALUES(views)), favorites = favorites + VALUES(favorites), "
                "contacts = contacts + VALUES(contacts), impressions = impressions + VALUES(impressions)")
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * rows)
    return (f"INSERT INTO posting_stats {columns} VALUES {values} ON CONFLICT (biz_type, posting_id, day) DO UPDATE "
            "SET views = MAX(views, excluded.views), favorites = favorites + excluded.favorites, "
            "contacts = contacts + excluded.contacts, impressions = impressions + excluded.impressions")


class StatsFlusher(PeriodicTask):
    log = log
    what = "posting stats flush"
    pause_after_failure = 5.0

    def __init__(self, cache: redis.Redis, interval: float):
        super().__init__(interval)
        self._cache = cache
        self._take = cache.register_script(_TAKE)

    async def round(self) -> None:
        batch = uuid.uuid4().hex
        await self._take(keys=[PENDING, f"stats:batch:{batch}", BATCHES], args=[batch])
        # Every listed batch: this round's, and any an earlier flush (of any process) left unfinished.
        for name in sorted(await self._cache.smembers(BATCHES)):
            await self._apply(name)
        await StatsFlush.filter(create_at__lt=clock.now() - _FLUSHES_KEPT).delete()

    async def _apply(self, name: str) -> None:
        key = f"stats:batch:{name}"
        counts: dict[tuple[str, int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
        for field, value in (await self._cache.hgetall(key)).items():
            day, biz_type, posting_id, kind = field.split(":")
            if kind in KINDS:
                counts[(day, int(biz_type), int(posting_id))][kind] += int(value)
        viewed = [row for row, kinds in counts.items() if kinds["views"]]
        if viewed:  # the day's distinct viewers so far: stored as a figure (the greatest), never added
            async with self._cache.pipeline(transaction=False) as pipe:
                for day, biz_type, posting_id in viewed:
                    pipe.pfcount(_viewers(day, biz_type, posting_id))
                for row, distinct in zip(viewed, await pipe.execute(), strict=True):
                    counts[row]["views"] = distinct
        rows = [(biz_type, posting_id, date(int(day[:4]), int(day[4:6]), int(day[6:])), *kinds.values())
                for (day, biz_type, posting_id), kinds in sorted(counts.items())]
        try:
            async with in_transaction() as connection:
                try:
                    await StatsFlush.create(batch=name, create_at=clock.now())
                except IntegrityError:
                    raise _AppliedBefore() from None
                dialect = connections.get("default").capabilities.dialect
                for start in range(0, len(rows), _ROWS_PER_STATEMENT):
                    chunk = rows[start:start + _ROWS_PER_STATEMENT]
                    await connection.execute_query(_upsert_sql(dialect, len(chunk)),
                                                   [value for row in chunk for value in row])
        except _AppliedBefore:
            pass
        await self._drop(name)

    async def _drop(self, name: str) -> None:
        """A batch applied (now or before): out of Redis."""
        async with self._cache.pipeline(transaction=True) as pipe:
            pipe.delete(f"stats:batch:{name}")
            pipe.srem(BATCHES, name)
            await pipe.execute()


def _sums(rows: list[PostingStat]) -> dict[int, dict[str, int]]:
    sums: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SHOWN, 0))
    for row in rows:
        for kind in SHOWN:
            sums[row.posting_id][kind] += getattr(row, kind)
    return sums


async def recent_figures(biz_type: int, postings: list[Model]) -> dict[int, dict[str, int]]:
    """Each posting's views, favourites and contacts of the last MY_DAYS days (today included): one query."""
    since = clock.now().date() - timedelta(days=MY_DAYS - 1)
    rows = await PostingStat.filter(biz_type=biz_type, posting_id__in=[p.id for p in postings], day__gte=since)
    sums = _sums(rows)
    return {posting.id: dict(sums[posting.id]) for posting in postings}


async def daily_series(user_id: int, biz_type: int, posting_id: int, days: int) -> dict:
    """`/posting/stats`: the owner's figures of their posting, a day each, the oldest first (days without any
    as zeros). Anyone else's posting is, to them, an unknown id."""
    section = served(biz_type)
    posting = await section.model.get_or_none(id=posting_id) if section is not None else None
    if posting is None or posting.user_id != user_id:
        raise PostingNotFound(section.target if section is not None else "posting")
    today = clock.now().date()
    first = today - timedelta(days=days - 1)
    found = {row.day: row for row in await PostingStat.filter(biz_type=biz_type, posting_id=posting_id,
                                                                 day__gte=first)}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = found.get(day)
        series.append({"day": day.isoformat(), **{kind: getattr(row, kind) if row else 0 for kind in KINDS}})
    return {"biz_type": biz_type, "id": posting_id, "days": days, "series": series}
