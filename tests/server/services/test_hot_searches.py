"""热门搜索 (GET /search/hot): what trusted users searched in each section over the last 7 days, made only of the
trade's words, and only where the search found something."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from models.user import User
from runtime import clock
from search.listing import ListingRequest
from search.vocabulary import is_known
from server.services import hot_searches
from server.services.hot_searches import countable, keyword_set
from tests.helpers.commands import moderation_command
from tests.helpers.api import listed_now, login_as
from tests.helpers.postings import post, post_job

NOW = datetime(2026, 3, 2, 10, 0)
# Words of the trade's vocabulary that the tests' postings hold.
WORDS = ["面点", "厨师", "服务员", "保洁", "洗碗工", "收银员", "传菜员", "切配", "厨师长", "面点师", "社保", "包吃"]
BOARD_TEXT = "招" + "、".join(WORDS) + "，长沙、北京、上海均有门店，晚班，可明火，海底捞旁。联系王小明，加v wx12345，138-0013-8000"


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


@pytest.fixture
async def board(client, app, travel):
    """A job, a card and a shop whose texts hold every word of WORDS (and a name, an id and a number), and
    `await board.people(n)`: n accounts two days old, with a phone (accounts that could report)."""
    travel(NOW - timedelta(days=2))
    owner = await login_as(client, "owner")
    await post_job(client, owner, description=BOARD_TEXT)
    worker = await login_as(client, "worker")
    await post(client, worker, "seekers", description=BOARD_TEXT[:200])
    await post(client, owner, "shops", description=BOARD_TEXT)
    await listed_now(client, app)  # drained into the index

    class Board:
        made = 0

        async def people(self, n: int) -> list[dict]:
            travel(NOW - timedelta(days=2))
            made = [await login_as(client, f"u{self.made + i}") for i in range(n)]
            self.made += n
            travel(NOW)
            return made

    travel(NOW)
    return Board()


async def search(client, headers, keyword, path="/jobs/list", page_num=1) -> int:
    response = await client.post(path, json={"filter": {"keyword": keyword}, "page_num": page_num},
                                 headers=headers)
    assert response.status_code in (200, 400), response.text
    return response.json()["data"]["total"] if response.status_code == 200 else 0


async def test_each_user_counts_once_a_day_and_anonymous_or_later_pages_not_at_all(client, counted, board, travel):
    users = await board.people(3)
    for headers in users:
        await search(client, headers, "面点")
    for _ in range(5):
        await search(client, users[0], "厨师")  # one user, many times
    await search(client, users[1], "社保  包吃")  # counted as normalised
    await search(client, users[2], "包吃 社保")  # the same set of words
    await search(client, {}, "洗碗工")  # anonymous
    await search(client, users[2], "保洁", page_num=2)  # paging on
    await search(client, users[2], "   ")  # blank
    await search(client, users[1], "面点", path="/seekers/list")
    assert await counted(client) == {"jobs": [("面点", 3), ("包吃 社保", 2), ("厨师", 1)], "seekers": [("面点", 1)],
                                     "shops": []}
    travel(NOW + timedelta(days=1))
    await search(client, users[0], "厨师")  # the same person on a new day: still one person
    assert ("厨师", 1) in (await counted(client))["jobs"]
    await search(client, users[1], "厨师")
    assert (await counted(client))["jobs"][:3] == [("面点", 3), ("包吃 社保", 2), ("厨师", 2)]


async def test_only_the_last_seven_days_and_the_top_ten(client, counted, board, travel):
    [user] = await board.people(1)
    for day in range(12):
        travel(NOW + timedelta(days=day))
        await search(client, user, WORDS[day])
        await counted(client)
    travel(NOW + timedelta(days=11, hours=1))
    shown = (await counted(client))["jobs"]
    assert sorted(keyword for keyword, _ in shown) == sorted(WORDS[5:12])


async def test_ten_at_most_most_searched_first(client, counted, board):
    users = await board.people(12)
    for rank, headers in enumerate(users):
        for word in WORDS[:rank + 1]:  # WORDS[0] by everyone, WORDS[11] by one
            await search(client, headers, word)
    assert (await counted(client))["jobs"] == [(WORDS[n], 12 - n) for n in range(10)]


async def test_only_searches_that_found_something_count(client, counted, board):
    users = await board.people(2)
    for headers in users:
        assert await search(client, headers, "广州") == 0  # a place of the vocabulary no posting names
        assert await search(client, headers, "服务员") > 0
    assert (await counted(client))["jobs"] == [("服务员", 2)]


async def test_only_accounts_that_could_report_count(client, app, counted, board, travel):
    aged = await board.people(3)
    newcomer = await login_as(client, "newcomer")  # made today: under a day old
    banned = aged[2]
    await User.filter(id=int(aged[1]["user_id"])).update(phone="")  # no phone
    for headers in [*aged, newcomer]:
        await search(client, headers, "切配")
    await User.filter(id=int(banned["user_id"])).update(banned_at=clock.now())  # banned before the round
    assert (await counted(client))["jobs"] == [("切配", 1)]  # aged[0] alone


async def test_words_content_security_refuses_are_never_counted(client, counted, board, wechat_content):
    wechat_content.risky_words = {"厨师长"}  # a word of the trade WeChat happens to refuse
    users = await board.people(2)
    for headers in users:
        await search(client, headers, "厨师长")
        await search(client, headers, "服务员")
    assert (await counted(client))["jobs"] == [("服务员", 2)]
    for _ in range(3):  # more rounds, and searches again: the verdicts are kept, WeChat is not asked again
        for headers in users:
            await search(client, headers, "服务员")
        assert (await counted(client))["jobs"] == [("服务员", 2)]
    assert sum("厨师长" in check["content"] for check in wechat_content.text_checks) == 1  # asked once
    assert sum("服务员" in check["content"] for check in wechat_content.text_checks) == 1


# Every way the probe put a phone number, a name or an id on the list (three accounts, one round), and more.
BYPASSES = [
    "13812341234", "138 1234 5678", "138-1234-5678", "138\u200b0013\u200b8000", "138/0013/8000",
    "138_0013_8000", "138,0013,8000", "一三八零零一三八零零零", "138oo138ooo", "王小明", "加v wx12345",
    "\u202e王小明", "\u202e厨师 王小明", "厨师 王小明", "wx12345", "\ufdfa" * 30, "厨师\u200b王小明",
    "张三 离职", "面点 厨师 保洁 洗碗工 服务员",  # five known words: a sentence, not a keyword
]


def as_listed(keyword: str) -> str:
    """The keyword as a list request passes it to the counting: normalised, as the listing keeps it."""
    return ListingRequest.from_body({"filter": {"keyword": keyword}}).keyword


@pytest.mark.parametrize("keyword", BYPASSES)
def test_a_keyword_that_is_not_a_set_of_known_words_never_counts(keyword):
    assert not countable(keyword_set(as_listed(keyword)), frozenset(), frozenset())


def test_seven_digits_never_count_even_allowed_six_do():
    allowed = frozenset({"123456", "1234567"})  # as if an operator had allowed both
    assert [countable(keyword_set(keyword), allowed, frozenset()) for keyword in ("123456", "1234567")] == \
        [True, False]


def test_known_word_sets_count_in_any_order():
    assert keyword_set("厨师 长沙") == keyword_set(as_listed("长沙  厨师")) == keyword_set(as_listed("厨师\u200b 长沙 厨师"))
    assert countable(keyword_set("长沙 厨师"), frozenset(), frozenset())


async def test_three_accounts_cannot_steer_the_list(client, counted, board, tune):
    """The probe's script: three accounts, every bypass, in two sections, in one counting round. Only the
    trade's words are ever shown."""
    tune(hot_search_min_users=3)
    attackers = await board.people(3)
    for headers in attackers:
        for path in ("/jobs/list", "/shops/list"):
            for keyword in BYPASSES:
                await search(client, headers, keyword, path=path)
            await search(client, headers, "面点 厨师", path=path)
            await search(client, headers, "厨师 面点", path=path)
    shown = await counted(client)
    assert shown["jobs"] == [("厨师 面点", 3)] and shown["shops"] == [("厨师 面点", 3)]
    for items in shown.values():
        for keyword, _ in items:
            assert all(is_known(word) for word in keyword.split(" "))


async def test_an_operator_blocks_a_keyword_or_allows_a_word(client, app, counted, board, settings):
    users = await board.people(2)
    for headers in users:
        for keyword in ("厨师", "面点 厨师", "服务员", "海底捞"):
            await search(client, headers, keyword)
    assert (await counted(client))["jobs"] == [("厨师", 2), ("厨师 面点", 2), ("服务员", 2)]
    run = moderation_command(settings)

    assert (await run("hot-block", "厨师", "--by", "ops-li", "--reason", "a test"))[0] == 0
    assert (await run("hot-allow", "海底捞", "--by", "ops-li", "--reason", "a chain's name"))[0] == 0
    code, out, _ = await run("hot-rules")
    assert code == 0 and "rule=allow\tkeyword=海底捞" in out and "rule=block\tkeyword=厨师" in out
    code, _, err = await run("hot-allow", "厨师 面点", "--by", "ops-li", "--reason", "two words")
    assert code == 1 and "one word" in err
    assert keyword_set("海底捞服务员", frozenset({"海底捞"})) == ("服务员", "海底捞")
    assert not countable(("服务员", "海底捞"), frozenset({"海底捞"}), (frozenset({"海底捞"}),))  # a blocked word
    code, _, err = await run("hot-unblock", "保洁", "--by", "ops-li", "--reason", "none")
    assert code == 1 and "no block rule" in err
    app.ctx.hot_searches.rules.forget()  # as the app's rules cache expires (within half a minute)
    for headers in users:
        assert await search(client, headers, "海底捞")  # searched before, never counted: counts from now on
    # A chain's name the segmenter would cut (海底 + 捞) counts whole once allowed; ties ordered by the keyword.
    assert (await counted(client))["jobs"] == [("服务员", 2), ("海底捞", 2)]
    assert (await run("hot-unblock", "厨师", "--by", "ops-li", "--reason", "lifted"))[0] == 0
    code, out, _ = await run("audit")
    assert "action=hot-block" in out and "action=hot-allow" in out and "action=hot-unblock" in out
    app.ctx.hot_searches.rules.forget()
    assert (await counted(client))["jobs"] == [("厨师", 2), ("厨师 面点", 2), ("服务员", 2), ("海底捞", 2)]


async def test_a_flood_of_keywords_never_reaches_wechat(client, app, counted, board, wechat_content):
    [user] = await board.people(1)
    for n in range(60):  # one account, many keywords: none a set of the trade's words
        await search(client, user, f"王小明{n}")
    for word in WORDS:  # and its own quota of real ones: counted, but one person is below the threshold
        await search(client, user, word)
    app.ctx.settings.hot_search_min_users = 2
    assert (await counted(client))["jobs"] == [] and wechat_content.text_checks == []
    assert await app.ctx.cache.zcard(f"search:hot:jobs:{clock.now():%Y%m%d}") == len(WORDS)


async def test_the_daily_keyword_quota_starts_afresh_the_next_day(client, counted, board, travel, monkeypatch):
    monkeypatch.setattr(hot_searches, "PER_USER_PER_DAY", 2)
    [user] = await board.people(1)
    for word in WORDS[:3]:
        await search(client, user, word)
    assert sorted((await counted(client))["jobs"]) == sorted((word, 1) for word in WORDS[:2])  # the third: over
    travel(NOW + timedelta(days=1))
    for word in WORDS[2:4]:
        await search(client, user, word)
    assert sorted((await counted(client))["jobs"]) == sorted((word, 1) for word in WORDS[:4])


async def test_searches_wait_while_wechat_cannot_judge_them(client, counted, board, wechat_content):
    [user] = await board.people(1)
    await search(client, user, "面点")
    wechat_content.text_checks_busy = True  # rate limited
    assert (await counted(client))["jobs"] == []
    wechat_content.text_checks_busy = False
    assert (await counted(client))["jobs"] == [("面点", 1)]
