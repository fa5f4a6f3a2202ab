"""Seed section 四 `POST /img/upload`: judged by content, stored under the server's key, GPS stripped, and
only our own image URLs in jobs and profiles."""

from __future__ import annotations

import asyncio
import io
import re
import threading

import httpx
import pytest
from PIL import Image

from models.job import Job
from models.user import User
from server.services.images import Decoding
from tests.helpers.api import login_as
from tests.helpers.postings import SEED_JOB, post_job

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
    assert served.headers["x-content-type-options"] == "nosniff"  # no browser guesses another type


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


@pytest.mark.parametrize("fmt, save", [("JPEG", {}), ("PNG", {}), ("WEBP", {}), ("WEBP", {"lossless": True})])
async def test_gps_is_stripped_from_every_format_and_orientation_kept(client, user, fmt, save):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated
    exif[GPS] = {2: (39.0, 54.0, 0.0), 4: (116.0, 23.0, 0.0)}
    data = image_bytes(fmt, exif=exif.tobytes(), **save)
    assert GPS in Image.open(io.BytesIO(data)).getexif()
    url = (await upload(client, user, data)).json()["data"]["url"]
    stored = Image.open(io.BytesIO((await client.get(httpx.URL(url).raw_path.decode())).content))
    assert GPS not in stored.getexif() and stored.getexif()[0x0112] == 6 and stored.size == (64, 48)
    assert stored.tobytes() == Image.open(io.BytesIO(data)).tobytes()  # the pixels as sent


def _webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        kind, length = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        chunks.append((kind, data[pos + 8:pos + 8 + length]))
        pos += 8 + length + (length & 1)  # a chunk is padded to an even size
    return chunks


def _webp(chunks: list[tuple[bytes, bytes]]) -> bytes:
    body = b"".join(kind + len(payload).to_bytes(4, "little") + payload + b"\x00" * (len(payload) & 1)
                    for kind, payload in chunks)
    return b"RIFF" + (4 + len(body)).to_bytes(4, "little") + b"WEBP" + body


async def test_a_webp_whose_odd_sized_exif_comes_first_keeps_its_image_and_what_follows(client, user):
    """RIFF pads an odd-sized chunk with a byte its size does not count: the chunks after an odd EXIF (here
    the image, then XMP) must be found where they are, whatever the EXIF's new size once GPS is gone."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[GPS] = {2: (39.0, 54.0, 0.0), 4: (116.0, 23.0, 0.0)}
    chunks = dict(_webp_chunks(image_bytes("WEBP", exif=exif.tobytes())))
    assert len(chunks[b"EXIF"]) % 2 == 0
    xmp = b"<x:xmpmeta>kept</x:xmpmeta>"
    data = _webp([(b"VP8X", chunks[b"VP8X"]), (b"EXIF", chunks[b"EXIF"] + b"\x00"),  # odd: padded
                  (b"VP8 ", chunks[b"VP8 "]), (b"XMP ", xmp)])
    sent = Image.open(io.BytesIO(data))
    assert GPS in sent.getexif() and sent.size == (64, 48)
    url = (await upload(client, user, data, name="a.webp")).json()["data"]["url"]
    stored_bytes = (await client.get(httpx.URL(url).raw_path.decode())).content
    assert [kind for kind, _ in _webp_chunks(stored_bytes)] == [b"VP8X", b"EXIF", b"VP8 ", b"XMP "]
    assert dict(_webp_chunks(stored_bytes))[b"VP8 "] == chunks[b"VP8 "]
    assert dict(_webp_chunks(stored_bytes))[b"XMP "] == xmp
    stored = Image.open(io.BytesIO(stored_bytes))
    assert GPS not in stored.getexif() and stored.getexif()[0x0112] == 6
    assert stored.tobytes() == sent.tobytes()  # the pixels as sent


@pytest.mark.parametrize("fmt, save", [("JPEG", {}), ("JPEG", {"progressive": True}), ("PNG", {}), ("WEBP", {}),
                                       ("BMP", {})])
async def test_what_follows_the_image_is_not_stored(client, user, fmt, save):
    data = image_bytes(fmt, **save)
    response = await upload(client, user, data + b"<html><script>alert(document.cookie)</script></html>")
    url = response.json()["data"]["url"]
    assert (await client.get(httpx.URL(url).raw_path.decode())).content == data


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
    assert foreign.status_code == 400
    assert foreign.json()["data"] == {"field": "photo_urls", "url": "https://evil.example/x.jpg"}
    assert (await client.post("/user/update/info", json={"avatar": ours}, headers=user)).status_code == 200
    assert (await client.post("/user/update/info", json={"avatar": "https://evil.example/a.png"},
                              headers=user)).status_code == 400
    assert (await client.get("/user/info", headers=user)).json()["data"]["avatar"] == ours


def _twisted(ours: str, other_users: str) -> dict[str, str]:
    """URLs on our storage that merely start like one of ours."""
    base, key = ours.split("/uploads/")
    user_id = KEY.search(ours).group(1)
    return {
        "climbs out": f"{base}/uploads/img/../../x.png",
        "query": ours + "?x=1",
        "fragment": ours + "#x",
        "percent-encoded": f"{base}/uploads/{key.replace('/', '%2F')}",
        "double slash": f"{base}/uploads//{key}",
        "never issued": f"{base}/uploads/img/{user_id}_1.png",
        "another user's": other_users,
    }


@pytest.mark.parametrize("case", ["climbs out", "query", "fragment", "percent-encoded", "double slash",
                                  "never issued", "another user's"])
async def test_a_url_on_our_storage_must_be_exactly_an_image_issued_to_the_user(client, user, tune, case):
    tune(image_url_prefixes="http://,https://")  # an operator's prefixes never open our own host
    ours = (await upload(client, user, image_bytes("PNG"), name="a.png")).json()["data"]["url"]
    other = await login_as(client, "other")
    theirs = (await upload(client, other, image_bytes("PNG"), name="b.png")).json()["data"]["url"]
    url = _twisted(ours, theirs)[case]
    job_id = await post_job(client, user, photo_urls=[ours])
    await client.post("/user/update/info", json={"avatar": ours}, headers=user)

    refusals = [
        ("photo_urls", await client.post("/job/create", json={**SEED_JOB, "photo_urls": [url]}, headers=user)),
        ("photo_urls", await client.post("/jobs/update", json={"id": job_id, "photo_urls": [ours, url]},
                                         headers=user)),
        ("avatar", await client.post("/user/update/info", json={"avatar": url}, headers=user)),
    ]
    for field, response in refusals:
        assert response.status_code == 400 and response.json()["data"] == {"field": field, "url": url}
    assert (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]["photo_urls"] == [ours]
    assert (await client.get("/user/info", headers=user)).json()["data"]["avatar"] == ours
    assert await Job.all().count() == 1


async def test_urls_a_job_or_profile_already_holds_stay_on_edits(client, user):
    other = await login_as(client, "other")
    theirs = (await upload(client, other, image_bytes("PNG"), name="b.png")).json()["data"]["url"]
    ours = (await upload(client, user, image_bytes("PNG"), name="a.png")).json()["data"]["url"]
    # Saved before only an image's uploader could use its URL.
    job_id = await post_job(client, user)
    await Job.filter(id=job_id).update(photo_urls=[theirs])
    await User.filter(id=user["user_id"]).update(avatar=theirs)

    edits = [
        await client.post("/jobs/update", json={"id": job_id, "salary_max": 21000}, headers=user),
        await client.post("/jobs/update", json={"id": job_id, "photo_urls": [theirs, ours]}, headers=user),
        await client.post("/user/update/info", json={"avatar": theirs, "name": "小周"}, headers=user),
    ]
    assert [edit.status_code for edit in edits] == [200, 200, 200]
    assert (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]["photo_urls"] == [theirs, ours]
    assert (await client.get("/user/info", headers=user)).json()["data"]["avatar"] == theirs


class HeldDecodes:
    """The app's decode slots, replaced by ones whose decodes wait (in their threads) until `release()`."""

    def __init__(self, app, monkeypatch, concurrency: int, wait_seconds: float):
        self.decoding = Decoding(concurrency, wait_seconds)
        self.decoding.before_decode = self._hold
        self._entered, self._released = threading.Semaphore(0), threading.Event()
        monkeypatch.setattr(app.ctx, "image_decoding", self.decoding)

    def _hold(self) -> None:
        self._entered.release()
        self._released.wait(30)

    async def decoding_now(self, count: int) -> None:
        """Until `count` more decodes have started (and are held)."""
        for _ in range(count):
            assert await asyncio.to_thread(self._entered.acquire, timeout=10), "no decode started"

    def started_any(self) -> bool:
        return self._entered.acquire(blocking=False)

    def release(self) -> None:
        self._released.set()


@pytest.fixture
def hold_decodes(app, monkeypatch):
    made: list[HeldDecodes] = []

    def make(concurrency: int, wait_seconds: float) -> HeldDecodes:
        made.append(HeldDecodes(app, monkeypatch, concurrency, wait_seconds))
        return made[-1]

    yield make
    for held in made:
        held.release()


def stored_files(settings, user) -> list:
    return list((settings.data_dir / "uploads").rglob(f"{user['user_id']}_*"))


async def test_at_most_n_images_decode_at_once_and_the_next_is_told_to_retry(client, user, settings, hold_decodes):
    held = hold_decodes(concurrency=2, wait_seconds=0)
    first = [asyncio.create_task(upload(client, user, image_bytes("PNG"), name="a.png")) for _ in range(2)]
    await held.decoding_now(2)
    busy = await upload(client, user, image_bytes("PNG"), name="a.png")
    assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
    assert busy.json()["code"] == 503 and "try again" in busy.json()["message"]
    held.release()
    assert [(await task).status_code for task in first] == [200, 200]
    assert len(stored_files(settings, user)) == 2


async def test_a_queued_upload_waits_for_a_slot_then_decodes(client, user, hold_decodes):
    held = hold_decodes(concurrency=1, wait_seconds=30)
    first = asyncio.create_task(upload(client, user, image_bytes("PNG"), name="a.png"))
    await held.decoding_now(1)
    second = asyncio.create_task(upload(client, user, image_bytes("JPEG")))
    async with asyncio.timeout(10):
        while held.decoding.waiting == 0:
            await asyncio.sleep(0.01)
    assert not held.started_any()  # the first holds the only slot: the second waits, not decodes
    held.release()
    assert [(await first).status_code, (await second).status_code] == [200, 200]


@pytest.mark.parametrize("size, tuned, refusal", [
    ((7000, 6000), {}, "pixels"),  # 42 Mpx, over the default 40
    ((1200, 1000), {"max_image_pixels": 1_000_000}, "pixels"),  # under Pillow's backstop: our limit alone
    ((10_001, 10), {}, "longest side"),
    ((300, 20), {"max_image_side": 256}, "longest side"),
])
async def test_an_image_too_large_is_refused_from_its_header_before_decoding(client, user, settings, tune,
                                                                             hold_decodes, size, tuned, refusal):
    tune(**tuned)
    held = hold_decodes(concurrency=1, wait_seconds=0)
    occupying = asyncio.create_task(upload(client, user, image_bytes("PNG"), name="a.png"))
    await held.decoding_now(1)
    out = io.BytesIO()
    Image.new("1", size).save(out, format="PNG")  # a few KB
    response = await upload(client, user, out.getvalue(), name="big.png")
    # Refused while every decode slot is taken: judged from the header, never queued for a decode.
    assert response.status_code == 400 and refusal in response.json()["message"]
    assert response.json()["data"] == {"width": size[0], "height": size[1]}
    held.release()
    assert (await occupying).status_code == 200
    assert len(stored_files(settings, user)) == 1
