"""A background loop the app runs as its own asyncio task: a round every `interval`, or at once when nudged."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod


class PeriodicTask(ABC):
    """Subclasses implement `round()`. A failed round is logged and retried on the next one; `stop()` ends
    the loop between rounds rather than cancelling one mid-query (a query cut off that way can leave a
    pooled database connection marked in use, and closing the pool at shutdown then waits for it)."""

    log = logging.getLogger("runtime.periodic")
    what = "background round"
    pause_after_failure = 0.0  # seconds, so that an outage is not hammered by nudges

    def __init__(self, interval: float):
        self._interval = interval
        self._wake = asyncio.Event()
        self._stopping = False

    def nudge(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    @abstractmethod
    async def round(self) -> None:
        """One round of the work."""

    async def run(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), self._interval)
            except TimeoutError:
                pass
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.round()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a dependency away: the work waits for the next round
                self.log.warning("%s failed, will retry: %s", self.what, type(exc).__name__)
                await asyncio.sleep(self.pause_after_failure)


class NullTask:
    """Stands in for a background task a process does not run: nudging or stopping it does nothing."""

    def nudge(self) -> None:
        return None

    def stop(self) -> None:
        return None
