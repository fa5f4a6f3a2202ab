"""The API's time: Asia/Shanghai wall time, stored naive, shown as `YYYY-MM-DD HH:MM:SS.mmm`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Current Shanghai wall time, naive, truncated to milliseconds (what the API can show)."""
    moment = datetime.now(SHANGHAI).replace(tzinfo=None)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def fmt(moment: datetime | None) -> str:
    """`2026-01-15 23:21:09.641`; the seed shows "" for an absent time."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHANGHAI).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
