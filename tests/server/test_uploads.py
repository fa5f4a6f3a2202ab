"""Seed section 四 `POST /img/upload`: judged by content, stored under the server's key, GPS stripped, and
only our own image URLs in jobs and profiles."""

from __future__ import annotations

import asyncio
import io
import re

import httpx
import pytest
from PIL import Image

from tests.helpers.api import login_as, post_job

KEY = re.compile(r"/img/(\d+)_(\d+)\.(jpg|png|bmp|webp)$")
GPS = 0x8825


def image_bytes(fmt: str, size=(64, 48), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **save)
    return out.getvalue()


@pytest.fixture
async def user(client):
    return await login_as(client, "uploader")


async def upload(client, headers, data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return await client.post("/img/upload", files={"file": (name, data, content_type)}, headers=headers)


@pytest.mark.parametrize("fmt, ext", [("JPEG", "jpg"), ("PNG", "png"), ("BMP", "bmp"), ("WEBP", "webp")])
async def test_each_accepted_format_is_stored_under_a_server_made_key(client, user, fmt, ext):
    data = image_bytes(fmt)
    # The name and declared type say GIF: only the bytes count.
    response = await upload(client, user, data, name="../../etc/passwd.gif", content_type="image/gif")
    assert response.status_code == 200, response.text
    url = response.json()["data"]["url"]
    user_id, _, stored_ext = KEY.search(url).groups()
    assert (int(user_id), stored_ext) == (int(user["user_id"]), ext)
    served = await client.get(httpx.URL(url).raw_path.decode())
    assert served.status_code == 200 and served.content == data


@pytest.mark.parametrize("data, name", [
    (b"this is not an image", "notes.jpg"),
    (image_bytes("GIF"), "anim.gif"),
    (image_bytes("JPEG", size=(400, 300))[:-600], "truncated.jpg"),
    (b"", "empty.jpg"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "header-only.jpg"),
])
async def test_what_is_no_whole_accepted_image_is_refused_and_nothing_stored(client, user, settings, data, name):
    response = await upload(client, user, data, name=name)
    assert response.status_code == 400 and response.json()["code"] == 400
    assert not list((settings.data_dir / "uploads").rglob(f"{user['user_id']}_*"))


async def test_a_decompression_bomb_is_refused(client, user):
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG")  # 400 Mpx in a few dozen KB
    response = await upload(client, user, out.getvalue(), name="bomb.png")
    assert response.status_code == 400 and "pixels" in response.json()["message"]


async def test_gps_is_stripped_from_jpegs_and_orientation_kept(client, user):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated
    exif[GPS] = {2: (39.0, 54.0, 0.0), 4: (116.0, 23.0, 0.0)}
    data = image_bytes("JPEG", exif=exif.tobytes())
    assert GPS in Image.open(io.BytesIO(data)).getexif()
    url = (await upload(client, user, data)).json()["data"]["url"]
    stored = Image.open(io.BytesIO((await client.get(httpx.URL(url).raw_path.decode())).content))
    assert GPS not in stored.getexif() and stored.getexif()[0x0112] == 6 and stored.size == (64, 48)


async def test_missing_field_wrong_encoding_and_no_login_are_refused(client, user):
    data = image_bytes("PNG")
    assert (await client.post("/img/upload", files={"photo": ("a.png", data)}, headers=user)).status_code == 400
    assert (await client.post("/img/upload", content=data, headers={**user, "Content-Type": "image/png"})
            ).status_code == 400
    assert (await client.post("/img/upload", files={"file": ("a.png", data)})).status_code == 401


async def test_a_too_large_upload_is_refused_from_its_declared_length(client, user, app):
    limit = app.ctx.settings.max_upload_bytes
    host, port = httpx.URL(str(client.base_url)).host, httpx.URL(str(client.base_url)).port
    reader, writer = await asyncio.open_connection(host, port)
    # Headers that announce 21 MB, and only a few bytes of it: the answer comes without the rest.
    writer.write((f"POST /img/upload HTTP/1.1\r\nHost: {host}\r\nAuthorization: {user['Authorization']}\r\n"
                  f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {limit + 1024 * 1024}\r\n\r\n"
                  "--x\r\n").encode())
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert b" 400 " in status_line


async def test_uploads_are_limited_per_user(client, user, tune):
    tune(rate_limit_uploads_per_user=2)
    statuses = [(await upload(client, user, image_bytes("PNG"), name="a.png")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


async def test_jobs_and_profiles_hold_only_our_image_urls(client, user, tune):
    tune(image_url_prefixes="https://cdn.example.com/")
    ours = (await upload(client, user, image_bytes("PNG"), name="a.png")).json()["data"]["url"]
    job_id = await post_job(client, user, photo_urls=[ours, "https://cdn.example.com/job/1.jpg"])
    foreign = await client.post("/jobs/update", json={"id": job_id, "photo_urls": ["https://evil.example/x.jpg"]},
                                headers=user)
    assert foreign.status_code == 400 and foreign.json()["data"] == {"url": "https://evil.example/x.jpg"}
    assert (await client.post("/user/update/info", json={"avatar": ours}, headers=user)).status_code == 200
    assert (await client.post("/user/update/info", json={"avatar": "https://evil.example/a.png"},
                              headers=user)).status_code == 400
    assert (await client.get("/user/info", headers=user)).json()["data"]["avatar"] == ours
