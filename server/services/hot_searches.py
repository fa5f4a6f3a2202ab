"""热门搜索: each section's most searched keywords of the last 7 days, for the mini-program to show.

Counted off the request path: a listing only appends (section, keyword, user) to this process's buffer
(`record`, no I/O), and a background round counts the buffer in Redis. So that a list shown to everyone is
neither gamed nor offensive, a keyword counts
- once per user and Shanghai day (paging, retyping or a script of one account does not push it up),
- only when searched by a logged-in user (the lists need no login: anonymous calls are not counted),
- only when WeChat's content security passes it (asked once per keyword, the verdict kept for a week;
  risky or flagged for review: never counted). WeChat away: the searches wait in the buffer;
- never when it holds a run of 7 or more digits (a phone number, an id: a person's, not a trend's).
A keyword is shown once `HOT_SEARCH_MIN_USERS` people have searched it within the 7 days: one account
cannot put a name or a number in front of everyone.
Blank keywords never reach here; a keyword is counted as the listing normalised it (search/keywords.py).
The buffer is bounded and lives in the process: a crash loses at most one round of counts.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Callable
from datetime import timedelta

import redis.asyncio as redis
from cachetools import TTLCache

from models.user import User
from runtime import clock
from runtime.periodic import PeriodicTask
from runtime.settings import Settings
from server.providers.content_check import SCENE_FORUM, ContentChecker, ContentCheckUnavailable, Verdict

log = logging.getLogger("server.hot_searches")

_PERSONAL = re.compile(r"\d{7,}")
DAYS = 7
SHOWN = 10
KEPT_PER_DAY = 1000  # a day's long tail beyond this many keywords is dropped (the top 10 never needs it)
BUFFER_LIMIT = 10_000  # searches waiting for a round; beyond it the oldest are dropped
_SHOWN_FOR_SECONDS = 60.0


def _day(days_ago: int = 0) -> str:
    return (clock.now() - timedelta(days=days_ago)).strftime("%Y%m%d")


def _counts_key(section: str, day: str) -> str:
    return f"search:hot:{section}:{day}"


class HotSearches(PeriodicTask):
    log = log
    what = "hot searches round"
    pause_after_failure = 5.0

    def __init__(self, cache: redis.Redis, checker: Callable[[], ContentChecker], settings: Settings):
        super().__init__(settings.hot_search_count_seconds)
        self._settings = settings  # read as it is (min users)
        self._cache = cache
        self._checker = checker  # the app's checker as it is at each round
        self._waiting: deque[tuple[str, str, int]] = deque(maxlen=BUFFER_LIMIT)
        self._shown: TTLCache = TTLCache(maxsize=16, ttl=_SHOWN_FOR_SECONDS, timer=clock.monotonic)

    def record(self, section: str, keyword: str, user_id: int) -> None:
        """A logged-in user's search (the first page of a list with a keyword); counted by the next round."""
        self._waiting.append((section, keyword, user_id))

    async def round(self) -> None:
        day = _day()
        while self._waiting:
            section, keyword, user_id = self._waiting[0]
            try:
                await self._count(section, keyword, user_id, day)
            except ContentCheckUnavailable:
                log.warning("hot searches: content check unavailable, %d searches wait", len(self._waiting))
                return  # the search stays first in line for the next round
            self._waiting.popleft()

    async def _count(self, section: str, keyword: str, user_id: int, day: str) -> None:
        if _PERSONAL.search(keyword) or await self._verdict(keyword, user_id) != Verdict.PASS:
            return
        seen = f"search:hot-seen:{section}:{day}"
        if not await self._cache.sadd(seen, f"{user_id}:{keyword}"):
            return  # this user searched it today already
        counts = _counts_key(section, day)
        async with self._cache.pipeline(transaction=False) as pipe:
            pipe.expire(seen, int(timedelta(days=2).total_seconds()))
            pipe.zincrby(counts, 1, keyword)
            pipe.zremrangebyrank(counts, 0, -KEPT_PER_DAY - 1)
            pipe.expire(counts, int(timedelta(days=DAYS + 1).total_seconds()))
            await pipe.execute()

    async def _verdict(self, keyword: str, user_id: int) -> str:
        kept = f"search:verdict:{keyword}"
        known = await self._cache.get(kept)
        if known is not None:
            return known.decode() if isinstance(known, bytes) else known
        user = await User.get_or_none(id=user_id)
        verdict = await self._checker().check_text(keyword, user.openid if user else "", SCENE_FORUM)
        await self._cache.set(kept, str(verdict), ex=int(timedelta(days=DAYS).total_seconds()))
        return str(verdict)

    async def hot(self, section: str) -> list[dict]:
        """The section's top keywords of the last DAYS Shanghai days, most searched first (kept a minute)."""
        key = (section, _day())
        if (shown := self._shown.get(key)) is not None:
            return shown
        days = [_counts_key(section, _day(days_ago)) for days_ago in range(DAYS)]
        counted = await self._cache.zunion(days, withscores=True)
        ranked = sorted(((k.decode() if isinstance(k, bytes) else k, int(n)) for k, n in counted),
                        key=lambda item: (-item[1], item[0]))
        enough = self._settings.hot_search_min_users
        shown = [{"keyword": keyword, "count": count} for keyword, count in ranked if count >= enough][:SHOWN]
        self._shown[key] = shown
        return shown

    def forget_shown(self) -> None:
        """For tests: the next `hot` reads Redis."""
        self._shown.clear()

    def forget(self) -> None:
        """For tests: nothing waiting, nothing kept."""
        self._waiting.clear()
        self._shown.clear()
