"""The search box (`filter.keyword`) against a brute-force reference: postings with known texts, keywords of
every kind, each list type's order (tests/helpers/reference.py decides)."""

from __future__ import annotations

import random
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio

from indexer.reindex import reindex
from models.job import Job
from models.user import User
from runtime import clock
from sections.jobs import JOBS
from search.recent_pages import forget_pages
from tests.helpers.api import reset_state
from tests.helpers.reference import brute_force, listing_agrees

# (positions, description, address, four_area_des, welfare tags, contact person): each word of KEYWORDS is
# in some of these and not in others; the contact person's name is never searched.
TEXTS = [
    ("厨师", "川菜热菜，包吃住", "上海市南京东路100号", "外滩", ["社保"], "段先生"),
    ("厨师长", "粤菜厨房管理", "北京市朝阳区建国路88号", "国贸", ["公积金"], "王老板"),
    ("面点师", "早点面点，粥铺早班，近延安东路", "上海市南京西路5000弄", "静安寺", [], "李阿姨"),
    ("服务员", "KFC 南京东路店 晚班", "上海市黄浦区", "南京东路", ["节日福利"], "张经理"),
    ("洗碗工", "后厨帮工，月休4天", "杭州市西湖区", "西湖", ["月休4天"], "赵师傅"),
    ("收银员", "超市收银", "北京市海淀区中关村大街1号", "中关村", ["双休"], "钱女士"),
    ("传菜员", "火锅店传菜，有经验优先", "成都市锦江区春熙路", "春熙路", ["餐补"], "孙先生"),
    ("切配", "Ｂ１层美食广场 切配", "广州市天河区", "天河", ["商业保险"], "周先生"),
]
KEYWORDS = [
    None, "", "厨", "粥", "厨师", "面点", "南京东路", "南京 东路", "东路100", "5000", "500", "kfc", "ＫＦＣ",
    "Kfc 晚班", "社保", "月休4天", "段先生", "王老板", "b1", "  厨   上海  ", "火锅 春熙路", "不存在的词",
    "厨 北京", "!!! 厨",
    # Query syntax is text here: nothing reaches the engine as an operator or a wildcard.
    "厨*", '"厨师"', "厨 OR 服务员", "name:厨", "\\厨", "(厨)",
]
HERE = {"longitude": 121.47, "latitude": 31.23}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def seeded(server):
    app, base_url = server
    await reset_state(app)
    now = clock.now()
    rng = random.Random(3)
    owner = await User.create(openid="kw-owner", create_at=now, update_at=now)
    jobs = []
    for copy in range(3):  # three of each text, at different times and places: the orders decide
        for positions, description, address, area, tags, person in TEXTS:
            created = now - timedelta(hours=rng.uniform(1, 500))
            created = created.replace(microsecond=created.microsecond // 1000 * 1000)
            top_end = now + timedelta(hours=5) if rng.random() < 0.2 else None
            jobs.append(Job(
                user_id=owner.id, biz_type=1, positions=positions, description=description, address=address,
                four_area_des=area, third_area_des="某区", contact="13800138000", contact_person_name=person,
                longitude=121.3 + rng.random() * 0.4, latitude=31.1 + rng.random() * 0.3, photo_urls=[],
                salary_min=3000 + 1000 * copy, salary_max=9000, basic_protection=tags if copy != 2 else [],
                salary_benefits=[], attendance_leave=[], status=1, create_at=created, update_at=created,
                top_end_time=top_end, top_start_time=top_end and now))
    await Job.bulk_create(jobs)
    await reindex(app.ctx.search.client, JOBS)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield http, await Job.all()


async def listed(http, query_type: int, filt: dict) -> tuple[list[int], int]:
    forget_pages()
    response = await http.post("/jobs/list", json={"query_type": query_type, "filter": filt, "page_size": 50})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return [job["id"] for job in data["jobs"]], data["total"]


@pytest.mark.parametrize("keyword", KEYWORDS)
@pytest.mark.parametrize("query_type", [1, 2, 3])
async def test_the_keyword_finds_exactly_the_postings_with_every_word_in_the_lists_order(seeded, query_type,
                                                                                         keyword):
    http, jobs = seeded
    filt = {"keyword": keyword, **(HERE if query_type == 2 else {})}
    expected = brute_force(jobs, query_type, {**filt, "keyword": keyword or ""}, clock.now())
    ids, total = await listed(http, query_type, filt)
    assert listing_agrees(ids, expected, query_type, keyword, jobs, clock.now()) and total == len(expected), ids


def test_the_keywords_exercise_the_rules(seeded):
    """The reference is not trivially satisfied: single characters find longer words, whole-word rules for
    digits hold (a bare salary-like number also means the salary), a welfare-only word, the contact person
    and nonsense words are each what they should be."""
    _, jobs = seeded

    def found(keyword):
        return len(brute_force(jobs, 3, {"keyword": keyword}, clock.now()))

    assert found("厨") > found("厨师") > found("厨师长") > 0
    assert found("粥") == 3 and found("500") == 0
    assert found("5000") == len(jobs) and found("9500") == 0 and found("南京西路 5000") == 3
    assert found("社保") == 2 and found("段先生") == found("不存在的词") == 0
    assert found("ＫＦＣ") == found("kfc") == 3 and found("南京 东路") == found("南京东路") > 0 and found("南京") == 0  # a street, not the city
    assert found("日结") == 0 and found("早班") == 3


async def test_a_keyword_combines_with_the_sections_filters(seeded):
    http, jobs = seeded
    filt = {"keyword": "上海", "positions": "厨师", "salary_min": 4500}
    ids, _ = await listed(http, 3, filt)
    assert ids == brute_force(jobs, 3, filt, clock.now()) and ids


@pytest.mark.parametrize("keyword, status", [("厨" * 31, 400), ("!!!", 400), (12, 400), ("   ", 200)])
async def test_bad_keywords_are_400(seeded, keyword, status):
    http, _ = seeded
    response = await http.post("/jobs/list", json={"filter": {"keyword": keyword}})
    assert response.status_code == status, response.text
    if status == 400:
        assert "keyword" in response.json()["message"]
