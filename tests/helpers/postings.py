"""The test postings, in one place. Posting as the mini-program does, for any section: each section's example
body, and one `post` that sends it (with changes) to the section's create route, `POST /<target>/create`, the
path read from the registry. And a posting built in memory (never saved), every field set: for the tests that
compare a section's document, mapping and item shapes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import httpx

from models.job import Job
from sections import by_name

# The seed's example body of POST /job/create.
SEED_JOB = {
    "positions": "服务员",
    "longitude": 116.397128,
    "latitude": 39.916527,
    "address": "北京市朝阳区三里屯太古里北区B1层XX餐厅",
    "contact": "13812341234",
    "description": "【工作内容】点单、上菜、收银协助；\n【要求】18-35岁，能适应晚班；\n【待遇】5000-6500元/月，包吃住，月休4天。",
    "photo_urls": ["https://cdn.xxx.com/job/1173/1.jpg,https://cdn.xxx.com/job/1173/2.jpg"],
    "first_area_id": 11,
    "first_area_des": "北京市",
    "second_area_id": 1101,
    "second_area_des": "北京市",
    "third_area_id": 110105,
    "third_area_des": "朝阳区",
    "four_area_id": 110105001,
    "four_area_des": "三里屯",
    "salary_min": 8000,
    "salary_max": 20000,
}

# A 求职 card as the mini-program would post it (POST /seeker/create).
SEED_CARD = {
    "name": "王师傅", "sex": 1, "birth_year": 1988, "positions": ["厨师", "面点师"],
    "salary_min": 7000, "salary_max": 9000, "experience_years": 8,
    "description": "川菜热菜八年，会面点。", "contact": "13812341234", "photo_urls": [],
    "longitude": 121.473712, "latitude": 31.230416, "address": "上海市静安区",
    "first_area_id": 31, "first_area_des": "上海市", "second_area_id": 3101, "second_area_des": "上海市",
    "third_area_id": 310106, "third_area_des": "静安区", "available": "一周内",
}

# A 招租 shop as the mini-program would post it (POST /shop/create).
SEED_SHOP = {
    "title": "静安寺旁临街餐饮旺铺转让，可明火", "deal_type": 2, "area_m2": 85.5, "rent_month": 18000,
    "transfer_fee": 150000, "industry": ["中餐", "火锅"], "floor": "1层", "frontage_m": 6.5,
    "facilities": ["明火", "排烟", "上下水"], "description": "原川菜馆，厨房设备齐全，接手即可营业。",
    "contact": "13812341234", "contact_name": "张先生", "photo_urls": [],
    "longitude": 121.445412, "latitude": 31.223518, "address": "上海市静安区南京西路1000号",
    "first_area_id": 31, "first_area_des": "上海市", "second_area_id": 3101, "second_area_des": "上海市",
    "third_area_id": 310106, "third_area_des": "静安区",
}

# Each section's example body, by section name. A section without one here passes its own `body`.
EXAMPLES: dict[str, dict] = {"jobs": SEED_JOB, "seekers": SEED_CARD, "shops": SEED_SHOP}


def creation(section: str, body: dict | None = None, **changes) -> tuple[str, dict]:
    """The create route of `section` and what to send it: `body` (the section's example unless given) with
    `changes` over it."""
    return f"/{by_name(section).target}/create", {**(EXAMPLES[section] if body is None else body), **changes}


async def try_post(client: httpx.AsyncClient, headers: dict, section: str, body: dict | None = None,
                   **changes) -> httpx.Response:
    """Post to `section` as `post` does; the answer whatever it is (for the tests of a refusal)."""
    path, json = creation(section, body, **changes)
    return await client.post(path, json=json, headers=headers)


async def post(client: httpx.AsyncClient, headers: dict, section: str, body: dict | None = None, **changes) -> int:
    """Create a posting in `section` (e.g. "shops") from its example body, `changes` overriding fields; its id."""
    response = await try_post(client, headers, section, body, **changes)
    assert response.status_code == 200, response.text
    return response.json()["data"]["id"]


def post_to(base: str, headers: dict, section: str, body: dict | None = None, **changes) -> int:
    """`post` to a server running in another process (`base` its URL), blocking: for the process tests."""
    path, json = creation(section, body, **changes)
    response = httpx.post(f"{base}{path}", json=json, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["data"]["id"]


async def post_job(client: httpx.AsyncClient, headers: dict, body: dict | None = None, **changes) -> int:
    """`post(client, headers, "jobs", ...)`, under the name a hundred and fifty calls of the suite use."""
    return await post(client, headers, "jobs", body, **changes)


def sample_job() -> Job:
    now = datetime(2026, 1, 15, 23, 21, 9, 641000)
    return Job(id=5, user_id=298, biz_type=1, positions="保洁", longitude=Decimal("121.473701"),
               latitude=Decimal("31.230416"), address="上海市", contact="13800138000", contact_person_name="段先生",
               description="d", photo_urls=["https://a.cn/1.jpg"], first_area_id=31, first_area_des="上海市",
               second_area_id=3101, second_area_des="上海市辖区", third_area_id=310101, third_area_des="黄浦区",
               four_area_id=310101001, four_area_des="南京东路街道", salary_min=6000, salary_max=8000,
               basic_protection=["社保"], salary_benefits=[], attendance_leave=["双休"], status=1,
               create_at=now, update_at=now, last_refresh_time=None, top_start_time=now, top_end_time=now)
