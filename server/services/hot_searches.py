"""热门搜索: each section's keywords searched by the most people in the last 7 days, for the mini-program to show.

Counted off the request path: a listing only appends (section, keyword, user) to this process's buffer
(`record`, no I/O), and a background round counts the buffer in Redis, one script per search (atomic: a
crash or a Redis error never counts a search twice or loses it for the day). A list shown to everyone must
be neither gamed nor offensive nor anybody's secret, so:
- only logged-in users' searches count (the lists need no login: anonymous calls are not counted), each
  user once per keyword and Shanghai day, and at most PER_USER_PER_DAY keywords of a user a day;
- a keyword holding 7 or more digits, spaces or dashes between them allowed (a phone number, an id), is
  never counted;
- a keyword is shown only once `HOT_SEARCH_MIN_USERS` different people searched it within the 7 days
  (counted by HyperLogLog per keyword and day), so one account cannot show a name or a number to everyone;
- and only once WeChat's content security passed it: asked by the round, once per keyword that reached
  the threshold (so a flood of made-up keywords never spends the content-check quota posts need), the
  verdict kept a week. WeChat away: those keywords wait unshown, the counting goes on.
The buffer is bounded and lives in the process: a crash loses at most one round of searches.
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

DAYS = 7
SHOWN = 10
CANDIDATES = 50  # the most searched (user-days) keywords looked at for the list, per section
KEPT_PER_DAY = 1000  # a day's long tail beyond this many keywords is dropped
PER_USER_PER_DAY = 50  # keywords of one user counted a day
BUFFER_LIMIT = 10_000  # searches waiting for a round; beyond it the oldest are dropped
_SHOWN_FOR_SECONDS = 60.0
_PERSONAL = re.compile(r"\d(?:[\s\-.]*\d){6,}")
_KEEP = int(timedelta(days=DAYS + 1).total_seconds())
_KEEP_DAY = int(timedelta(days=2).total_seconds())

# KEYS: the day's seen set, the day's counts, the keyword's people of the day, the user's quota of the day, the
# section's last searcher of each keyword. ARGV: "user:keyword", keyword, user id, kept per day, per user per
# day, seconds to keep a day's sets, seconds to keep counts. 1 when counted.
_COUNT = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
local used = redis.call('INCR', KEYS[4])
redis.call('EXPIRE', KEYS[4], ARGV[6])
if used > tonumber(ARGV[5]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZINCRBY', KEYS[2], 1, ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[4]) - 1)
redis.call('EXPIRE', KEYS[2], ARGV[7])
redis.call('PFADD', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[7])
redis.call('HSET', KEYS[5], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[5], ARGV[7])
return 1
"""


def _day(days_ago: int = 0) -> str:
    return (clock.now() - timedelta(days=days_ago)).strftime("%Y%m%d")


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


class HotSearches(PeriodicTask):
    log = log
    what = "hot searches round"
    pause_after_failure = 5.0

    def __init__(self, cache: redis.Redis, checker: Callable[[], ContentChecker], settings: Settings):
        super().__init__(settings.hot_search_count_seconds)
        self._settings = settings  # read as it is (min users)
        self._cache = cache
        self._checker = checker  # the app's checker as it is at each round
        self._counting = cache.register_script(_COUNT)
        self._waiting: deque[tuple[str, str, int]] = deque(maxlen=BUFFER_LIMIT)
        self._sections: set[str] = set()
        self._shown: TTLCache = TTLCache(maxsize=16, ttl=_SHOWN_FOR_SECONDS, timer=clock.monotonic)

    def record(self, section: str, keyword: str, user_id: int) -> None:
        """A logged-in user's search (the first page of a list with a keyword); counted by the next round."""
        self._waiting.append((section, keyword, user_id))

    async def round(self) -> None:
        day = _day()
        while self._waiting:
            section, keyword, user_id = self._waiting[0]
            if not _PERSONAL.search(keyword):
                await self._counting(keys=[f"search:hot-seen:{section}:{day}", f"search:hot:{section}:{day}",
                                           f"search:hot-people:{section}:{day}:{keyword}",
                                           f"search:hot-quota:{day}:{user_id}", f"search:hot-last:{section}"],
                                     args=[f"{user_id}:{keyword}", keyword, user_id, KEPT_PER_DAY, PER_USER_PER_DAY,
                                           _KEEP_DAY, _KEEP])
                self._sections.add(section)
            self._waiting.popleft()
        for section in sorted(self._sections):
            await self._judge(section)

    async def _candidates(self, section: str) -> list[tuple[str, int]]:
        """(keyword, people within the 7 days) of the section's most searched keywords, people ≥ the minimum."""
        days = [_day(days_ago) for days_ago in range(DAYS)]
        counted = await self._cache.zunion([f"search:hot:{section}:{day}" for day in days], withscores=True)
        ranked = sorted(((_text(k), n) for k, n in counted), key=lambda item: (-item[1], item[0]))[:CANDIDATES]
        async with self._cache.pipeline(transaction=False) as pipe:
            for keyword, _ in ranked:
                pipe.pfcount(*(f"search:hot-people:{section}:{day}:{keyword}" for day in days))
            people = await pipe.execute()
        enough = self._settings.hot_search_min_users
        return [(keyword, count) for (keyword, _), count in zip(ranked, people) if count >= enough]

    async def _judge(self, section: str) -> None:
        """Ask WeChat about the section's keywords that reached the threshold and were never judged."""
        for keyword, _ in await self._candidates(section):
            if await self._cache.exists(f"search:verdict:{keyword}"):
                continue
            searcher = await self._cache.hget(f"search:hot-last:{section}", keyword)
            user = await User.get_or_none(id=int(searcher)) if searcher else None
            try:
                verdict = await self._checker().check_text(keyword, user.openid if user else "", SCENE_FORUM)
            except ContentCheckUnavailable:
                log.warning("hot searches: content check unavailable, keywords wait unshown")
                return
            await self._cache.set(f"search:verdict:{keyword}", str(verdict), ex=int(timedelta(days=DAYS).total_seconds()))

    async def hot(self, section: str) -> list[dict]:
        """The section's keywords searched by the most people in the last DAYS Shanghai days and passed by
        content security, most first (kept a minute)."""
        key = (section, _day())
        if (shown := self._shown.get(key)) is not None:
            return shown
        candidates = await self._candidates(section)
        verdicts = await self._cache.mget([f"search:verdict:{keyword}" for keyword, _ in candidates]) if candidates else []
        passed = [(keyword, people) for (keyword, people), verdict in zip(candidates, verdicts)
                  if verdict is not None and _text(verdict) == Verdict.PASS]
        passed.sort(key=lambda item: (-item[1], item[0]))
        shown = [{"keyword": keyword, "count": people} for keyword, people in passed[:SHOWN]]
        self._shown[key] = shown
        return shown

    async def hot_lists(self, sections: list[str]) -> dict[str, list[dict]]:
        """GET /search/hot: every section's list, by the section's name."""
        return {section: await self.hot(section) for section in sections}

    def forget_shown(self) -> None:
        """For tests: the next `hot` reads Redis."""
        self._shown.clear()

    def forget(self) -> None:
        """For tests: nothing waiting, nothing kept."""
        self._waiting.clear()
        self._sections.clear()
        self._shown.clear()
