"""The app's background sweeper: unpaid orders past their expiry are closed at WeChat and here (or
settled, when WeChat says they were paid after all); refunds still pending are submitted, and those
processing for a while asked about."""

from __future__ import annotations

import logging

import redis.asyncio as redis

from runtime.periodic import PeriodicTask
from server.providers.wechat_pay import PayProvider
from server.services import order_sync, refunds


class OrderSweeper(PeriodicTask):
    log = logging.getLogger("server.payments")
    what = "order sweep"

    def __init__(self, pay: PayProvider, cache: redis.Redis, interval: float):
        super().__init__(interval)
        self._pay, self._cache = pay, cache

    async def _my_turn(self) -> bool:
        """One worker process sweeps per interval. The key expires by itself, so a worker that dies
        holds nothing; without Redis every worker sweeps, which is safe (closing and settling are
        conditional on the order's state), only redundant."""
        try:
            return bool(await self._cache.set("orders:sweep", "1", nx=True, ex=max(int(self._interval), 1)))
        except redis.RedisError:
            return True

    async def round(self) -> None:
        if await self._my_turn():
            outcomes = await order_sync.close_expired(self._pay)  # WeChat away: the next round retries
            if outcomes:  # a top or refresh paid late shows in the listing by its write's commit (posting_writes)
                self.log.info("expired orders swept: %s", outcomes)
            followed = await refunds.sweep(self._pay)
            if followed:
                self.log.info("open refunds followed up: %s", followed)
