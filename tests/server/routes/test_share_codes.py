"""Share codes: a posting's 小程序码 made once by WeChat (a fake over HTTP), kept in storage and served from there;
a scanned scene back to its posting; refusals, WeChat's failures and the rate limit."""

from __future__ import annotations

import asyncio
import io

import httpx
from PIL import Image

from models.messages import ShareCode
from sections.jobs import JOBS
from server.providers.share_codes import DevShareCodes
from server.services import moderation, share_codes
from tests.helpers.api import login_as
from tests.helpers.postings import post, post_job

PNG = b"\x89PNG\r\n\x1a\n"


async def _code(client, headers, biz_type: int, posting_id: int) -> httpx.Response:
    return await client.post("/share/code", json={"biz_type": biz_type, "id": posting_id}, headers=headers)


async def _resolve(client, scene: str) -> httpx.Response:
    return await client.post("/share/resolve", json={"scene": scene})


async def test_a_code_is_made_once_kept_in_storage_and_served_from_there(client, app, wechat_messages):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    response = await _code(client, owner, 1, job_id)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["scene"] == f"j{job_id}" and len(data["scene"]) <= 32
    assert data["page"] == app.ctx.settings.share_code_page
    assert app.ctx.storage.owns(data["url"])
    image = await client.get(httpx.URL(data["url"]).path)
    assert image.status_code == 200 and image.content.startswith(PNG)
    assert image.headers["content-type"] == "image/png"
    [made] = wechat_messages.share_codes
    assert made["scene"] == f"j{job_id}" and made["page"] == data["page"]
    # Anyone asking again, the owner or not, gets the kept one.
    again = await _code(client, await login_as(client, "worker"), 1, job_id)
    assert again.json()["data"] == data
    assert wechat_messages.calls["getwxacodeunlimit"] == 1
    assert await ShareCode.all().count() == 1


async def test_two_first_requests_at_once_make_one_code(client, app, wechat_messages, monkeypatch):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    looked, both_looked = 0, asyncio.Event()
    stored = ShareCode.get_or_none

    async def look(**kwargs):  # each request looks for a kept code before any making starts
        nonlocal looked
        found = await stored(**kwargs)
        looked += 1
        if looked == 2:
            both_looked.set()
        return found

    maker = app.ctx.share_codes

    class Slow:
        async def make(self, *args):
            await asyncio.wait_for(both_looked.wait(), 10)  # the second request is there, found none
            return await maker.make(*args)

    monkeypatch.setattr(ShareCode, "get_or_none", look)
    monkeypatch.setattr(app.ctx, "share_codes", Slow())
    first, second = await asyncio.gather(_code(client, owner, 1, job_id), _code(client, owner, 1, job_id))
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json()["data"] == second.json()["data"]
    assert looked == 2 and wechat_messages.calls["getwxacodeunlimit"] == 1
    assert await ShareCode.all().count() == 1


async def test_a_scene_resolves_to_its_open_posting_and_404_once_closed_or_down(client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    shop_id = await post(client, owner, "shops")
    card_id = await post(client, await login_as(client, "worker"), "seekers")
    for scene, answer in ((f"j{job_id}", {"biz_type": 1, "id": job_id}), (f"r{shop_id}", {"biz_type": 3, "id": shop_id}),
                          (f"s{card_id}", {"biz_type": 2, "id": card_id})):
        response = await _resolve(client, scene)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == answer
    await moderation.take_down(JOBS, job_id, "ops-li", "fraud")
    closed = await client.post("/shop/close", json={"shop_id": shop_id}, headers=owner)
    assert closed.status_code == 200, closed.text
    for scene in (f"j{job_id}", f"r{shop_id}", "x1", f"j{job_id + 1000}"):
        response = await _resolve(client, scene)
        assert (response.status_code, response.json()["code"]) == (404, 404), scene
    for scene in ("J1", "j0", "j", "j1x", "j" + "1" * 19, ""):
        response = await _resolve(client, scene)
        assert (response.status_code, response.json()["code"]) == (400, 400), scene


async def test_no_code_for_a_closed_taken_down_or_unknown_posting(client, app, wechat_messages):
    owner = await login_as(client, "owner")
    job_id, closed_id, down_id = [await post_job(client, owner) for _ in range(3)]
    assert (await client.post("/job/close", json={"job_id": closed_id}, headers=owner)).status_code == 200
    await moderation.take_down(JOBS, down_id, "ops-li", "fraud")
    for biz_type, posting_id, status in ((1, closed_id, 400), (1, down_id, 404), (1, 987654, 404), (9, job_id, 400)):
        response = await _code(client, owner, biz_type, posting_id)
        assert (response.status_code, response.json()["code"]) == (status, status), (posting_id, response.text)
    assert (await client.post("/share/code", json={"biz_type": 1, "id": job_id})).status_code == 401
    assert wechat_messages.share_codes == [] and await ShareCode.all().count() == 0


async def test_wechat_failing_is_a_503_and_stores_nothing(client, app, wechat_messages):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    wechat_messages.share_code_errcode = 45009
    response = await _code(client, owner, 1, job_id)
    assert (response.status_code, response.json()["code"]) == (503, 503), response.text
    assert await ShareCode.all().count() == 0
    wechat_messages.share_code_errcode = None
    assert (await _code(client, owner, 1, job_id)).status_code == 200


async def test_codes_are_rate_limited_per_user(client, app, tune, wechat_messages):
    tune(rate_limit_share_codes_per_user=2)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    assert [(await _code(client, owner, 1, job_id)).status_code for _ in range(3)] == [200, 200, 429]
    assert (await _code(client, await login_as(client, "other"), 1, job_id)).status_code == 200


async def test_the_development_provider_draws_a_real_qr_code_of_the_scene(client, app):
    # The session app runs on the development providers, as `make run` does.
    assert isinstance(app.ctx.share_codes, DevShareCodes)
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    data = (await _code(client, owner, 1, job_id)).json()["data"]
    image = await client.get(httpx.URL(data["url"]).path)
    assert image.content.startswith(PNG)
    with Image.open(io.BytesIO(image.content)) as drawn:
        assert drawn.format == "PNG" and 280 <= drawn.width <= 430
        assert len(drawn.convert("L").getcolors()) == 2  # black modules on white
    assert share_codes.scene_of(JOBS, job_id) == data["scene"]
