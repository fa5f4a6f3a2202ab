"""招租 (biz_type 3) through the API: a shop from create to close, its money and area as stored, its vocabulary,
面议, and what a contact history shows of it."""

from __future__ import annotations

from datetime import datetime

import pytest

from indexer.sync import drain
from models.shop import Shop
from tests.helpers.api import login_as
from tests.helpers.payments import charged_fen, order, order_status, pay
from tests.helpers.postings import SEED_SHOP as SHOP
from tests.helpers.postings import post, try_post

NOW = datetime(2026, 3, 2, 10, 0)


@pytest.fixture
async def owner(client):
    return await login_as(client, "shop owner")


@pytest.fixture
async def tenant(client, tune):
    tune(free_contact_vouchers=2)
    return await login_as(client, "restaurateur")


async def shops(client, app, headers=None, **body) -> list[dict]:
    await drain(app.ctx.search.client)
    response = await client.post("/shops/list", json={"query_type": 3, "page_size": 50, **body},
                                 headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()["data"]["shops"]


async def ids(client, app, **filt) -> list[int]:
    return [shop["id"] for shop in await shops(client, app, filter=filt)]


async def data(client, path: str, headers: dict, **body):
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_the_whole_flow_of_a_shop(client, app, owner, tenant, wechat_pay, travel):
    travel(NOW)
    shop_id = await post(client, owner, "shops")

    # Listed, filtered, shown masked with its exact place and its money and area as posted.
    [listed] = await shops(client, app, tenant, filter={"deal_type": 2, "industry": "火锅", "rent_max": 20000,
                                                         "area_min": 85.5, "facilities": ["明火", "排烟"]})
    assert listed["id"] == shop_id and listed["title"] == SHOP["title"] and listed["biz_type"] == 3
    assert (listed["area_m2"], listed["frontage_m"], listed["rent_month"], listed["transfer_fee"]) == \
        (85.5, 6.5, 18000, 150000)
    assert (listed["longitude"], listed["latitude"]) == (121.445412, 31.223518)
    assert listed["contact"] == "138****1234" and listed["contact_unlocked"] is False
    assert await ids(client, app, deal_type=1) == [] and await ids(client, app, facilities=["外摆"]) == []
    detail = await data(client, "/shops/info", tenant, shop_id=shop_id)
    assert detail["contact"] == "138****1234" and detail["contact_name"] == "张先生"
    assert {k: v for k, v in detail.items() if k != "distance"} == {k: v for k, v in listed.items()
                                                                   if k != "distance"}

    # Unlocked with a voucher; both histories name the shop by its title.
    answer = await data(client, "/contact_voucher/cost", tenant, purpose_type=3, purpose_id=shop_id)
    assert answer["phone"] == "13812341234" and answer["name"] == "张先生" and answer["contact_voucher_num"] == 1
    assert (await data(client, "/shops/info", tenant, shop_id=shop_id))["contact"] == "13812341234"
    out = await data(client, "/contact_history/out", tenant, biz_type=3)
    assert [(i["id"], i["title"], i["address"], i["purpose_user_phone"]) for i in out["list"]] == \
        [(shop_id, SHOP["title"], SHOP["address"], "13812341234")]
    came_in = await data(client, "/contact_history/in", owner, biz_type=3)
    assert [(i["title"], i["purpose_user_id"]) for i in came_in["list"]] == [(SHOP["title"], int(tenant["user_id"]))]
    assert (await data(client, "/contact_history/in", owner, biz_type=1))["list"] == []

    # Favourited; my shops in /jobs/my.
    await data(client, "/shop/collect", tenant, shop_id=shop_id)
    saved = await data(client, "/collect/my", tenant, biz_type=3)
    assert [(f["shop_id"], f["rent_month"], f["unavailable"]) for f in saved["list"]] == [(shop_id, 18000, False)]
    assert (await data(client, "/collect/my", tenant, biz_type=2))["list"] == []
    mine = await data(client, "/jobs/my", owner, biz_type=3)
    assert [(c["id"], c["title"], c["purpose_user_name"]) for c in mine["contacts"]] == [(shop_id, SHOP["title"], "张先生")]

    # Refreshed free once a day, then paid; topped after a payment, first in the recommended list.
    agent = await login_as(client, "agent")
    other = await post(client, agent, "shops", title="商场美食层档口出租", deal_type=1)
    assert [s["id"] for s in await shops(client, app, query_type=1)] == [other, shop_id]
    await data(client, "/shops/refresh", owner, shop_id=shop_id)
    assert [s["id"] for s in await shops(client, app, query_type=1)] == [shop_id, other]
    refused = await client.post("/shops/refresh", json={"shop_id": shop_id}, headers=owner)
    assert refused.status_code == 429 and "/shops/refresh/pay" in refused.json()["message"]
    prices = (await client.get("/pay/prices")).json()["data"]["shop"]
    assert prices["top"] == [{"top_hour": 24, "price": 5.0}, {"top_hour": 72, "price": 12.0},
                             {"top_hour": 168, "price": 19.9}] and prices["refresh"] == {"price": 2.99}
    refresh = await order(client, owner, "/shops/refresh/pay", shop_id=shop_id, price=2.99)
    top = await order(client, agent, "/shops/top", shop_id=other, top_hour=24, price=5.00)
    assert (refresh["amount"], top["amount"]) == (2.99, 5.0)
    assert charged_fen(wechat_pay, refresh, top) == [299, 500]
    assert (await pay(client, wechat_pay, top["order_no"])).status_code == 204
    paid = await order_status(client, agent, top["order_no"])
    assert paid["status"] == "paid" and paid["biz_type"] == 3 and paid["posting_id"] == other
    assert [(s["id"], s["is_top"]) for s in await shops(client, app, query_type=1)] == [(other, 1), (shop_id, 0)]

    # Closed: gone from every list at once; its detail stays public without the number.
    await data(client, "/shop/close", owner, shop_id=shop_id)
    assert [s["id"] for s in await shops(client, app)] == [other]
    closed = await data(client, "/shops/info", tenant, shop_id=shop_id)
    assert closed["status"] == 2 and closed["contact"] == "" and closed["title"] == SHOP["title"]
    assert (await data(client, "/shops/info", owner, shop_id=shop_id))["contact"] == "13812341234"
    saved = await data(client, "/collect/my", tenant, biz_type=3)
    assert (saved["list"][0]["status"], saved["list"][0]["unavailable"]) == (2, False)
    out = await data(client, "/contact_history/out", tenant, biz_type=3)
    assert out["list"][0]["status"] == 2 and out["list"][0]["purpose_user_phone"] == ""
    for path, body in (("/shops/update", {"id": shop_id, "title": "x"}), ("/shops/refresh", {"shop_id": shop_id})):
        assert (await client.post(path, json=body, headers=owner)).status_code == 400


async def test_money_and_area_are_stored_as_integers(client, owner):
    shop_id = await post(client, owner, "shops", area_m2="120.3", frontage_m=None, rent_month="9000",
                         transfer_fee=None)
    shop = await Shop.get(id=shop_id)
    assert (shop.area_tenths, shop.frontage_tenths, shop.rent_month, shop.transfer_fee) == (1203, None, 9000, 0)
    info = await data(client, "/shops/info", owner, shop_id=shop_id)
    assert (info["area_m2"], info["frontage_m"]) == (120.3, None)
    # No rent given: 面议 (0), shown as 0.
    negotiable = await post(client, owner, "shops", rent_month=None)
    assert (await Shop.get(id=negotiable)).rent_month == 0


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"), ({"title": "长" * 41}, "title"), ({"deal_type": 3}, "deal_type"),
    ({"area_m2": 0.9}, "area_m2"), ({"area_m2": 100000.1}, "area_m2"), ({"area_m2": 85.55}, "area_m2"),
    ({"area_m2": None}, "area_m2"), ({"rent_month": -1}, "rent_month"), ({"rent_month": 1.5}, "rent_month"),
    ({"transfer_fee": -5}, "transfer_fee"), ({"industry": []}, "industry"), ({"industry": ["中餐", "赌场"]}, "industry"),
    ({"industry": ["中餐", "火锅", "烧烤", "奶茶", "快餐", "西餐"]}, "industry"),
    ({"facilities": ["明火", "游泳池"]}, "facilities"), ({"frontage_m": 0}, "frontage_m"),
    ({"floor": "楼" * 17}, "floor"), ({"description": "长" * 2001}, "description"),
    ({"contact": "12345"}, "contact"), ({"contact_name": ""}, "contact_name"),
    ({"photo_urls": [f"https://img.example.com/{i}.jpg" for i in range(10)]}, "photo_urls"),
    ({"latitude": 91}, "latitude"), ({"address": ""}, "address"), ({"rent_month": True}, "rent_month"),
])
async def test_bad_shops_are_400_and_store_nothing(client, owner, changes, field):
    response = await try_post(client, owner, "shops", **changes)
    assert response.status_code == 400 and field in response.text, response.text
    assert response.json()["code"] == 400
    assert await Shop.all().count() == 0


async def test_tags_as_text_and_nine_photos(client, owner):
    photos = [f"https://img.example.com/{i}.jpg" for i in range(9)]
    shop_id = await post(client, owner, "shops", industry="奶茶，咖啡、奶茶", facilities="外摆、空调", photo_urls=photos)
    shop = await Shop.get(id=shop_id)
    assert (shop.industry, shop.facilities, len(shop.photo_urls)) == (["奶茶", "咖啡"], ["外摆", "空调"], 9)


async def test_update_changes_only_what_was_sent(client, owner):
    shop_id = await post(client, owner, "shops")
    await data(client, "/shops/update", owner, id=shop_id, rent_month="0", area_m2=90, description="",
               facilities=["外摆"])
    shop = await Shop.get(id=shop_id)
    assert (shop.rent_month, shop.area_tenths, shop.description, shop.facilities, shop.transfer_fee) == \
        (0, 900, SHOP["description"], ["外摆"], 150000)
    bad = await client.post("/shops/update", json={"id": shop_id, "industry": ["赌场"]}, headers=owner)
    assert bad.status_code == 400
    assert (await Shop.get(id=shop_id)).industry == SHOP["industry"]
    nothing = await client.post("/shops/update", json={"id": shop_id}, headers=owner)
    assert nothing.status_code == 400


async def test_nobody_else_may_change_a_shop(client, owner, tenant):
    shop_id = await post(client, owner, "shops")
    for path, body in (("/shops/update", {"id": shop_id, "title": "x"}), ("/shop/close", {"shop_id": shop_id}),
                       ("/shops/refresh", {"shop_id": shop_id})):
        assert (await client.post(path, json=body, headers=tenant)).status_code == 403
    assert (await Shop.get(id=shop_id)).status == 1


async def test_negotiable_rent_stays_in_every_rent_filter(client, app, owner):
    """面议 is "ask", not free: whatever the bounds, a 面议 shop is in; a priced one by its rent, bounds included."""
    negotiable = await post(client, owner, "shops", rent_month=0)
    cheap = await post(client, owner, "shops", rent_month=5000)
    dear = await post(client, owner, "shops", rent_month=30000)
    assert set(await ids(client, app, rent_min=10000)) == {negotiable, dear}
    assert set(await ids(client, app, rent_max=5000)) == {negotiable, cheap}
    assert set(await ids(client, app, rent_min=5001, rent_max=29999)) == {negotiable}
    assert set(await ids(client, app, rent_min=5000, rent_max=30000)) == {negotiable, cheap, dear}


async def test_transfer_fee_and_area_bounds_are_inclusive(client, app, owner):
    none = await post(client, owner, "shops", transfer_fee=0, area_m2=50)
    some = await post(client, owner, "shops", transfer_fee=80000, area_m2=50.1)
    assert await ids(client, app, transfer_fee_max=0) == [none]
    assert set(await ids(client, app, transfer_fee_max=80000)) == {none, some}
    assert await ids(client, app, area_min=50.1) == [some]
    assert await ids(client, app, area_max=50) == [none]
    assert await ids(client, app, area_min=50, area_max=50) == [none]  # one size exactly
    assert await ids(client, app, area_min=50.1, area_max=50.1) == [some]


@pytest.mark.parametrize("filt, field", [
    ({"rent_min": 9000, "rent_max": 8000}, "rent_min"), ({"area_min": 100, "area_max": 50}, "area_min"),
    ({"industry": "赌场"}, "industry"), ({"facilities": ["游泳池"]}, "facilities"), ({"deal_type": 0}, "deal_type"),
    ({"rent_min": -1}, "rent_min"), ({"transfer_fee_max": -1}, "transfer_fee_max"),
])
async def test_bad_filters_are_400(client, filt, field):
    response = await client.post("/shops/list", json={"filter": filt})
    assert response.status_code == 400 and field in response.text, response.text


async def test_the_search_box_never_finds_a_shop_by_its_contact_name(client, app, owner):
    shop_id = await post(client, owner, "shops", contact_name="欧阳先生")
    assert await ids(client, app, keyword="旺铺") == [shop_id]  # what it publishes as text is found
    for keyword in ("欧阳先生", "欧阳", "欧"):
        assert await ids(client, app, keyword=keyword) == [], keyword


async def test_a_shop_is_a_section_of_its_own(client, app, owner, tenant):
    """Ids of shops, cards and jobs overlap: nothing of one section answers for another."""
    shop_id = await post(client, owner, "shops")
    assert (await client.post("/jobs/info", json={"job_id": shop_id})).status_code == 404
    assert (await client.post("/seekers/info", json={"seeker_id": shop_id})).status_code == 404
    assert (await client.post("/job/collect", json={"job_id": shop_id}, headers=tenant)).status_code == 404
    assert await shops(client, app) and (await client.post("/jobs/list", json={})).json()["data"]["jobs"] == []
