"""The app's background loops as one group: stopped together, a round in progress finished, a stuck one cut off."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from runtime.periodic import BackgroundTasks, PeriodicTask


class Loop(PeriodicTask):
    """Its round takes `takes` seconds (None: hangs, as a round on a hung engine does)."""

    def __init__(self, takes: float | None):
        super().__init__(interval=0.01)
        self.takes = takes
        self.in_round = asyncio.Event()
        self.finished = 0
        self.cut_off = asyncio.Event()

    async def round(self) -> None:
        self.in_round.set()
        try:
            await asyncio.sleep(self.takes) if self.takes is not None else await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cut_off.set()
            raise
        self.finished += 1


async def test_stop_lets_rounds_finish_and_cuts_off_a_stuck_one_after_the_grace(caplog):
    group = BackgroundTasks(grace_seconds=0.3)
    slow, stuck = group.add("slow", Loop(takes=0.1)), group.add("stuck", Loop(takes=None))
    await asyncio.wait_for(asyncio.gather(slow.in_round.wait(), stuck.in_round.wait()), 1)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="runtime.periodic"):
        await group.stop()
    assert 0.3 <= time.monotonic() - started < 1  # one grace for the whole group, not one per loop
    await asyncio.wait_for(stuck.cut_off.wait(), 1)
    assert slow.finished >= 1 and not slow.cut_off.is_set()  # the round in progress ended by itself
    assert [r.getMessage() for r in caplog.records] == ["background task stuck cut off: still running 0.3 s after stop"]


async def test_a_group_whose_loops_stop_at_once_does_not_wait_for_the_grace():
    group = BackgroundTasks(grace_seconds=5)
    loop = group.add("quick", Loop(takes=0))
    await asyncio.wait_for(loop.in_round.wait(), 1)
    started = time.monotonic()
    await group.stop()
    assert time.monotonic() - started < 1 and not loop.cut_off.is_set()


async def test_a_name_is_added_once():
    group = BackgroundTasks()
    group.add("sweeper", Loop(takes=0))
    with pytest.raises(ValueError, match="added twice"):
        group.add("sweeper", Loop(takes=0))
    await group.stop()
