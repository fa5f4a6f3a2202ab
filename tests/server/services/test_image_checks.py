"""Uploaded images go to WeChat's media check; a risky verdict, pushed by WeChat, removes the image from
storage, from its uploader's jobs and avatar. Pushes are verified (signature, safe-mode decryption)."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import httpx
from PIL import Image

from models.job import Job
from models.moderation import ImageCheck, ModerationAction
from models.user import User
from runtime import clock
from server.providers.content_check import WeChatContentCheck
from server.providers.storage import StorageUnavailable
from server.providers.wechat_api import WeChatApi
from server.services import image_checks
from tests.fakes.wechat import APPID, SECRET
from tests.helpers.api import listed_now, login_as
from tests.helpers.postings import post_job
from tests.helpers.services import free_port
from tests.helpers.wechat_push import PUSH_AES_KEY, PUSH_TOKEN, encrypt_push, sha1_signature


def _png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(data, format="PNG")
    return data.getvalue()


async def _upload(client, headers) -> str:
    response = await client.post("/img/upload", files={"file": ("a.png", _png())}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]["url"]


def _verdict(trace_id: str, suggest: str) -> dict:
    return {"ToUserName": "gh_0123456789ab", "FromUserName": "o-system", "CreateTime": int(time.time()),
            "MsgType": "event", "Event": "wxa_media_check", "appid": APPID, "trace_id": trace_id, "version": 2,
            "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": 20002}],
            "errcode": 0, "errmsg": "ok", "result": {"suggest": suggest, "label": 20002}}


async def _push(client, message: dict, token: str = PUSH_TOKEN, signed_at: float | None = None) -> httpx.Response:
    """A push WeChat signs at `signed_at` (Unix seconds; the app clock's now unless given)."""
    timestamp = str(int(clock.epoch() if signed_at is None else signed_at))
    query, body = encrypt_push(PUSH_AES_KEY, APPID, token, message, timestamp, "nonce123")
    return await client.post("/wechat/push", params=query, json=body)


async def test_a_risky_image_is_removed_everywhere_its_uploader_put_it(client, app, wechat_content):
    owner = await login_as(client, "owner")
    url = await _upload(client, owner)
    kept = await _upload(client, owner)
    submitted = {check["media_url"]: check for check in wechat_content.media_checks}
    assert url in submitted and submitted[url]["scene"] == 3 and submitted[url]["version"] == 2
    job_id = await post_job(client, owner, photo_urls=[url, kept])
    await client.post("/user/update/info", json={"avatar": url}, headers=owner)
    # Rows saved before only an image's uploader could use its URL may hold it elsewhere too.
    copier = await login_as(client, "copier")
    copied = await post_job(client, copier)
    await Job.filter(id=copied).update(photo_urls=[url])
    await User.filter(id=copier["user_id"]).update(avatar=url)
    trace_id = (await ImageCheck.get(url=url)).trace_id
    assert trace_id

    response = await _push(client, _verdict(trace_id, "risky"))
    assert (response.status_code, response.text) == (200, "success")
    info = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]
    assert info["photo_urls"] == [kept]
    assert (await client.get("/user/info", headers=owner)).json()["data"]["avatar"] == ""
    assert (await client.get("/user/info", headers=copier)).json()["data"]["avatar"] == ""
    assert (await client.post("/jobs/info", json={"job_id": copied})).json()["data"]["photo_urls"] == []
    assert (await client.get(httpx.URL(url).raw_path.decode())).status_code == 404
    assert (await client.get(httpx.URL(kept).raw_path.decode())).status_code == 200
    assert (await ImageCheck.get(url=url)).verdict == "risky"
    assert [(a.actor, a.action) for a in await ModerationAction.all()] == [("system", "remove_image")]
    assert (await _push(client, _verdict(trace_id, "risky"))).text == "success"  # WeChat may push twice
    assert await ModerationAction.all().count() == 1
    assert job_id not in await listed_now(client, app)  # held until its owner edits it
    await client.post("/jobs/update", json={"id": job_id, "salary_max": 21000}, headers=owner)
    assert job_id in await listed_now(client, app)
    # Removed for good: not even its uploader can put it back.
    again = await client.post("/jobs/update", json={"id": job_id, "photo_urls": [kept, url]}, headers=owner)
    assert again.status_code == 400 and again.json()["data"] == {"field": "photo_urls", "url": url}


async def test_a_passed_image_stays(client, wechat_content):
    owner = await login_as(client, "owner")
    url = await _upload(client, owner)
    trace_id = (await ImageCheck.get(url=url)).trace_id
    assert (await _push(client, _verdict(trace_id, "pass"))).text == "success"
    assert (await ImageCheck.get(url=url)).verdict == "pass"
    assert (await client.get(httpx.URL(url).raw_path.decode())).status_code == 200


async def test_a_push_not_from_wechat_changes_nothing(client, wechat_content):
    owner = await login_as(client, "owner")
    url = await _upload(client, owner)
    trace_id = (await ImageCheck.get(url=url)).trace_id
    assert (await _push(client, _verdict(trace_id, "risky"), token="another-token")).status_code == 403
    query, body = encrypt_push(PUSH_AES_KEY, APPID, PUSH_TOKEN, _verdict(trace_id, "risky"), str(int(clock.epoch())), "n")
    tampered = {**body, "Encrypt": body["Encrypt"][:-8] + "AAAAAAA="}
    assert (await client.post("/wechat/push", params=query, json=tampered)).status_code == 403
    assert (await client.post("/wechat/push", params=query, content=b"not json")).status_code == 403
    assert (await ImageCheck.get(url=url)).verdict == ""
    assert (await client.get(httpx.URL(url).raw_path.decode())).status_code == 200


async def test_wechats_server_verification(client):
    query = {"timestamp": "1700000000", "nonce": "abc", "echostr": "echo-me"}
    good = {**query, "signature": sha1_signature(PUSH_TOKEN, query["timestamp"], query["nonce"])}
    response = await client.get("/wechat/push", params=good)
    assert (response.status_code, response.text) == (200, "echo-me")
    bad = {**query, "signature": sha1_signature("other", query["timestamp"], query["nonce"])}
    assert (await client.get("/wechat/push", params=bad)).status_code == 403


async def test_an_upload_wechat_cannot_take_is_submitted_later(client, app, wechat_content):
    owner = await login_as(client, "owner")
    reachable = app.ctx.content_check
    unreachable = WeChatApi(APPID, SECRET, f"http://127.0.0.1:{free_port()}", app.ctx.cache, timeout=1)
    app.ctx.content_check = WeChatContentCheck(unreachable)
    try:
        url = await _upload(client, owner)  # the upload does not wait for WeChat
    finally:
        await unreachable.close()
        app.ctx.content_check = reachable
    assert (await ImageCheck.get(url=url)).trace_id is None
    assert await image_checks.submit_unsent(app.ctx.content_check) == 1
    assert (await ImageCheck.get(url=url)).trace_id
    assert url in {check["media_url"] for check in wechat_content.media_checks}


async def test_a_removal_that_fails_is_done_when_wechat_pushes_again(client, app, wechat_content, monkeypatch):
    owner = await login_as(client, "owner")
    url = await _upload(client, owner)
    job_id = await post_job(client, owner, photo_urls=[url])
    trace_id = (await ImageCheck.get(url=url)).trace_id

    async def storage_away(key):
        raise StorageUnavailable()

    monkeypatch.setattr(app.ctx.storage, "delete", storage_away)
    assert (await _push(client, _verdict(trace_id, "risky"))).status_code >= 500  # WeChat will push again
    assert (await ImageCheck.get(url=url)).verdict == ""
    monkeypatch.undo()
    assert (await _push(client, _verdict(trace_id, "risky"))).text == "success"
    assert (await ImageCheck.get(url=url)).verdict == "risky"
    assert (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]["photo_urls"] == []
    assert (await client.get(httpx.URL(url).raw_path.decode())).status_code == 404


async def test_an_image_wechat_could_not_check_is_submitted_again(client, app, wechat_content):
    owner = await login_as(client, "owner")
    url = await _upload(client, owner)
    trace_id = (await ImageCheck.get(url=url)).trace_id
    failed = {**_verdict(trace_id, "pass"), "errcode": -1008, "errmsg": "download image failed"}
    del failed["result"]
    assert (await _push(client, failed)).text == "success"
    assert (await ImageCheck.get(url=url)).trace_id is None
    assert await image_checks.submit_unsent(app.ctx.content_check) == 1
    assert (await ImageCheck.get(url=url)).trace_id not in (None, trace_id)


async def test_the_owner_sees_a_held_job_in_their_postings(client, app, wechat_content):
    owner = await login_as(client, "owner")
    url = await _upload(client, owner)
    job_id = await post_job(client, owner, photo_urls=[url])
    await _push(client, _verdict((await ImageCheck.get(url=url)).trace_id, "risky"))
    mine = (await client.post("/jobs/my", json={}, headers=owner)).json()["data"]["contacts"]
    assert [(item["id"], item["photo_held"], item["status"]) for item in mine] == [(job_id, True, 1)]


async def test_a_replayed_push_is_rejected_and_changes_nothing(client, wechat_content, travel):
    owner = await login_as(client, "owner")
    url = await _upload(client, owner)
    trace_id = (await ImageCheck.get(url=url)).trace_id
    signed_at = clock.epoch()
    travel(clock.now() + timedelta(minutes=6))  # someone replays a push they saw 6 minutes ago
    response = await _push(client, _verdict(trace_id, "risky"), signed_at=signed_at)
    assert (response.status_code, response.text) == (403, "rejected")
    assert (await ImageCheck.get(url=url)).verdict == ""
    assert (await client.get(httpx.URL(url).raw_path.decode())).status_code == 200
    assert (await _push(client, _verdict(trace_id, "pass"), signed_at=clock.epoch() - 240)).text == "success"
    assert (await ImageCheck.get(url=url)).verdict == "pass"  # 4 minutes late still counts
