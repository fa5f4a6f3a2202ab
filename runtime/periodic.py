"""Background loops the app runs as its own asyncio tasks: a round every `interval`, or at once when nudged;
`BackgroundTasks`, the group a process runs and stops together."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import TypeVar


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


R = TypeVar("R", bound=PeriodicTask)


class BackgroundTasks:
    """A process's background loops as one group: each added once, by name, and run from then on as its
    own asyncio task; `stop()` ends them all.

    Our own tasks, not Sanic's (app.add_task): Sanic cancels its tasks at shutdown before the listeners
    run, mid-query, and a connection lost that way can stall closing the database pool."""

    log = logging.getLogger("runtime.periodic")

    def __init__(self, grace_seconds: float = 10.0):
        self._grace = grace_seconds
        self._running: dict[str, tuple[PeriodicTask, asyncio.Task]] = {}

    def add(self, name: str, runner: R) -> R:
        if name in self._running:
            raise ValueError(f"background task {name!r} added twice")
        self._running[name] = runner, asyncio.create_task(runner.run(), name=name)
        return runner

    async def stop(self) -> None:
        """Each loop finishes the round in progress; one still running after the grace (stuck on a hung
        engine or WeChat) is cancelled."""
        for runner, _ in self._running.values():
            runner.stop()
        tasks = {task: name for name, (_, task) in self._running.items()}
        if not tasks:
            return
        _, stuck = await asyncio.wait(tasks, timeout=self._grace)
        for task in stuck:
            self.log.warning("background task %s cut off: still running %g s after stop", tasks[task], self._grace)
            task.cancel()
