"""Lists and searches have a budget a minute: per client address for anonymous callers, per account for
logged-in ones; a page the engine answered a moment ago is free. Off behind a declared proxy (anonymous),
and Redis dying never stops the lists: the budget is kept again once it is back. Real Redis throughout."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from runtime.cache import connect_cache
from search import recent_pages
from server.services import rate_limits
from tests.helpers.api import login_as
from tests.helpers.faults import RedisDoor
from tests.helpers.services import REDIS_URL, free_port

MINUTE = datetime(2026, 3, 2, 10, 0, 0)


async def search(client, keyword: str, headers: dict | None = None, section: str = "jobs"):
    return await client.post(f"/{section}/list", json={"query_type": 3, "filter": {"keyword": keyword}},
                             headers=headers or {})


@pytest.fixture(autouse=True)
def metered(monkeypatch):
    monkeypatch.setattr(rate_limits, "_reads_unmetered_until", None)  # no outage left over by another test


async def test_an_address_has_a_budget_a_minute_and_a_kept_page_is_free(client, tune, travel, monkeypatch):
    tune(rate_limit_reads_per_ip=3)
    # Pages kept a minute (LISTING_CACHE_SECONDS), so a slow run cannot see the kept one expire.
    monkeypatch.setattr(recent_pages, "_seconds", 60)
    monkeypatch.setattr(recent_pages, "_pages", {})
    travel(MINUTE)
    for section, keyword in (("jobs", "厨师"), ("shops", "火锅"), ("seekers", "服务员")):
        assert (await search(client, keyword, section=section)).status_code == 200
    refused = await search(client, "面点")  # a new keyword each time: no kept page to fall back on
    assert refused.status_code == 429
    retry_after = refused.headers["retry-after"]
    assert 50 <= int(retry_after) <= 60  # the rest of the minute
    assert refused.json() == {"code": 429, "message": "Too Many Requests",
                              "data": f"too many requests, try again in {retry_after} s"}
    # The page the engine answered a moment ago costs nothing: whoever asks gets it.
    assert (await search(client, "厨师")).status_code == 200
    travel(MINUTE + timedelta(seconds=60))  # the next minute: a new budget
    assert (await search(client, "面点")).status_code == 200


async def test_a_logged_in_user_has_a_budget_of_their_own(client, tune, travel):
    tune(rate_limit_reads_per_ip=1, rate_limit_reads_per_user=2)
    travel(MINUTE)
    assert (await search(client, "a1")).status_code == 200
    assert (await search(client, "a2")).status_code == 429  # the address's budget is spent...
    user = await login_as(client, "reader")
    assert [(await search(client, f"u{n}", user)).status_code for n in range(3)] == [200, 200, 429]  # ...not theirs
    other = await login_as(client, "other reader")
    assert (await search(client, "o1", other)).status_code == 200


async def test_behind_a_declared_proxy_addresses_are_not_metered(client, app, tune, travel, monkeypatch):
    # Every connection comes from the proxy's address then (SANIC_PROXIES_COUNT...), whose own limit does this.
    tune(rate_limit_reads_per_ip=1, rate_limit_reads_per_user=1)
    travel(MINUTE)
    monkeypatch.setattr(app.ctx, "connections_via_proxy", True)
    assert [(await search(client, f"k{n}")).status_code for n in range(3)] == [200, 200, 200]
    user = await login_as(client, "reader")
    assert [(await search(client, f"u{n}", user)).status_code for n in range(2)] == [200, 429]


async def test_lists_outlive_redis_and_the_budget_comes_back_with_it(client, app, tune, travel, monkeypatch,
                                                                     caplog):
    tune(rate_limit_reads_per_ip=2)
    travel(MINUTE)
    door = RedisDoor(free_port(), REDIS_URL)
    monkeypatch.setattr(app.ctx, "cache", connect_cache(
        f"redis://127.0.0.1:{door.port}{urlsplit(REDIS_URL).path or '/0'}", connect_timeout=1, socket_timeout=1))
    try:
        await door.close()  # Redis died
        with caplog.at_level(logging.WARNING, logger="server.rate_limits"):
            assert [(await search(client, f"d{n}")).status_code for n in range(5)] == [200] * 5
        assert len([r for r in caplog.records if "cache unavailable" in r.getMessage()]) == 1
        await door.open()  # back: metered again once the unmetered stretch is over
        travel(MINUTE + timedelta(seconds=rate_limits.READS_UNMETERED_SECONDS + 1))
        assert [(await search(client, f"b{n}")).status_code for n in range(3)] == [200, 200, 429]
    finally:
        await door.close()
