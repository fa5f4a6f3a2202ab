"""The input rules every request body follows, as the mini-program sees them.

Blank means "not set", numbers may come as ASCII-digit strings (never booleans), ids fit BIGINT, welfare
tags are bounded, and no string field takes control characters.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from indexer.reindex import reindex
from models.job import Job
from models.user import User
from server.openapi import doc_of
from tests.helpers.api import login_as
from tests.helpers.postings import SEED_JOB, post_job
from sections.jobs import JOBS

JOB = {**SEED_JOB, "photo_urls": ["https://cdn.xxx.com/job/1.jpg"], "basic_protection": ["社保"]}
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
async def owner(client):
    return await login_as(client, "owner")


async def listed_ids(client, body: dict) -> list[int]:
    response = await client.post("/jobs/list", json=body)
    assert response.status_code == 200, response.text
    return [job["id"] for job in response.json()["data"]["jobs"]]


@pytest.mark.parametrize("filt", [
    {"positions": ""},  # the unfiltered home page sends exactly this
    {"positions": None},
    {"positions": "  "},
    {"salary_min": "", "salary_max": None, "longitude": "", "latitude": None, "distance_km": ""},
    {"basic_protection": None, "salary_benefits": None, "attendance_leave": None},
    None,
    "",
])
async def test_blank_or_null_filters_mean_no_filter(client, app, owner, filt):
    ids = {await post_job(client, owner, JOB), await post_job(client, owner, JOB, positions="厨师长", basic_protection=[])}
    await reindex(app.ctx.search.client, JOBS)
    assert set(await listed_ids(client, {"query_type": 3, "filter": filt})) == ids
    assert set(await listed_ids(client, {"query_type": 3, "filter": filt, "request_id": ""})) == ids


async def test_blank_or_null_optional_fields_on_create_take_their_defaults(client, owner):
    job_id = await post_job(client, owner, JOB, description="", photo_urls=None, four_area_id="", four_area_des=None,
                            user_name="", basic_protection=None, salary_benefits=None)
    job = await Job.get(id=job_id)
    assert (job.description, job.photo_urls, job.four_area_id, job.four_area_des) == ("", [], None, "")
    assert (job.basic_protection, job.salary_benefits) == ([], [])


async def test_blank_or_null_fields_in_updates_leave_them_unchanged(client, owner):
    job_id = await post_job(client, owner, JOB)
    response = await client.post("/jobs/update", headers=owner, json={
        "id": job_id, "positions": "", "description": None, "salary_max": "", "photo_urls": None,
        "basic_protection": None, "contact": "  ", "user_name": "张老板"})
    assert response.status_code == 200, response.text
    job = await Job.get(id=job_id)
    assert (job.positions, job.description, job.salary_max) == (JOB["positions"], JOB["description"], 20000)
    assert (job.photo_urls, job.basic_protection, job.contact) == (JOB["photo_urls"], ["社保"], JOB["contact"])
    assert job.contact_person_name == "张老板"

    assert (await client.post("/user/update/info", json={"name": "小周", "sex": 1}, headers=owner)).status_code == 200
    response = await client.post("/user/update/info", json={"name": "", "avatar": None, "phone": "", "sex": 2},
                                 headers=owner)
    assert response.status_code == 200, response.text
    user = await User.get(id=int(owner["user_id"]))
    assert (user.name, user.sex) == ("小周", 2)


async def test_only_blank_fields_in_an_update_is_nothing_to_change(client, owner):
    job_id = await post_job(client, owner, JOB)
    response = await client.post("/jobs/update", json={"id": job_id, "positions": "", "salary_min": None},
                                 headers=owner)
    assert response.status_code == 400 and "body" in response.json()["data"]
    response = await client.post("/user/update/info", json={"name": "", "sex": None}, headers=owner)
    assert response.status_code == 400 and "body" in response.json()["data"]


@pytest.mark.parametrize("path, body, field", [
    ("/job/create", {**JOB, "positions": ""}, "positions"),
    ("/job/create", {**JOB, "contact": None}, "contact"),
    ("/job/create", {**JOB, "longitude": ""}, "longitude"),
    ("/jobs/info", {"job_id": ""}, "job_id"),
    ("/jobs/update", {"id": None, "positions": "收银员"}, "id"),
    ("/wechat/user/register", {"login_code": "", "phone_code": "test:x"}, "login_code"),
    ("/user/update/geo", {"longitude": "", "latitude": 39.9}, "longitude"),
])
async def test_a_blank_required_field_is_a_400_naming_it(client, owner, path, body, field):
    response = await client.post(path, json=body, headers=owner)
    assert response.status_code == 400
    assert field in response.json()["data"], response.json()
    assert await Job.all().count() == 0


async def test_photo_urls_blank_clears_and_null_keeps(client, owner):
    job_id = await post_job(client, owner, JOB)
    await client.post("/jobs/update", json={"id": job_id, "photo_urls": None, "positions": "收银员"}, headers=owner)
    assert (await Job.get(id=job_id)).photo_urls == JOB["photo_urls"]
    await client.post("/jobs/update", json={"id": job_id, "photo_urls": ""}, headers=owner)
    assert (await Job.get(id=job_id)).photo_urls == []


async def test_numbers_may_come_as_strings(client, app, owner):
    job_id = await post_job(client, owner, JOB, salary_min="6000", salary_max="9000", first_area_id="11",
                            longitude="116.39", latitude="39.9")
    job = await Job.get(id=job_id)
    assert (job.salary_min, job.salary_max, job.first_area_id) == (6000, 9000, 11)
    assert (float(job.longitude), float(job.latitude)) == (116.39, 39.9)
    await reindex(app.ctx.search.client, JOBS)

    assert await listed_ids(client, {"query_type": "3", "page_num": "1", "page_size": "5"}) == [job_id]
    nearby = await client.post("/jobs/list", json={"query_type": "2", "filter": {
        "longitude": "116.39", "latitude": "39.9", "distance_km": "5", "salary_min": "5000", "salary_max": "-1"}})
    assert nearby.status_code == 200 and nearby.json()["data"]["jobs"][0]["distance"] == 0
    for path in ("/jobs/my", "/collect/my"):
        response = await client.post(path, json={"biz_type": "1", "page_num": "1", "page_size": "2"}, headers=owner)
        assert response.status_code == 200, (path, response.text)
    assert (await client.post("/job/collect", json={"job_id": str(job_id)}, headers=owner)).status_code == 200
    assert (await client.post("/user/update/info", json={"sex": "2"}, headers=owner)).status_code == 200
    response = await client.post("/user/update/geo", json={"first_area_id": "1", "longitude": "-0.5",
                                                            "latitude": "+51.25"}, headers=owner)
    assert response.status_code == 200, response.text
    user = await User.get(id=int(owner["user_id"]))
    assert (user.sex, user.first_area_id, float(user.longitude), float(user.latitude)) == (2, 1, -0.5, 51.25)


async def test_booleans_and_digits_of_other_scripts_are_not_numbers(client, owner):
    job_id = await post_job(client, owner, JOB)
    cases = [
        ("/user/update/info", {"sex": True}, "sex"),
        ("/jobs/list", {"page_num": True}, "page_num"),
        ("/jobs/list", {"query_type": True}, "query_type"),
        ("/jobs/my", {"biz_type": True}, "biz_type"),
        ("/user/update/geo", {"longitude": False, "latitude": 39.9}, "longitude"),
        ("/jobs/info", {"job_id": str(job_id).translate(ARABIC_INDIC)}, "job_id"),
        ("/jobs/info", {"job_id": str(job_id).translate(FULL_WIDTH)}, "job_id"),
        ("/jobs/info", {"job_id": True}, "job_id"),
        ("/user/update/geo", {"longitude": "١١٦.٣", "latitude": 39.9}, "longitude"),
        ("/user/update/geo", {"longitude": "１１６", "latitude": 39.9}, "longitude"),
        ("/user/update/geo", {"longitude": "NaN", "latitude": 39.9}, "longitude"),
        ("/user/update/geo", {"longitude": 1, "latitude": "-Infinity"}, "latitude"),
        ("/jobs/list", {"query_type": 2, "filter": {"longitude": 1, "latitude": 1, "distance_km": "inf"}},
         "filter.distance_km"),
        ("/jobs/list", {"filter": {"salary_min": "8千"}}, "filter.salary_min"),
        ("/job/create", {**JOB, "salary_min": "1e3"}, "salary_min"),
    ]
    for path, body, field in cases:
        response = await client.post(path, json=body, headers=owner)
        assert response.status_code == 400, (path, body, response.text)
        assert field in response.json()["data"], (path, body, response.json())
    assert (await User.get(id=int(owner["user_id"]))).longitude is None


@pytest.mark.parametrize("value", [2**63, str(2**63), -1, "99999999999999999999"])
async def test_ids_beyond_bigint_are_400_on_every_backend(client, owner, value):
    job_id = await post_job(client, owner, JOB)
    users = await User.all().count()
    cases = [
        ("/jobs/info", {"job_id": value}, "job_id"),
        ("/job/collect", {"job_id": value}, "job_id"),
        ("/job/close", {"job_id": value}, "job_id"),
        ("/jobs/update", {"id": value, "positions": "收银员"}, "id"),
        ("/wechat/user/register", {"login_code": "test:new", "phone_code": "test:new", "inviter_id": value},
         "inviter_id"),
        ("/user/update/geo", {"first_area_id": value, "longitude": 1, "latitude": 1}, "first_area_id"),
        ("/job/create", {**JOB, "four_area_id": value}, "four_area_id"),
    ]
    for path, body, field in cases:
        response = await client.post(path, json=body, headers=owner)
        assert response.status_code == 400, (path, body, response.text)
        assert field in response.json()["data"], (path, response.json())
    assert await Job.all().count() == 1 and (await Job.get(id=job_id)).positions == JOB["positions"]
    assert await User.all().count() == users


async def test_the_largest_bigint_id_is_a_valid_id(client, owner):
    response = await client.post("/jobs/info", json={"job_id": str(2**63 - 1)})
    assert response.status_code == 404
    response = await client.post("/wechat/user/register", json={"login_code": "test:inv", "phone_code": "test:inv",
                                                                 "inviter_id": 2**63 - 1})
    assert response.status_code == 200, response.text


async def test_welfare_tags_are_free_form_but_bounded(client, app, owner):
    ten_long = [f"{i}" + "福" * 19 for i in range(10)]
    job_id = await post_job(client, owner, JOB, basic_protection=ten_long, salary_benefits=["  包吃住  "])
    job = await Job.get(id=job_id)
    assert job.basic_protection == ten_long and job.salary_benefits == ["包吃住"]
    await reindex(app.ctx.search.client, JOBS)
    assert await listed_ids(client, {"filter": {"basic_protection": ten_long}}) == [job_id]

    cases = [
        ("/job/create", {**JOB, "basic_protection": [f"标签{i}" for i in range(11)]}, "basic_protection"),
        ("/job/create", {**JOB, "salary_benefits": ["福" * 21]}, "salary_benefits.0"),
        ("/job/create", {**JOB, "attendance_leave": ["双休", "   "]}, "attendance_leave.1"),
        ("/jobs/update", {"id": job_id, "basic_protection": [f"标签{i}" for i in range(11)]}, "basic_protection"),
        ("/jobs/list", {"filter": {"attendance_leave": [f"标签{i}" for i in range(11)]}}, "filter.attendance_leave"),
        ("/jobs/list", {"filter": {"salary_benefits": ["福" * 21]}}, "filter.salary_benefits.0"),
        ("/jobs/list", {"filter": {"positions": "厨" * 21}}, "filter.positions"),
        ("/job/create", {**JOB, "positions": "厨" * 21}, "positions"),
    ]
    for path, body, field in cases:
        response = await client.post(path, json=body, headers=owner)
        assert response.status_code == 400, (path, body, response.text)
        assert field in response.json()["data"], (path, response.json())
    assert await Job.all().count() == 1


def _body_models(app) -> list[tuple[str, type[BaseModel]]]:
    """Every (path, body model) the app documents: the rule must hold for each."""
    found = {}
    for route in app.router.routes:
        doc = doc_of(route.handler)
        if doc is not None and doc.body is not None:
            found.setdefault(doc.body, "/" + route.path)
    return [(path, model) for model, path in found.items()]


def _string_probes(model: type[BaseModel], bad: str, prefix: str = ""):
    """For each field (nested bodies included): a body that puts `bad` in it, and the field's name."""
    for name, field in model.model_fields.items():
        nested = field.annotation if isinstance(field.annotation, type) else None
        if nested is not None and issubclass(nested, BaseModel):
            for body, inner in _string_probes(nested, bad, f"{prefix}{name}."):
                yield {name: body}, inner
        else:
            yield {name: bad}, prefix + name
            yield {name: [bad]}, prefix + name


async def probe_every_field(client, app, bad: str):
    """(path, body, field, answer) for `bad` put in each field of every documented body, one at a time."""
    probes = 0
    for path, model in _body_models(app):
        for body, field in _string_probes(model, bad):
            if probes % 40 == 0:  # a fresh user now and then keeps clear of the per-user write limit
                headers = await login_as(client, f"probe{probes}")
            yield path, body, field, await client.post(path, json=body, headers=headers)
            probes += 1
    assert probes > 60 and await Job.all().count() == 0


@pytest.mark.parametrize("bad", ["a\x00b", "1\x07", "x\x1b[31m", "\x7f", "line\r\n", "a\x85"])
async def test_control_characters_are_refused_in_every_string_field_of_every_body(client, app, bad):
    async for path, body, field, response in probe_every_field(client, app, bad):
        assert response.status_code == 400, (path, body, response.text)
        reason = response.json()["data"].get(field, "")
        assert "control characters" in reason, (path, body, response.json())


async def test_newline_and_tab_are_kept_in_text(client, owner):
    job_id = await post_job(client, owner, JOB, description="第一行\n\t第二行", address="北京市\t朝阳区")
    job = await Job.get(id=job_id)
    assert (job.description, job.address) == ("第一行\n\t第二行", "北京市\t朝阳区")
