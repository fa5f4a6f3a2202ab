"""The search box as people type into it (issue 32): words without spaces, the trade's synonyms, pinyin, typos,
numbers that mean fields, places, relevance after tops, highlights, suggestions, and bad input."""

from __future__ import annotations

import os
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio

from indexer.reindex import reindex
from models.job import Job
from sections.seekers.samples import random_seekers
from sections.shops.samples import random_shops
from models.seeker import Seeker
from models.shop import Shop
from models.user import User
from runtime import clock
from sections.jobs import JOBS
from sections.seekers import SEEKERS
from sections.shops import SHOPS
from search import vocabulary
from search.recent_pages import forget_pages
from tests.helpers.api import reset_state

CHANGSHA = ("长沙市", "长沙市", "岳麓区", "")
ZHUZHOU = ("株洲市", "株洲市", "天元区", "")
XIANGTAN = ("湘潭市", "湘潭市", "雨湖区", "")
AREA_IDS = {CHANGSHA: (43, 430104), ZHUZHOU: (44, 430211), XIANGTAN: (45, 430302)}

# (name, positions, description, (areas), salary range, welfare tags, hours old, on top)
JOBS_TEXTS = [
    ("cook_cs", "厨师", "湘菜馆招厨师，包吃住", CHANGSHA, (6000, 9000), ["社保"], 50, False),
    ("cook_zz", "厨师", "湘菜热菜", ZHUZHOU, (5000, 7000), [], 40, False),
    ("wok", "炒锅", "负责炒锅出菜", CHANGSHA, (7000, 10000), [], 30, False),
    ("ladle", "掌勺师傅", "掌勺，川菜", CHANGSHA, (8000, 12000), [], 20, False),
    ("pastry", "白案", "面点 包子 馒头", CHANGSHA, (4000, 6000), [], 35, False),
    ("cashier", "收银员", "超市收银", CHANGSHA, (3500, 4500), [], 25, False),
    ("daily_real", "小时工", "日结工资，当天结算", CHANGSHA, (3000, 4000), ["日结"], 60, False),
    ("daily_fake", "服务员", "每日结束营业后打扫卫生", CHANGSHA, (3000, 4000), [], 1, False),
    ("waiter_top", "服务员兼传菜迎宾", "火锅店招人", ZHUZHOU, (3000, 4000), [], 70, True),
    ("head_chef", "厨师长", "管理后厨", ZHUZHOU, (12000, 18000), [], 10, False),
    ("cook_in_text", "传菜员", "协助厨师传菜", CHANGSHA, (3000, 4000), [], 5, False),
    ("typed_as_is", "杂工", "厨师场地打扫", XIANGTAN, (3000, 3500), [], 80, False),
]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def board(server):
    app, base_url = server
    await reset_state(app)
    now = clock.now()
    owner = await User.create(openid="box-owner", create_at=now, update_at=now)
    ids: dict[str, int] = {}
    for name, positions, description, areas, (low, high), tags, hours, top in JOBS_TEXTS:
        created = (now - timedelta(hours=hours)).replace(microsecond=0)
        job = await Job.create(
            user_id=owner.id, biz_type=1, positions=positions, description=description, address=f"{areas[0]}{areas[2]}某路1号",
            first_area_id=AREA_IDS[areas][0], first_area_des=areas[0], second_area_des=areas[1],
            third_area_id=AREA_IDS[areas][1], third_area_des=areas[2], four_area_des=areas[3],
            contact="13800138000", contact_person_name="厨师王", longitude=112.9, latitude=28.2, photo_urls=[],
            salary_min=low, salary_max=high, basic_protection=tags if tags != ["日结"] else [],
            salary_benefits=tags if tags == ["日结"] else [], attendance_leave=[], status=1, create_at=created,
            update_at=created, top_end_time=now + timedelta(hours=3) if top else None, top_start_time=now if top else None)
        ids[name] = job.id
    shops = random_shops(6, owner.id, now=now)
    for shop, (title, industry, facilities, tenths) in zip(shops, [
            ("小吃店转让", ["小吃"], ["明火"], 500), ("小吃店转让 大店", ["小吃"], [], 1500),
            ("饮品店转让", ["奶茶"], [], 300), ("奶茶店出兑", ["奶茶"], ["上下水"], 400),
            ("临街旺铺出租", ["中餐"], ["明火", "排烟"], 900), ("写字楼底商", ["咖啡"], [], 800)]):
        shop.title, shop.industry, shop.facilities, shop.area_tenths = title, industry, facilities, tenths
        shop.description, shop.status, shop.top_end_time = "位置好，客流大", 1, None
    await Shop.bulk_create(shops)
    owners = [await User.create(openid=f"card-{n}", create_at=now, update_at=now) for n in range(4)]
    cards = random_seekers(4, [u.id for u in owners], now=now)
    for card, (positions, years) in zip(cards, [(["厨师"], 12), (["厨师"], 3), (["服务员"], 15), (["大厨"], 10)]):
        card.positions, card.experience_years, card.description, card.status = positions, years, "踏实肯干", 1
        card.photo_held = False
    await Seeker.bulk_create(cards)
    for section in (JOBS, SHOPS, SEEKERS):
        await reindex(app.ctx.search.client, section)
    by_name = {v: k for k, v in ids.items()}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield http, by_name, app


async def search(http, keyword: str, path: str = "/jobs/list", query_type: int = 1, **filt) -> dict:
    forget_pages()
    response = await http.post(path, json={"query_type": query_type, "filter": {"keyword": keyword, **filt},
                                           "page_size": 50})
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def names(board, keyword: str, **filt) -> list[str]:
    http, by_name, _ = board
    return [by_name[job["id"]] for job in (await search(http, keyword, **filt))["jobs"]]


async def test_unspaced_words_and_places(board):
    found = await names(board, "长沙厨师")
    assert set(found) == {"cook_cs", "wok", "ladle", "cook_in_text"}
    assert found[-1] == "cook_in_text"  # 厨师 in its description only: the least relevant
    assert set(await names(board, "厨师 长沙")) == set(found)
    http, _, _ = board
    titles = {shop["title"] for shop in (await search(http, "饮品店转让", "/shops/list"))["shops"]}
    assert titles == {"饮品店转让", "奶茶店出兑"}


async def test_a_single_character_still_finds_longer_words(board):
    assert {"cook_cs", "cook_zz", "head_chef", "cook_in_text"} <= set(await names(board, "厨"))


async def test_synonyms(board):
    assert {"cook_cs", "cook_zz", "wok", "ladle"} <= set(await names(board, "大厨"))
    assert "pastry" in await names(board, "面点师")
    assert await names(board, "收营员") == ["cashier"]


async def test_pinyin_full_and_initials(board):
    assert {"cook_cs", "cook_zz", "wok"} <= set(await names(board, "chushi"))
    assert {"cook_cs", "cook_zz"} <= set(await names(board, "cs"))


async def test_a_typo_ranks_below_the_exact_word(board):
    http, by_name, app = board
    # 厨师场 is one character away from 厨师长: the head chef is found, below the job where it was typed as is
    # (older and a mere description as that one is).
    assert await names(board, "厨师场") == ["typed_as_is", "head_chef"]
    assert (await names(board, "厨师场", query_type=3)) == ["head_chef", "typed_as_is"]  # the latest: by time


async def test_daily_pay_is_a_word_not_characters_in_a_row(board):
    found = await names(board, "日结")
    assert found == ["daily_real"]  # 每日结束营业 is not 日结


async def test_numbers_mean_salary_experience_and_area(board):
    found = set(await names(board, "月薪8000"))
    assert found == {"cook_cs", "wok", "ladle"}
    assert set(await names(board, "8k 厨师")) == {"cook_cs", "wok", "ladle"}
    assert set(await names(board, "8千")) == set(await names(board, "月薪8000"))
    assert set(await names(board, "月薪1万以上")) == {"ladle", "head_chef", "wok"}
    assert set(await names(board, "4000-5000")) == {"cook_zz", "pastry", "cashier", "daily_real", "daily_fake",
                                                    "waiter_top", "cook_in_text"}
    http, _, _ = board
    cards = (await search(http, "10年经验 厨师", "/seekers/list"))["seekers"]
    assert {(tuple(c["positions"]), c["experience_years"]) for c in cards} == {(("厨师",), 12), (("大厨",), 10)}
    shops = (await search(http, "小吃店转让 50平", "/shops/list"))["shops"]
    assert [shop["title"] for shop in shops] == ["小吃店转让"]


def test_highlights_escape_the_text_around_the_marks():
    from search.keywords import marked, parse

    assert marked("<b>诚聘</b>大厨&", parse("厨师")) == "&lt;b&gt;诚聘&lt;/b&gt;<em>大厨</em>&amp;"
    assert marked("每日结束营业", parse("日结")) is None
    long = "店" * 100 + "招厨师" + "店" * 100
    assert marked(long, parse("厨师"), snippet=True) == "…" + "店" * 23 + "招<em>厨师</em>" + "店" * 24 + "…"


async def test_facilities_are_searchable(board):
    http, _, _ = board
    shops = (await search(http, "明火", "/shops/list"))["shops"]
    assert {shop["title"] for shop in shops} == {"小吃店转让", "临街旺铺出租"}
    assert all(shop["highlight"]["facilities"] == ["<em>明火</em>"] for shop in shops)


async def test_relevance_orders_the_recommended_list_after_tops(board):
    # A cook's job (厨师 in the positions) outranks a job that mentions 厨师 in its description only, newer
    # as that one is; the job on top stays first whatever its relevance.
    found = await names(board, "厨师")
    assert found.index("cook_cs") < found.index("cook_in_text") and found.index("cook_zz") < found.index("cook_in_text")
    assert (await names(board, "服务员"))[0] == "waiter_top"
    latest = await names(board, "厨师", query_type=3)
    assert latest[0] == "cook_in_text"  # the latest list keeps its time order


async def test_highlights_mark_published_text_only(board):
    http, by_name, _ = board
    data = await search(http, "厨师 长沙")
    item = next(job for job in data["jobs"] if by_name[job["id"]] == "cook_cs")
    assert item["highlight"]["positions"] == ["<em>厨师</em>"]
    assert "<em>长沙市</em>" in item["highlight"]["first_area_des"][0]
    assert "contact_person_name" not in item["highlight"]  # 厨师王 is the contact's name: never searched
    assert all(field in JOBS.highlighted for field in item["highlight"])
    plain = await http.post("/jobs/list", json={"query_type": 1, "filter": {}})
    assert all("highlight" not in job for job in plain.json()["data"]["jobs"])


async def test_jobs_filter_on_areas(board):
    assert set(await names(board, "厨师", first_area_id=44)) == {"cook_zz", "head_chef"}
    http, _, _ = board
    forget_pages()
    response = await http.post("/jobs/list", json={"filter": {"third_area_id": 430104}, "page_size": 50})
    assert len(response.json()["data"]["jobs"]) == 8


async def test_suggestions_complete_from_vocabulary_published_and_pinyin(board):
    http, _, app = board
    app.ctx.suggestions.forget()
    response = await http.get("/search/suggest", params={"biz_type": 1, "prefix": "厨"})
    assert response.status_code == 200, response.text
    suggestions = response.json()["data"]["suggestions"]
    assert "厨师长" in suggestions and len(suggestions) <= 10 and all(s.startswith("厨") for s in suggestions)
    pinyin = (await http.get("/search/suggest", params={"biz_type": 1, "prefix": "chu"})).json()["data"]
    assert "厨师" in pinyin["suggestions"]
    shops = (await http.get("/search/suggest", params={"biz_type": 3, "prefix": "奶"})).json()["data"]
    assert "奶茶" in shops["suggestions"]


@pytest.mark.parametrize("params", [{"biz_type": 9, "prefix": "厨"}, {"biz_type": 1}, {"biz_type": 1, "prefix": "!!"},
                                    {"biz_type": 1, "prefix": "厨" * 31}, {"prefix": "厨"}])
async def test_bad_suggestion_requests_are_400(board, params):
    http, _, _ = board
    response = await http.get("/search/suggest", params=params)
    assert response.status_code == 400 and response.json()["code"] == 400, response.text


async def test_a_synonym_change_needs_no_reindex(board, tmp_path):
    table = tmp_path / "synonyms.txt"
    table.write_text("收银员,收款员\n", encoding="utf-8")
    vocabulary.use_synonyms(table)
    try:
        assert await names(board, "收款员") == ["cashier"]
        assert "wok" not in await names(board, "大厨")
        table.write_text("收银员,收款员\n厨师,大厨,炒锅\n", encoding="utf-8")
        os.utime(table, ns=(1, 3_000_000_000_000_000_000))
        assert "wok" in await names(board, "大厨")
    finally:
        vocabulary.use_synonyms(None)


@pytest.mark.parametrize("keyword", [
    "厨" * 29 + "师", "厨师" * 10 + "长沙服务员收银员", "!!! ...", "的", "😀厨师", "厨师 OR 1=1", '{"match_all":{}}',
    "title:厨师^100", "厨师 chef 厨師", "\u202e厨师\u200b", "a" * 30, "8k8k8k8k 10年10年 50平",
    "月薪3000000000", "8000000k", "月薪99999999999999999999", "9" * 29 + "k", "1" * 30 + "平", "0平", "-5平"])
async def test_odd_keywords_answer_normally_or_400_never_500(board, keyword):
    http, _, _ = board
    for path in ("/jobs/list", "/seekers/list", "/shops/list"):
        forget_pages()
        response = await http.post(path, json={"query_type": 1, "filter": {"keyword": keyword}})
        assert response.status_code in (200, 400), response.text
        assert response.json()["code"] in (0, 400)


async def test_the_length_limit_counts_the_normalised_keyword(board):
    http, _, _ = board
    invisible = "厨师" + "\u200b" * 40  # 42 characters typed, 2 after normalising
    response = await http.post("/jobs/list", json={"filter": {"keyword": invisible}})
    assert response.status_code == 200, response.text
    response = await http.post("/jobs/list", json={"filter": {"keyword": "厨" * 31}})
    assert response.status_code == 400


@pytest.mark.parametrize("keyword", ["カレー", "한식", "月薪3000000000"])
async def test_a_keyword_the_box_cannot_read_narrows_the_list_rather_than_being_ignored(board, keyword):
    http, _, _ = board
    for path, name in (("/jobs/list", "jobs"), ("/seekers/list", "seekers"), ("/shops/list", "shops")):
        assert (await search(http, keyword, path))[name] == []
    assert (await search(http, "月薪8000", "/shops/list"))["shops"] == []  # shops have no salary to read


def test_a_card_indexed_with_its_typed_address_still_shows_only_its_area():
    """A card written to the index before cards stopped publishing their typed address (until reindexed)."""
    from search.listing import hit_to_item

    [card] = random_seekers(1, [1], now=clock.now())
    card.id, card.birth_year = 1, 1990
    card.first_area_des, card.second_area_des, card.third_area_des = "上海市", "上海市", "静安区"
    source = {**SEEKERS.document(card), "address": "静安区南京西路1000弄5号302"}  # as an older release indexed it
    item = hit_to_item(SEEKERS, {"_source": source}, "2026-03-02T10:00:00.000+08:00")
    assert item["address"] == "上海市静安区" and item["age"] == 36


def test_published_values_suggested_to_everyone_are_made_of_the_trades_words():
    from search.suggest import _known_words

    assert [_known_words(v) for v in ("厨师", "川菜厨师", "13800138000", "wx12345", "加我微信", "王小明")] == \
        [True, True, False, False, False, False]


async def test_a_sex_before_a_word_picks_whose_card_and_is_only_a_wish_for_jobs(board):
    http, _, _ = board
    waiters = (await search(http, "服务员", "/seekers/list"))["seekers"]
    assert waiters
    for word, sex in (("女", 2), ("男", 1)):
        found = (await search(http, f"{word}服务员", "/seekers/list"))["seekers"]
        assert [card["id"] for card in found] == [card["id"] for card in waiters if card["sex"] == sex]
    assert (await search(http, "女服务员"))["jobs"] == (await search(http, "服务员"))["jobs"]
