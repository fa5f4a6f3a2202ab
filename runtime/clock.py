"""The API's time: Asia/Shanghai wall time, stored naive, shown as `YYYY-MM-DD HH:MM:SS.mmm`.

The one clock the whole app reads (rules, stored times, the listing's idea of "now"); tests set it.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# How far the app's clock is from the real one: zero outside tests.
_offset = timedelta(0)


def now() -> datetime:
    """Current Shanghai wall time, naive, truncated to milliseconds (what the API can show)."""
    moment = datetime.now(SHANGHAI).replace(tzinfo=None) + _offset
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def epoch() -> float:
    """The clock as seconds since the Unix epoch (for signatures and timestamps other systems check)."""
    return now().replace(tzinfo=SHANGHAI).timestamp()


# WeChat signs its payment notifications and message pushes with their time: one further than this from
# the clock (either way) is a replay or a wrong clock.
SIGNED_MAX_SKEW_SECONDS = 300
_EPOCH_SECONDS = re.compile(r"[0-9]{1,12}")


def signed_recently(timestamp: str | None) -> bool:
    """A signed message's timestamp (Unix seconds, as text) within SIGNED_MAX_SKEW_SECONDS of the clock."""
    return bool(timestamp and _EPOCH_SECONDS.fullmatch(timestamp)) and \
        abs(epoch() - int(timestamp)) <= SIGNED_MAX_SKEW_SECONDS


def monotonic() -> float:
    """Seconds for ages and intervals (cache entries): never set back by the wall clock; moved with the
    app's clock when a test sets it."""
    return time.monotonic() + _offset.total_seconds()


def from_aware(moment: datetime) -> datetime:
    """An aware datetime (WeChat's RFC 3339 times) as the naive Shanghai wall time the app stores."""
    return moment.astimezone(SHANGHAI).replace(tzinfo=None)


def rfc3339(moment: datetime) -> str:
    """A stored (naive Shanghai) time as RFC 3339 with its offset, as WeChat Pay wants: 2026-01-10T15:20:15+08:00."""
    return moment.replace(tzinfo=SHANGHAI, microsecond=0).isoformat()


def travel_to(moment: datetime) -> None:
    """From now on the clock reads `moment` (naive Shanghai wall time) and runs on from there."""
    global _offset
    _offset = moment - datetime.now(SHANGHAI).replace(tzinfo=None)


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def fmt(moment: datetime | None) -> str:
    """`2026-01-15 23:21:09.641`; the seed shows "" for an absent time."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHANGHAI).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
