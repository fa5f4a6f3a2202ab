"""热门搜索: each section's keywords searched by the most people in the last 7 days, for the mini-program to show.

Counted off the request path: a listing only appends (section, keyword, user) to this process's buffer
(`record`, no I/O), and a background round counts the buffer in Redis, one script per search (atomic: a
crash or a Redis error never counts a search twice or loses it for the day). A list shown to everyone must
be neither gamed nor offensive nor anybody's secret, so a search counts only when all of these hold:
- its keyword is a set of known words: every word (search.vocabulary: the keyword normalised, invisible
  characters dropped, segmented) is a word of the trade's vocabulary or one an operator allowed. A name, a
  phone number however written, a WeChat id or any made-up text is never a set of known words. The set is
  the keyword: order and repeats do not matter (`甲 乙` is `乙 甲`), and it is what the list shows;
- the search found at least one posting;
- the searcher is an account that could report (ReportRules.trusted: old enough, with a phone, not
  banned), counted once per keyword and Shanghai day, at most PER_USER_PER_DAY keywords a day;
- no operator blocked the keyword or one of its words (`jobboard moderation hot-block`).
A keyword is shown once `HOT_SEARCH_MIN_USERS` different people searched it within the 7 days (counted by
HyperLogLog per keyword and day), and only once WeChat's content security passed it: asked by the round,
once per keyword that reached the threshold, the verdict kept a week. WeChat away: those keywords wait
unshown, the counting goes on.
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
from tortoise.exceptions import IntegrityError

from models.moderation import HOT_ALLOW, HOT_BLOCK, HotSearchRule
from models.user import User
from runtime import clock
from runtime.periodic import PeriodicTask
from runtime.settings import Settings
from search.text import is_wordish, normalized
from search.vocabulary import is_known, query_words
from server.providers.content_check import SCENE_FORUM, ContentChecker, ContentCheckUnavailable, Verdict
from server.services.errors import HotSearchRuleInvalid, HotSearchRuleNotFound
from server.services.moderation import ReportRules, audit

log = logging.getLogger("server.hot_searches")

DAYS = 7
SHOWN = 10
CANDIDATES = 50  # the most searched (user-days) keywords looked at for the list, per section
KEPT_PER_DAY = 1000  # a day's long tail beyond this many keywords is dropped
PER_USER_PER_DAY = 50  # keywords of one user counted a day
BUFFER_LIMIT = 10_000  # searches waiting for a round; beyond it the oldest are dropped
MAX_WORDS = 4  # a longer keyword is a sentence, not something to put in front of everyone
MAX_LENGTH = 30  # of the keyword as shown (after normalisation), as the search box's own limit
_SHOWN_FOR_SECONDS = 60.0
_RULES_FOR_SECONDS = 30.0  # an operator's allow or block takes effect within this (and the shown list's minute)
# Defence in depth: no operator-allowed word may bring a phone number or an id to the list either.
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


def keyword_set(text: str, allowed: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """A normalised keyword as the list counts and shows it: its distinct words, sorted (so `甲 乙` is `乙 甲`).
    A word an operator allowed stays whole wherever it stands (海底捞 is not 海底 + 捞)."""
    for word in sorted(allowed, key=len, reverse=True):
        text = text.replace(word, f" {word} ")
    words: list[str] = []
    for part in text.split():
        words += [part] if part in allowed else query_words(part)
    return tuple(sorted(set(words)))


Blocked = tuple[frozenset[str], ...]


class HotSearchRules:
    """The operators' allowed words and blocked keywords, read from the database at most every
    `_RULES_FOR_SECONDS` (by the counting round, and by GET /search/hot once its minute's list expired)."""

    def __init__(self):
        self._kept: TTLCache = TTLCache(maxsize=1, ttl=_RULES_FOR_SECONDS, timer=clock.monotonic)

    async def current(self) -> tuple[frozenset[str], Blocked]:
        """(allowed words, the word sets of blocked keywords)."""
        if (kept := self._kept.get("rules")) is None:
            rows = await HotSearchRule.all().values_list("keyword", "rule")
            allowed = frozenset(k for k, rule in rows if rule == HOT_ALLOW)
            kept = (allowed, tuple(frozenset(keyword_set(k, allowed)) for k, rule in rows if rule == HOT_BLOCK))
            self._kept["rules"] = kept
        return kept

    def forget(self) -> None:
        self._kept.clear()


def _blocked(words: tuple[str, ...], blocked: Blocked) -> bool:
    """A keyword holding every word of a blocked one (a blocked word: any keyword holding it)."""
    return any(block <= set(words) for block in blocked)


def countable(words: tuple[str, ...], allowed: frozenset[str], blocked: Blocked) -> bool:
    """May a search of this word set count toward the list: known words only, not blocked, short."""
    shown = " ".join(words)
    return (0 < len(words) <= MAX_WORDS and len(shown) <= MAX_LENGTH and not _PERSONAL.search(shown)
            and all(is_known(word) or word in allowed for word in words) and not _blocked(words, blocked))


class HotSearches(PeriodicTask):
    log = log
    what = "hot searches round"
    pause_after_failure = 5.0

    def __init__(self, cache: redis.Redis, checker: Callable[[], ContentChecker], settings: Settings):
        super().__init__(settings.hot_search_count_seconds)
        self._settings = settings  # read as it is (min users, who may count)
        self._cache = cache
        self._checker = checker  # the app's checker as it is at each round
        self._counting = cache.register_script(_COUNT)
        self._waiting: deque[tuple[str, str, int]] = deque(maxlen=BUFFER_LIMIT)
        self._sections: set[str] = set()
        self._shown: TTLCache = TTLCache(maxsize=16, ttl=_SHOWN_FOR_SECONDS, timer=clock.monotonic)
        self.rules = HotSearchRules()

    def record(self, section: str, keyword: str, user_id: int) -> None:
        """A logged-in user's search that found something (the first page of a list with a keyword, as the
        listing keeps it: normalised); judged and counted by the next round."""
        self._waiting.append((section, keyword, user_id))

    async def round(self) -> None:
        day, now = _day(), clock.now()
        allowed, blocked = await self.rules.current()
        trust = ReportRules.from_settings(self._settings)
        searchers = {user.id: user for user in
                     await User.filter(id__in={user_id for _, _, user_id in self._waiting})}
        while self._waiting:
            section, keyword, user_id = self._waiting[0]
            words = keyword_set(keyword, allowed)
            if user_id not in searchers:  # appended while this round ran
                searchers[user_id] = await User.get_or_none(id=user_id)
            if countable(words, allowed, blocked) and trust.trusted(searchers[user_id], now):
                shown = " ".join(words)
                await self._counting(keys=[f"search:hot-seen:{section}:{day}", f"search:hot:{section}:{day}",
                                           f"search:hot-people:{section}:{day}:{shown}",
                                           f"search:hot-quota:{day}:{user_id}", f"search:hot-last:{section}"],
                                     args=[f"{user_id}:{shown}", shown, user_id, KEPT_PER_DAY, PER_USER_PER_DAY,
                                           _KEEP_DAY, _KEEP])
                self._sections.add(section)
            self._waiting.popleft()
        for section in sorted(self._sections):
            await self._judge(section)

    async def _candidates(self, section: str) -> list[tuple[str, int]]:
        """(keyword, people within the 7 days) of the section's most searched keywords, people ≥ the minimum,
        none an operator blocked since it was counted."""
        days = [_day(days_ago) for days_ago in range(DAYS)]
        counted = await self._cache.zunion([f"search:hot:{section}:{day}" for day in days], withscores=True)
        ranked = sorted(((_text(k), n) for k, n in counted), key=lambda item: (-item[1], item[0]))[:CANDIDATES]
        _, blocked = await self.rules.current()
        ranked = [(keyword, n) for keyword, n in ranked if not _blocked(tuple(keyword.split(" ")), blocked)]
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

    async def candidates(self, section: str) -> list[dict]:
        """For operators: the section's keywords searched by enough people within the 7 days and not blocked,
        with their count and content security's verdict ("" not asked yet); shown ones are those passed."""
        found = await self._candidates(section)
        verdicts = await self._cache.mget([f"search:verdict:{keyword}" for keyword, _ in found]) if found else []
        return [{"keyword": keyword, "count": people, "verdict": _text(verdict) if verdict else ""}
                for (keyword, people), verdict in zip(found, verdicts)]

    def rules_changed(self) -> None:
        """An operator changed a rule: this process's next list reads them again (others within 90 s)."""
        self.rules.forget()
        self._shown.clear()

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
        self.rules.forget()


async def set_rule(rule: str, keyword: str, actor: str, reason: str) -> str:
    """An operator allows a word (`allow`: one word without spaces, e.g. a chain's name, which then counts as
    one word) or blocks a keyword or a word (`block`: no keyword holding all its words is shown); audited.
    Returns the normalised form the rule holds."""
    normal = normalized(keyword)
    if not is_wordish(normal) or (rule == HOT_ALLOW and " " in normal) or len(normal) > MAX_LENGTH:
        raise HotSearchRuleInvalid("allow takes one word (no spaces); block a keyword of at most "
                                   f"{MAX_LENGTH} characters", {"keyword": keyword})
    try:
        row = await HotSearchRule.create(keyword=normal, rule=rule, actor=actor, reason=reason[:500],
                                         create_at=clock.now())
    except IntegrityError:  # already so: nothing to change, nothing to audit
        return normal
    await audit(actor, f"hot-{rule}", "keyword", row.id, f"{normal}: {reason}", clock.now())
    return normal


async def drop_rule(rule: str, keyword: str, actor: str, reason: str) -> str:
    normal = normalized(keyword)
    row = await HotSearchRule.get_or_none(keyword=normal, rule=rule)
    if row is None:
        raise HotSearchRuleNotFound(f"no {rule} rule for {normal!r}", {"keyword": normal})
    await row.delete()
    await audit(actor, f"hot-un{rule}", "keyword", row.id, f"{normal}: {reason}", clock.now())
    return normal


async def rules() -> list[dict]:
    return [{"rule": row.rule, "keyword": row.keyword, "by": row.actor, "reason": row.reason,
             "at": f"{row.create_at:%Y-%m-%d %H:%M}"}
            for row in await HotSearchRule.all().order_by("rule", "keyword")]
