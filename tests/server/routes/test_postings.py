"""Seed section 二: an employer's postings and a worker's favourites, with the outbox the indexer drains."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.favorites import Favorite
from models.job import Job
from models.outbox import IndexOutbox
from runtime import clock
from server.services import moderation
from tests.helpers.api import change_job, login_as, outbox_reasons
from tests.helpers.postings import SEED_JOB, post_job, try_post
from tests.helpers.services import LockBarrier, mysql_only
from sections.jobs import JOBS

SEED_INFO_KEYS = {
    "id", "user_id", "positions", "longitude", "latitude", "address", "contact", "contact_person_name",
    "description", "photo_urls", "status", "first_area_id", "first_area_des", "second_area_id",
    "second_area_des", "third_area_id", "third_area_des", "four_area_id", "four_area_des", "salary_min",
    "salary_max", "create_at", "update_at", "is_top", "top_start_time", "top_end_time",
}
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$")


@pytest.fixture
async def owner(client):
    headers = await login_as(client, "owner")
    await client.post("/user/update/info", json={"name": "段先生"}, headers=headers)
    return headers


@pytest.fixture
async def worker(client):
    return await login_as(client, "worker")


async def test_create_returns_the_new_id_and_records_one_change(client, owner):
    response = await try_post(client, owner, "jobs")
    body = response.json()
    assert body["code"] == 0 and body["message"] == ""
    job_id = body["data"]["id"]
    assert await outbox_reasons(job_id) == ["create"]
    job = await Job.get(id=job_id)
    assert job.user_id == int(owner["user_id"]) and job.biz_type == 1 and job.status == 1
    assert job.photo_urls == ["https://cdn.xxx.com/job/1173/1.jpg", "https://cdn.xxx.com/job/1173/2.jpg"]
    assert job.contact_person_name == "段先生"  # the owner's name when no user_name is given


async def test_create_stores_shanghai_wall_time(client, owner):
    before = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    job_id = await post_job(client, owner)
    info = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    shown = datetime.strptime(info["create_at"], "%Y-%m-%d %H:%M:%S.%f")
    assert timedelta(seconds=-1) <= shown - before <= timedelta(seconds=5)
    stored = (await Job.get(id=job_id)).create_at
    assert stored.replace(tzinfo=None) == shown


@pytest.mark.parametrize(
    "photo_urls, stored",
    [
        (["https://a.cn/1.jpg", "https://a.cn/2.jpg"], ["https://a.cn/1.jpg", "https://a.cn/2.jpg"]),
        (["https://a.cn/1.jpg,https://a.cn/2.jpg"], ["https://a.cn/1.jpg", "https://a.cn/2.jpg"]),
        ("https://a.cn/1.jpg, https://a.cn/2.jpg", ["https://a.cn/1.jpg", "https://a.cn/2.jpg"]),
        ("", []),
    ],
)
async def test_photo_urls_in_every_seed_shape(client, owner, photo_urls, stored):
    job_id = await post_job(client, owner, photo_urls=photo_urls)
    info = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    assert info["photo_urls"] == stored


async def test_welfare_tags_and_user_name_are_kept(client, owner):
    job_id = await post_job(client, owner, user_name="张老板", basic_protection=["社保", "公积金", "社保"],
                            salary_benefits=["节日福利"])
    info = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    assert info["contact_person_name"] == "张老板"
    assert info["basic_protection"] == ["社保", "公积金"] and info["salary_benefits"] == ["节日福利"]
    assert info["attendance_leave"] == []


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"positions": ""}, "positions"),
        ({"positions": "厨" * 21}, "positions"),
        ({"contact": "12345"}, "contact"),
        ({"description": "x" * 2001}, "description"),
        ({"longitude": 180.5}, "longitude"),
        ({"latitude": "north"}, "latitude"),
        ({"salary_min": -1}, "salary_min"),
        ({"salary_min": 9000, "salary_max": 8000}, "body"),
        ({"photo_urls": ["https://a.cn/%d.jpg" % i for i in range(5)]}, "photo_urls"),
        ({"photo_urls": ["ftp://a.cn/1.jpg"]}, "photo_urls.0"),
        ({"positions": None}, "positions"),
        ({"basic_protection": "社保"}, "basic_protection"),
    ],
)
async def test_create_rejects_bad_fields_and_writes_nothing(client, owner, changes, field):
    response = await try_post(client, owner, "jobs", **changes)
    assert response.status_code == 400
    assert field in response.json()["data"], response.json()
    assert await Job.all().count() == 0 and await IndexOutbox.all().count() == 0


async def test_create_with_only_the_required_fields(client, owner):
    required = {key: SEED_JOB[key] for key in ("positions", "longitude", "latitude", "address", "contact",
                                                  "salary_min", "salary_max")}
    response = await client.post("/job/create", json=required, headers=owner)
    assert response.status_code == 200, response.text
    info = (await client.post("/jobs/info", json={"job_id": response.json()["data"]["id"]})).json()["data"]
    assert info["description"] == "" and info["photo_urls"] == [] and info["four_area_id"] is None


async def test_landline_contact_is_accepted(client, owner):
    job_id = await post_job(client, owner, contact="010-62345678")
    assert (await Job.get(id=job_id)).contact == "010-62345678"


async def test_create_needs_login(client):
    response = await client.post("/job/create", json=SEED_JOB)
    assert response.status_code == 401 and await Job.all().count() == 0


async def test_info_has_the_seed_shape_without_login(client, owner):
    job_id = await post_job(client, owner)
    for job_ref in (job_id, str(job_id)):
        response = await client.post("/jobs/info", json={"job_id": job_ref})
        body = response.json()
        assert body["code"] == 0 and body["message"] == "ok"
        data = body["data"]
        assert SEED_INFO_KEYS <= set(data)
        assert data["id"] == job_id and data["positions"] == "服务员" and data["status"] == 1
        assert data["longitude"] == 116.397128 and isinstance(data["latitude"], float)
        assert data["is_top"] == 0 and data["top_start_time"] == "" and data["top_end_time"] == ""
        assert TIME.match(data["create_at"]) and TIME.match(data["update_at"])


@pytest.mark.parametrize("job_id, status", [(999999, 404), ("abc", 400), (0, 400), (None, 400), (1.5, 400)])
async def test_info_of_unknown_or_malformed_id(client, job_id, status):
    response = await client.post("/jobs/info", json={"job_id": job_id})
    assert response.status_code == status
    if status == 404:
        assert response.json()["message"] == "Not Found"


async def test_is_top_follows_top_end_time(client, owner, travel):
    job_id = await post_job(client, owner)
    now = clock.now()
    await change_job(job_id, "top", top_start_time=now, top_end_time=now + timedelta(hours=1))
    assert (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]["is_top"] == 1
    travel(now + timedelta(hours=1, seconds=1))  # the top ends by the clock alone, no write
    data = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    assert data["is_top"] == 0 and TIME.match(data["top_end_time"])


async def test_is_top_in_my_postings_and_favourites_ends_with_the_top(client, owner, worker, travel):
    job_id = await post_job(client, owner)
    now = clock.now()
    await change_job(job_id, "top", top_start_time=now, top_end_time=now + timedelta(hours=1))
    await client.post("/job/collect", json={"job_id": job_id}, headers=worker)

    async def shown() -> tuple[int, int]:
        mine = (await client.post("/jobs/my", json={}, headers=owner)).json()["data"]["contacts"]
        favourites = (await client.post("/collect/my", json={}, headers=worker)).json()["data"]["list"]
        return mine[0]["is_top"], favourites[0]["is_top"]

    assert await shown() == (1, 1)
    travel(now + timedelta(hours=1, seconds=1))  # the top ends by the clock alone, no write
    assert await shown() == (0, 0)


async def test_owner_updates_any_subset(client, owner):
    job_id = await post_job(client, owner, basic_protection=["社保"])
    response = await client.post("/jobs/update", json={"id": job_id, "positions": "收银员", "photo_urls": "",
                                                        "user_name": "张老板", "salary_max": 9000}, headers=owner)
    assert response.json() == {"code": 0, "message": "", "data": None}
    job = await Job.get(id=job_id)
    assert (job.positions, job.photo_urls, job.contact_person_name, job.salary_max) == ("收银员", [], "张老板", 9000)
    assert job.address == SEED_JOB["address"] and job.basic_protection == ["社保"]
    assert job.update_at >= job.create_at
    assert await outbox_reasons(job_id) == ["create", "update"]


@pytest.mark.parametrize(
    "changes, status",
    [
        ({"salary_min": 30000}, 400),  # above the stored salary_max
        ({}, 400),
        ({"contact": "x"}, 400),
    ],
)
async def test_update_rejections_change_nothing(client, owner, changes, status):
    job_id = await post_job(client, owner)
    response = await client.post("/jobs/update", json={"id": job_id, **changes}, headers=owner)
    assert response.status_code == status
    assert await outbox_reasons(job_id) == ["create"]
    assert (await Job.get(id=job_id)).salary_min == SEED_JOB["salary_min"]


async def test_nobody_else_may_update_close_or_refresh(client, owner, worker):
    job_id = await post_job(client, owner)
    for path, body in (("/jobs/update", {"id": job_id, "positions": "骗子"}), ("/job/close", {"job_id": job_id}),
                       ("/jobs/refresh", {"job_id": job_id})):
        response = await client.post(path, json=body, headers=worker)
        assert response.status_code == 403, path
        assert response.json()["code"] == 403
    job = await Job.get(id=job_id)
    assert (job.positions, job.status, job.last_refresh_time) == ("服务员", 1, None)
    assert await outbox_reasons(job_id) == ["create"]


async def test_unknown_job_is_404_for_every_owner_action(client, owner):
    for path, body in (("/jobs/update", {"id": 424242, "positions": "x"}), ("/job/close", {"job_id": 424242}),
                       ("/jobs/refresh", {"job_id": 424242}), ("/job/collect", {"job_id": 424242}),
                       ("/job/cancnel_collect", {"job_id": 424242})):
        response = await client.post(path, json=body, headers=owner)
        assert response.status_code == 404, path
    assert await IndexOutbox.all().count() == 0


async def test_close_is_idempotent_and_keeps_the_detail(client, owner):
    job_id = await post_job(client, owner)
    for _ in range(2):
        response = await client.post("/job/close", json={"job_id": job_id}, headers=owner)
        assert response.json() == {"code": 0, "message": "", "data": None}
    assert await outbox_reasons(job_id) == ["create", "close"]
    data = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    assert data["status"] == 2


async def test_free_refresh_once_a_day_then_429(client, owner):
    job_id = await post_job(client, owner)
    first = await client.post("/jobs/refresh", json={"job_id": job_id}, headers=owner)
    assert first.json() == {"code": 0, "message": "", "data": None}
    data = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    assert TIME.match(data["last_refresh_time"])
    second = await client.post("/jobs/refresh", json={"job_id": job_id}, headers=owner)
    assert second.status_code == 429
    assert "/jobs/refresh/pay" in second.json()["message"]
    assert await outbox_reasons(job_id) == ["create", "refresh"]


async def refreshes(client, headers, job_id: int, *moments: datetime) -> list[int]:
    statuses = []
    for moment in moments:
        clock.travel_to(moment)
        statuses.append((await client.post("/jobs/refresh", json={"job_id": job_id}, headers=headers)).status_code)
    return statuses


async def test_a_new_free_refresh_comes_with_the_shanghai_day(client, owner, travel):
    day = datetime(2026, 3, 1)
    travel(day - timedelta(hours=1))
    job_id = await post_job(client, owner)
    # 23:59:59 and 00:00:01 are two Shanghai days.
    assert await refreshes(client, owner, job_id, day - timedelta(seconds=1), day + timedelta(seconds=1)) == [200, 200]
    # 07:59 → 08:01 crosses UTC midnight, not Shanghai's.
    assert await refreshes(client, owner, job_id, day + timedelta(hours=7, minutes=59),
                           day + timedelta(hours=8, minutes=1)) == [429, 429]
    job = await Job.get(id=job_id)
    assert day + timedelta(seconds=1) <= job.last_refresh_time < day + timedelta(seconds=2)  # the clock runs on
    assert job.free_refresh_day == day.date()


@pytest.mark.parametrize("per_day, expected", [(0, [429, 429]), (2, [200, 200, 429])])
async def test_free_refreshes_per_day_is_a_setting(client, owner, tune, travel, per_day, expected):
    tune(free_refreshes_per_day=per_day)
    travel(datetime(2026, 3, 1, 12))
    job_id = await post_job(client, owner)
    moments = [datetime(2026, 3, 1, 12, minute) for minute in range(1, len(expected) + 1)]
    assert await refreshes(client, owner, job_id, *moments) == expected


@mysql_only
async def test_concurrent_refreshes_let_exactly_one_through(client, owner, settings):
    job_id = await post_job(client, owner)
    async with LockBarrier(settings.resolved_database_url) as barrier:
        await barrier.lock("SELECT id FROM jobs WHERE id = %s FOR UPDATE", job_id)
        calls = [asyncio.create_task(client.post("/jobs/refresh", json={"job_id": job_id}, headers=owner))
                 for _ in range(3)]
        await barrier.wait_for(3)  # all three are inside their transactions at once
    responses = await asyncio.gather(*calls)
    assert sorted(r.status_code for r in responses) == [200, 429, 429]
    assert await outbox_reasons(job_id) == ["create", "refresh"]


async def test_a_closed_job_cannot_be_refreshed_edited_or_collected(client, owner, worker):
    job_id = await post_job(client, owner)
    await client.post("/job/close", json={"job_id": job_id}, headers=owner)
    before = await Job.get(id=job_id)
    for path, body, headers in (("/jobs/refresh", {"job_id": job_id}, owner),
                                ("/jobs/update", {"id": job_id, "positions": "厨师"}, owner),
                                ("/job/collect", {"job_id": job_id}, worker)):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 400, path
        assert response.json()["code"] == 400 and "closed" in response.json()["message"]
    after = await Job.get(id=job_id)
    assert (after.positions, after.version, after.update_at) == (before.positions, before.version, before.update_at)
    assert await outbox_reasons(job_id) == ["create", "close"]
    assert not await Favorite.exists(biz_type=1, posting_id=job_id)


async def test_a_closed_job_shows_its_phone_to_its_owner_only(client, owner, worker):
    job_id = await post_job(client, owner)
    await client.post("/job/collect", json={"job_id": job_id}, headers=worker)
    await client.post("/job/close", json={"job_id": job_id}, headers=owner)
    for headers in ({}, worker, {"Authorization": "Bearer not-a-token"}):
        response = await client.post("/jobs/info", json={"job_id": job_id}, headers=headers)
        assert response.status_code == 200
        item = response.json()["data"]
        assert item["status"] == 2 and item["contact"] == "" and item["positions"] == SEED_JOB["positions"]
    mine = (await client.post("/jobs/info", json={"job_id": job_id}, headers=owner)).json()["data"]
    assert mine["contact"] == SEED_JOB["contact"]
    # A worker's favourite still says the job closed, and it can still be removed.
    favorite = (await client.post("/collect/my", json={}, headers=worker)).json()["data"]["list"][0]
    assert favorite["status"] == 2
    assert (await client.post("/job/cancnel_collect", json={"job_id": job_id}, headers=worker)).status_code == 200


async def test_an_open_job_shows_its_phone_in_full_only_where_masking_is_off(client, owner, tune):
    job_id = await post_job(client, owner)
    item = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    assert (item["contact"], item["contact_unlocked"]) == ("138****1234", False)
    tune(mask_contacts=False)
    item = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    assert (item["contact"], item["contact_unlocked"]) == (SEED_JOB["contact"], True)


async def test_my_postings_carry_the_seed_example_fields(client, owner):
    job_id = await post_job(client, owner, user_name="张老板")
    (item,) = (await client.post("/jobs/my", json={"biz_type": 1}, headers=owner)).json()["data"]["contacts"]
    assert item["id"] == job_id
    assert item["purpose_user_id"] == int(owner["user_id"])
    assert item["purpose_user_name"] == "张老板"
    assert item["purpose_user_phone"] == SEED_JOB["contact"]


async def test_my_postings_in_the_contacts_key_newest_first(client, owner, worker):
    ids = [await post_job(client, owner, positions=f"厨师{i}") for i in range(3)]
    await post_job(client, worker)
    response = await client.post("/jobs/my", json={"biz_type": 1, "page_num": 1, "page_size": 2}, headers=owner)
    data = response.json()["data"]
    assert data["total"] == 3
    assert [item["id"] for item in data["contacts"]] == [ids[2], ids[1]]
    item = data["contacts"][0]
    assert {"id", "positions", "address", "status", "is_top", "salary_min", "salary_max", "create_at",
            "last_refresh_time", "top_end_time"} <= set(item)
    page2 = (await client.post("/jobs/my", json={"page_num": 2, "page_size": 2}, headers=owner)).json()["data"]
    assert [item["id"] for item in page2["contacts"]] == [ids[0]] and page2["total"] == 3
    other = (await client.post("/jobs/my", json={"biz_type": 2}, headers=owner)).json()["data"]
    assert other == {"contacts": [], "total": 0}


@pytest.mark.parametrize("paging", [{"page_num": 0}, {"page_size": 0}, {"page_size": 51}, {"biz_type": 4},
                                    {"page_num": "x"}])
async def test_paging_out_of_range_is_400(client, owner, paging):
    for path in ("/jobs/my", "/collect/my"):
        response = await client.post(path, json={"biz_type": 1, **paging}, headers=owner)
        assert response.status_code == 400, (path, paging)


async def test_collect_cancel_and_my_favorites(client, owner, worker):
    first = await post_job(client, owner, positions="保洁")
    second = await post_job(client, owner, positions="厨师")
    for job_id in (first, second, first):  # collecting twice changes nothing
        response = await client.post("/job/collect", json={"job_id": job_id}, headers=worker)
        assert response.json() == {"code": 0, "message": "", "data": None}
    assert await Favorite.filter(user_id=int(worker["user_id"])).count() == 2
    data = (await client.post("/collect/my", json={"biz_type": 1, "page_num": 1, "page_size": 10},
                              headers=worker)).json()["data"]
    assert data["total"] == 2
    assert [item["job_id"] for item in data["list"]] == [second, first]
    assert {"job_id", "positions", "salary_min", "salary_max", "first_area_des", "second_area_des",
            "third_area_des", "address", "create_at", "is_top", "last_refresh_time"} <= set(data["list"][0])
    for path in ("/job/cancnel_collect", "/job/cancel_collect"):
        response = await client.post(path, json={"job_id": second}, headers=worker)
        assert response.status_code == 200, path
    data = (await client.post("/collect/my", json={}, headers=worker)).json()["data"]
    assert [item["job_id"] for item in data["list"]] == [first] and data["total"] == 1
    assert await outbox_reasons(first) == ["create"]  # favourites do not change the job


@mysql_only
async def test_concurrent_collects_save_one_favorite(client, owner, worker, settings):
    job_id = await post_job(client, owner)
    async with LockBarrier(settings.resolved_database_url) as barrier:
        # An uncommitted favorite of the same pair: every collect passes its "already saved?" read and
        # waits at its insert on the unique key.
        await barrier.lock("INSERT INTO favorites (user_id, biz_type, posting_id, create_at) VALUES (%s, 1, %s, NOW())",
                           int(worker["user_id"]), job_id)
        calls = [asyncio.create_task(client.post("/job/collect", json={"job_id": job_id}, headers=worker))
                 for _ in range(3)]
        await barrier.wait_for(3)
    responses = await asyncio.gather(*calls)
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert await Favorite.filter(biz_type=1, posting_id=job_id).count() == 1


async def test_favorites_need_login(client, owner):
    job_id = await post_job(client, owner)
    for path in ("/job/collect", "/job/cancnel_collect", "/collect/my", "/jobs/my"):
        assert (await client.post(path, json={"job_id": job_id})).status_code == 401, path


async def test_a_taken_down_favorite_stays_listed_as_unavailable(client, owner, worker):
    taken_down = await post_job(client, owner, positions="骗局")
    kept = await post_job(client, owner, positions="厨师")
    for job_id in (taken_down, kept):
        assert (await client.post("/job/collect", json={"job_id": job_id}, headers=worker)).status_code == 200
    assert (await client.post("/job/collect", json={"job_id": kept}, headers=owner)).status_code == 200
    await moderation.take_down(JOBS, taken_down, "ops-li", "fraud confirmed")
    await moderation.take_down(JOBS, kept, "ops-li", "fraud confirmed")
    favorites = (await client.post("/collect/my", json={}, headers=worker)).json()["data"]["list"]
    gone = {item["job_id"]: item for item in favorites}
    for job_id in (taken_down, kept):
        item = gone[job_id]
        assert item["unavailable"] and item["status"] == 2, item
        assert (item["positions"], item["address"], item["third_area_des"], item["salary_max"]) == ("", "", "", 0)
    # Its owner's own favourite of it still shows it, as /jobs/info does for them.
    mine = (await client.post("/collect/my", json={}, headers=owner)).json()["data"]["list"]
    assert [(item["job_id"], item["positions"], item["unavailable"]) for item in mine] == [(kept, "厨师", False)]
    assert (await client.post("/job/cancnel_collect", json={"job_id": taken_down}, headers=worker)).status_code == 200
