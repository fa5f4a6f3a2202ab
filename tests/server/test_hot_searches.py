"""热门搜索 (GET /search/hot): what logged-in users searched in each section over the last 7 days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from runtime import clock
from tests.helpers.api import login_as

NOW = datetime(2026, 3, 2, 10, 0)


@pytest.fixture
async def counted(app, tune):
    """`await counted()`: the app's counting round now (as the background does every few seconds), then
    GET /search/hot's lists as (keyword, count) pairs. Keywords show from one searcher on (the threshold's
    own test sets it)."""
    hot = app.ctx.hot_searches
    tune(hot_search_min_users=1)

    async def run(client) -> dict:
        await hot.round()
        hot.forget_shown()
        response = await client.get("/search/hot")
        assert response.status_code == 200, response.text
        return {name: [(item["keyword"], item["count"]) for item in items]
                for name, items in response.json()["data"].items()}

    return run


async def search(client, headers, keyword, path="/jobs/list", page_num=1) -> None:
    response = await client.post(path, json={"filter": {"keyword": keyword}, "page_num": page_num},
                                 headers=headers)
    assert response.status_code == 200, response.text


async def test_each_user_counts_once_a_day_and_anonymous_or_later_pages_not_at_all(client, counted, travel):
    travel(NOW)
    users = [await login_as(client, f"u{i}") for i in range(3)]
    for headers in users:
        await search(client, headers, "面点")
    for _ in range(5):
        await search(client, users[0], "厨师")  # one user, many times
    await search(client, users[1], "ＫＦＣ  晚班")  # counted as normalised
    await search(client, {}, "洗碗")  # anonymous
    await search(client, users[2], "保洁", page_num=2)  # paging on
    await search(client, users[2], "   ")  # blank
    await search(client, users[1], "面点", path="/seekers/list")
    assert await counted(client) == {"jobs": [("面点", 3), ("kfc 晚班", 1), ("厨师", 1)], "seekers": [("面点", 1)],
                                     "shops": []}
    travel(NOW + timedelta(days=1))
    await search(client, users[0], "厨师")  # the same person on a new day: still one person
    assert ("厨师", 1) in (await counted(client))["jobs"]
    await search(client, users[1], "厨师")
    assert (await counted(client))["jobs"][:2] == [("面点", 3), ("厨师", 2)]


async def test_only_the_last_seven_days_and_the_top_ten(client, counted, travel):
    user = await login_as(client, "u")
    for day in range(12):
        travel(NOW + timedelta(days=day))
        await search(client, user, f"词{day}")
        await counted(client)
    travel(NOW + timedelta(days=11, hours=1))
    shown = (await counted(client))["jobs"]
    assert [keyword for keyword, _ in shown] == sorted(f"词{day}" for day in range(5, 12))


async def test_ten_at_most_most_searched_first(client, counted):
    users = [await login_as(client, f"u{i}") for i in range(12)]
    for rank, headers in enumerate(users):
        for keyword in [f"k{n:02d}" for n in range(rank + 1)]:  # k00 by everyone, k11 by one
            await search(client, headers, keyword)
    assert (await counted(client))["jobs"] == [(f"k{n:02d}", 12 - n) for n in range(10)]


async def test_words_content_security_refuses_are_never_counted(client, counted, wechat_content):
    users = [await login_as(client, f"u{i}") for i in range(2)]
    for headers in users:
        await search(client, headers, "risky-word")
        await search(client, headers, "服务员")
    assert (await counted(client))["jobs"] == [("服务员", 2)]
    assert sum("risky-word" in check["content"] for check in wechat_content.text_checks) == 1  # asked once


async def test_one_account_cannot_show_a_name_or_a_number_to_everyone(client, counted, tune, travel):
    users = [await login_as(client, f"u{i}") for i in range(3)]
    for day in range(3):  # one person's search stays theirs, however many days they search it
        travel(NOW + timedelta(days=day))
        await search(client, users[0], "张三 离职")
        await counted(client)
    for headers in users:
        for number in ("13812341234", "138 1234 5678", "138-1234-5678"):  # never counted, however many search it
            await search(client, headers, number)
        await search(client, headers, "面点")
    await search(client, users[0], "厨师")
    await search(client, users[1], "厨师")
    tune(hot_search_min_users=3)
    assert (await counted(client))["jobs"] == [("面点", 3)]


async def test_a_flood_of_made_up_keywords_never_reaches_wechat(client, app, counted, tune, wechat_content):
    user = await login_as(client, "flooder")
    for n in range(60):  # one account, many keywords: 50 a day counted, none judged below the threshold
        await search(client, user, f"词{n}")
    tune(hot_search_min_users=2)
    assert (await counted(client))["jobs"] == [] and wechat_content.text_checks == []
    assert await app.ctx.cache.zcard(f"search:hot:jobs:{clock.now():%Y%m%d}") == 50


async def test_searches_wait_while_wechat_cannot_judge_them(client, counted, wechat_content):
    user = await login_as(client, "u")
    await search(client, user, "面点")
    wechat_content.text_checks_busy = True  # rate limited
    assert (await counted(client))["jobs"] == []
    wechat_content.text_checks_busy = False
    assert (await counted(client))["jobs"] == [("面点", 1)]
