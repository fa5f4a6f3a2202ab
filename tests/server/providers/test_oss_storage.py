"""The Aliyun OSS image storage, through the real oss2 SDK, against a local fake OSS that checks signatures."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest

from server.providers.oss_storage import OssStorage
from server.providers.storage import StorageUnavailable
from tests.fakes.oss import ACCESS_KEY_ID, ACCESS_KEY_SECRET, BUCKET, FakeOss

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # binary, every byte value
KEY = "img/42_1768292213248008000.png"


@pytest.fixture
async def oss():
    fake = await FakeOss().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def storage(oss):
    store = OssStorage(oss.url, BUCKET, ACCESS_KEY_ID, ACCESS_KEY_SECRET, public_base_url=None, timeout=1)
    yield store
    await store.close()


async def test_a_put_is_stored_byte_for_byte_and_served_at_the_returned_url(oss, storage):
    url = await storage.put(KEY, PNG, "image/png")
    assert url == f"{oss.url}/{BUCKET}/{KEY}"
    assert (oss.objects[KEY].data, oss.objects[KEY].content_type) == (PNG, "image/png")
    async with httpx.AsyncClient() as client:
        served = await client.get(url)
    assert served.status_code == 200
    assert (served.content, served.headers["content-type"]) == (PNG, "image/png")


async def test_with_a_public_base_the_url_is_on_that_domain(oss):
    store = OssStorage(oss.url, BUCKET, ACCESS_KEY_ID, ACCESS_KEY_SECRET,
                       public_base_url="https://img.example.com/", timeout=1)
    try:
        assert await store.put(KEY, PNG, "image/jpeg") == f"https://img.example.com/{KEY}"
    finally:
        await store.close()
    assert oss.objects[KEY].content_type == "image/jpeg"


@pytest.mark.parametrize("endpoint", ["oss-cn-beijing.aliyuncs.com", "https://oss-cn-beijing.aliyuncs.com",
                                      "http://oss-cn-beijing.aliyuncs.com"])
async def test_an_aliyun_endpoint_gives_the_buckets_own_https_domain(endpoint):
    store = OssStorage(endpoint, BUCKET, ACCESS_KEY_ID, ACCESS_KEY_SECRET, public_base_url=None)
    try:
        assert store.public_url(KEY) == f"https://{BUCKET}.oss-cn-beijing.aliyuncs.com/{KEY}"
    finally:
        await store.close()


@pytest.mark.parametrize("key_id, secret, oss_error", [(ACCESS_KEY_ID, "wrong-secret", "SignatureDoesNotMatch"),
                                                       ("LTAI-other", ACCESS_KEY_SECRET, "InvalidAccessKeyId")])
async def test_wrong_credentials_are_storage_unavailable_and_store_nothing(oss, caplog, key_id, secret, oss_error):
    store = OssStorage(oss.url, BUCKET, key_id, secret, public_base_url=None, timeout=1)
    try:
        with caplog.at_level(logging.WARNING, logger="server.oss"), pytest.raises(StorageUnavailable):
            await store.put(KEY, PNG, "image/png")
    finally:
        await store.close()
    assert oss.objects == {}
    warnings = [r.getMessage() for r in caplog.records if r.name == "server.oss"]
    assert len(warnings) == 1 and oss_error in warnings[0]  # the operator sees what OSS refused
    assert KEY not in warnings[0] and secret not in warnings[0]


async def test_a_failing_oss_is_storage_unavailable(oss, storage):
    oss.fail = True
    with pytest.raises(StorageUnavailable):
        await storage.put(KEY, PNG, "image/png")
    assert oss.objects == {}


async def test_a_hung_oss_is_storage_unavailable_within_the_timeout(oss, storage):
    oss.hang = True
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        await storage.put(KEY, PNG, "image/png")
    assert time.monotonic() - started < 3  # timeout=1
    assert oss.objects == {}


async def test_an_unreachable_oss_is_storage_unavailable(oss):
    url = oss.url
    await oss.stop()  # nothing listens there any more (the fixture's second stop is harmless)
    store = OssStorage(url, BUCKET, ACCESS_KEY_ID, ACCESS_KEY_SECRET, public_base_url=None, timeout=1)
    try:
        with pytest.raises(StorageUnavailable):
            await store.put(KEY, PNG, "image/png")
    finally:
        await store.close()


async def test_the_event_loop_keeps_running_while_oss_hangs(oss, storage):
    oss.hang = True
    ticks = 0

    async def tick():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticker = asyncio.create_task(tick())
    with pytest.raises(StorageUnavailable):
        await storage.put(KEY, PNG, "image/png")
    ticker.cancel()
    assert ticks >= 5  # a blocking SDK call on the loop would have starved the ticker for the whole second


@pytest.mark.parametrize("public_base, url, owned", [
    (None, "https://jobs-img.oss-cn-beijing.aliyuncs.com/img/1.png", True),
    (None, "https://jobs-img.oss-cn-beijing.aliyuncs.com.evil.com/img/1.png", False),
    (None, "https://other.oss-cn-beijing.aliyuncs.com/img/1.png", False),
    (None, "https://jobs-img.oss-cn-beijing.aliyuncs.com", False),
    ("https://img.example.com", "https://img.example.com/img/1.png", True),
    ("https://img.example.com", "https://img.example.com.evil.com/img/1.png", False),
    ("https://img.example.com", "https://jobs-img.oss-cn-beijing.aliyuncs.com/img/1.png", False),
])
async def test_owns_only_its_own_urls(public_base, url, owned):
    store = OssStorage("oss-cn-beijing.aliyuncs.com", BUCKET, ACCESS_KEY_ID, ACCESS_KEY_SECRET, public_base)
    try:
        assert store.owns(url) is owned
    finally:
        await store.close()
