"""A section is its package and nothing else: 零工 (tests/sections/gigs: its own model, migration, mapping, bodies,
items, prices and texts; no shared file names it), loaded by SECTION_PACKAGES into `python -m server`, is
migrated, documented, written, indexed, listed, shown, saved, reported, bought for, unlocked and listed as
"mine" through HTTP by the shared core, and schemathesis finds nothing wrong in its operations."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import asyncmy
import httpx
import pytest

from tests.helpers.processes import ServerProcess, register, server_env, wait_until
from tests.helpers.services import free_port, is_mysql
from tests.server.test_openapi import _schemathesis

GIG = {"title": "周末宴席帮厨", "pay": 300, "description": "周六中午，管一顿饭。", "contact": "13812341234",
       "contact_name": "王师傅", "longitude": 121.47, "latitude": 31.23, "address": "上海市静安区南京西路1号"}
MANY = "1000000"


def _in_a_thread(coroutine) -> None:
    # Fixtures here are sync and pytest-asyncio's loop may be running: a loop of our own, in its own thread.
    failures: list[BaseException] = []

    def run():
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the test's thread)
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


async def _fresh_database(url: str) -> None:
    parts = urlsplit(url)
    connection = await asyncmy.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root",
                                       password=parts.password or "", autocommit=True)
    try:
        async with connection.cursor() as cursor:
            name = parts.path.lstrip("/")
            await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            await cursor.execute(f"CREATE DATABASE `{name}`")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def gig_board(settings, tmp_path_factory):
    """`python -m server` with the gigs section, on a database of its own (MariaDB when the suite runs on it)."""
    tmp = tmp_path_factory.mktemp("gigs")
    env = {"DATA_DIR": str(tmp / "data"), "SECTION_PACKAGES": "tests.sections.gigs",
           "RATE_LIMIT_LOGIN_PER_CODE": MANY, "RATE_LIMIT_LOGIN_PER_IP": MANY, "RATE_LIMIT_WRITES_PER_USER": MANY}
    if is_mysql(settings):
        parts = urlsplit(settings.resolved_database_url)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=parts.path + "_gigs", query=""))
        _in_a_thread(_fresh_database(env["DATABASE_URL"]))
    server = ServerProcess(server_env(**env), free_port(), tmp / "server.log")
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


def _ok(response: httpx.Response) -> dict:
    assert response.status_code == 200 and response.json()["code"] == 0, response.text
    return response.json()["data"]


def test_its_operations_are_in_the_api_document(gig_board):
    document = httpx.get(f"{gig_board.base}/docs/openapi.json").json()
    paths = {path for path in document["paths"] if "gig" in path}
    assert paths == {"/gig/create", "/gigs/update", "/gigs/list", "/gigs/info", "/gig/close", "/gigs/refresh",
                     "/gigs/top", "/gigs/refresh/pay", "/gig/collect", "/gig/cancel_collect", "/gig/report"}
    schemas = document["components"]["schemas"]
    assert schemas["GigListFilter"]["properties"]["min_pay"]
    assert "gig" in schemas["Prices"]["properties"] and "gigs" in schemas["HotSearchList"]["properties"]
    assert {"$ref": "#/components/schemas/MyGig"} in schemas["MyPostings"]["properties"]["contacts"]["items"]["anyOf"]


def test_it_is_served_through_http_by_the_shared_core(gig_board):
    base = gig_board.base
    owner, worker = register(base, "gig-owner"), register(base, "gig-worker")
    rich = _ok(httpx.post(f"{base}/gig/create", json=GIG, headers=owner))["id"]
    poor = _ok(httpx.post(f"{base}/gig/create", json={**GIG, "pay": 100, "title": "搬家帮手"}, headers=owner))["id"]
    refused = httpx.post(f"{base}/gig/create", json={**GIG, "pay": 0}, headers=owner)
    assert refused.status_code == 400 and "pay" in refused.text

    def listed(**wanted) -> list[int] | None:
        data = _ok(httpx.post(f"{base}/gigs/list", json={"query_type": 3, "filter": wanted}))
        return [gig["id"] for gig in data["gigs"]] or None

    # Indexed by the shared drainer, listed with the section's own filter, in its declared item shape.
    assert wait_until(listed, 30, "the gigs are listed") == [poor, rich]
    assert listed(min_pay=200) == [rich]
    detail = _ok(httpx.post(f"{base}/gigs/info", json={"gig_id": rich}, headers=worker))
    assert (detail["title"], detail["pay"], detail["contact"]) == ("周末宴席帮厨", 300, "138****1234")

    _ok(httpx.post(f"{base}/gigs/update", json={"id": rich, "pay": 350}, headers=owner))
    assert wait_until(lambda: _ok(httpx.post(f"{base}/gigs/info", json={"gig_id": rich}))["pay"] == 350, 10,
                      "the edit is shown")
    _ok(httpx.post(f"{base}/gig/collect", json={"gig_id": rich}, headers=worker))
    saved = _ok(httpx.post(f"{base}/collect/my", json={"biz_type": 9}, headers=worker))
    assert [(item["gig_id"], item["pay"]) for item in saved["list"]] == [(rich, 350)]
    mine = _ok(httpx.post(f"{base}/jobs/my", json={"biz_type": 9}, headers=owner))
    assert sorted(item["id"] for item in mine["contacts"]) == sorted([rich, poor])

    # Its prices are its own (the declaration's), and a paid top is bought at them.
    prices = _ok(httpx.get(f"{base}/pay/prices"))["gig"]
    assert prices == {"top": [{"top_hour": 12, "price": 0.5}, {"top_hour": 24, "price": 0.9}], "refresh": {"price": 0.3}}
    order = _ok(httpx.post(f"{base}/gigs/top", json={"gig_id": poor, "top_hour": 24, "price": 0.9}, headers=owner))
    assert Decimal(str(order["amount"])) == Decimal("0.9")
    wrong = httpx.post(f"{base}/gigs/top", json={"gig_id": poor, "top_hour": 24, "price": 2.00}, headers=owner)
    assert wrong.status_code == 400

    # A voucher unlocks a gig's number as any posting's; the worker's history names the gig by its title.
    voucher = _ok(httpx.post(f"{base}/contact_voucher/buy", json={"price": 3.99, "contact_voucher_num": 1},
                             headers=worker))
    _ok(httpx.post(f"{base}/dev/pay/confirm", json={"order_no": voucher["order_no"]}, headers=worker))
    unlocked = _ok(httpx.post(f"{base}/contact_voucher/cost", json={"purpose_id": rich, "purpose_type": 9},
                              headers=worker))
    assert unlocked["phone"] == "13812341234"
    history = _ok(httpx.post(f"{base}/contact_history/out", json={"biz_type": 9}, headers=worker))
    assert [(item["id"], item["title"]) for item in history["list"]] == [(rich, "周末宴席帮厨")]

    _ok(httpx.post(f"{base}/gig/report", json={"gig_id": poor, "reason": "fraud"}, headers=worker))
    _ok(httpx.post(f"{base}/gig/close", json={"gig_id": rich}, headers=owner))
    assert wait_until(lambda: listed() == [poor], 10, "the closed gig leaves the list")


def test_schemathesis_finds_nothing_wrong_in_its_operations(gig_board, tmp_path):
    base = gig_board.base
    registered = httpx.post(f"{base}/wechat/user/register", json={"login_code": "test:gst", "phone_code": "test:gst"})
    headers = {"Authorization": registered.headers["authorization"],
               "user_id": str(registered.json()["data"]["user_info"]["id"])}
    _ok(httpx.post(f"{base}/gig/create", json=GIG, headers=headers))
    report = _schemathesis(base, headers, tmp_path / "gigs.json", "--include-path-regex", "^/gigs?/")
    assert report["failures"] == [] and report["errors"] == []
    assert report["operations"]["tested"] == 11, report["operations"]
