"""Making concurrent requests overlap where a race test needs them to."""

from __future__ import annotations

import asyncio

from server.services import content


def meet_at_the_content_check(monkeypatch, creates: int) -> None:
    """Every create waits at WeChat's content check until `creates` are there: each has passed the first
    look at its rule (one open card, a posting cap) before any inserts, so only the look under the owner's
    row lock can refuse the extra ones."""
    barrier = asyncio.Barrier(creates)
    checked = content.check_posting

    async def all_at_once(*args, **kwargs):
        await asyncio.wait_for(barrier.wait(), 10)
        return await checked(*args, **kwargs)

    monkeypatch.setattr(content, "check_posting", all_at_once)
