"""Talking to the live test app as the mini-program does, and changing jobs as the app does."""

from __future__ import annotations

import httpx
from tortoise import Tortoise, connections

from indexer.sync import drain
from models.job import Job
from models.posting_reads import forget_recent
from models.posting_writes import save_posting
from models.outbox import IndexOutbox
from runtime import clock
from search.index import ensure_alias
from search.recent_pages import forget_pages
from sections import all_sections

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


async def reset_state(app) -> None:
    """Empty every table, the cache and the search index (a fresh `jobs_v1` behind the alias)."""
    conn = connections.get("default")
    for model in Tortoise.apps["models"].values():
        await conn.execute_script(f"DELETE FROM {model._meta.db_table}")
    forget_recent()  # ids may be used again (SQLite)
    await app.ctx.cache.flushdb()
    app.ctx.hot_searches.forget()
    engine = app.ctx.search.client
    for section in all_sections():
        for name in (await engine.indices.get(index=f"{section.name}_v*", allow_no_indices=True)).body:
            await engine.indices.delete(index=name)
        await ensure_alias(engine, section)
    forget_pages()


async def login_as(client: httpx.AsyncClient, name: str = "test") -> dict:
    """Register (or log in) the dev-provider user `name`; returns headers that authenticate as them."""
    response = await client.post("/wechat/user/register", json={"login_code": f"test:{name}",
                                                                 "phone_code": f"test:{name}"})
    assert response.status_code == 200, response.text
    user_id = response.json()["data"]["user_info"]["id"]
    return {"Authorization": response.headers["authorization"], "user_id": str(user_id)}


async def post_job(client: httpx.AsyncClient, headers: dict, body: dict = SEED_JOB, **changes) -> int:
    """Create a job from `body` (the seed's example unless given), `changes` overriding fields; its id."""
    response = await client.post("/job/create", json={**body, **changes}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]["id"]


async def outbox_reasons(job_id: int) -> list[str]:
    return [row.reason for row in await IndexOutbox.filter(biz_type=1, posting_id=job_id).order_by("id")]


async def change_job(job_id: int, reason: str = "update", **fields) -> None:
    """Change a job the way the app does (models.job_writes): version, update_at and outbox row included."""
    job = await Job.get(id=job_id)
    job.update_from_dict(fields)
    await save_posting(job, reason, clock.now(), list(fields))


async def listed_now(client: httpx.AsyncClient, app) -> list[int]:
    """The ids of the latest-first listing once every committed change is in the index."""
    await drain(app.ctx.search.client)
    response = await client.post("/jobs/list", json={"query_type": 3, "page_size": 50})
    assert response.status_code == 200, response.text
    return [job["id"] for job in response.json()["data"]["jobs"]]

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
