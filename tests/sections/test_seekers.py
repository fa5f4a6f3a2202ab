"""求职 (biz_type 2) through the API: a worker's card from create to close, its privacy, and its own rules."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from indexer.sync import drain
from models.seeker import Seeker
from tests.helpers.postings import SEED_CARD as CARD
from tests.helpers.postings import post, try_post
from tests.helpers.api import login_as
from tests.helpers.concurrency import meet_at_the_content_check
from server.services import moderation
from sections.seekers import SEEKERS
from server.services.auth import TokenStore
from server.services.errors import NothingToRestore
from tests.helpers.payments import charged_fen, order, order_status, pay
from tests.helpers.reference import arc_distance_m

NOW = datetime(2026, 3, 2, 10, 0)


@pytest.fixture
async def worker(client):
    headers = await login_as(client, "worker")
    # The WeChat profile name must never stand in for the card's name.
    await client.post("/user/update/info", json={"name": "微信昵称"}, headers=headers)
    return headers


@pytest.fixture
async def employer(client, tune):
    tune(free_contact_vouchers=2)
    return await login_as(client, "employer")


async def cards(client, app, headers=None, **body) -> list[dict]:
    await drain(app.ctx.search.client)
    response = await client.post("/seekers/list", json={"query_type": 3, "page_size": 50, **body},
                                 headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()["data"]["seekers"]


async def data(client, path: str, headers: dict, **body):
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_the_whole_flow_of_a_card(client, app, worker, employer, wechat_pay, travel):
    travel(NOW)
    card_id = await post(client, worker, "seekers")

    # Listed, filtered, shown masked, the place rounded, the age from the birth year.
    [listed] = await cards(client, app, employer, filter={"positions": "面点", "age_min": 30, "age_max": 40})
    assert listed["id"] == card_id and listed["name"] == "王师傅" and listed["age"] == 38
    assert listed["contact"] == "138****1234" and listed["contact_unlocked"] is False
    assert (listed["longitude"], listed["latitude"]) == (121.475, 31.23)
    assert await cards(client, app, employer, filter={"positions": "服务员"}) == []
    detail = await data(client, "/seekers/info", employer, seeker_id=card_id)
    assert detail["contact"] == "138****1234" and detail["positions"] == ["厨师", "面点师"]
    assert detail["longitude"] == listed["longitude"] and detail["available"] == "一周内"

    # Unlocked with a voucher: the number, and both histories show the contact.
    answer = await data(client, "/contact_voucher/cost", employer, purpose_type=2, purpose_id=card_id)
    assert answer["phone"] == "13812341234" and answer["name"] == "王师傅" and answer["contact_voucher_num"] == 1
    assert (await data(client, "/seekers/info", employer, seeker_id=card_id))["contact"] == "13812341234"
    out = await data(client, "/contact_history/out", employer, biz_type=2)
    assert [(i["id"], i["positions"], i["purpose_user_phone"]) for i in out["list"]] == \
        [(card_id, "厨师、面点师", "13812341234")]
    came_in = await data(client, "/contact_history/in", worker, biz_type=2)
    assert [i["purpose_user_id"] for i in came_in["list"]] == [int(employer["user_id"])]
    assert (await data(client, "/contact_history/in", worker, biz_type=1))["list"] == []

    # Favourited; my cards in /jobs/my under `contacts`.
    await data(client, "/seeker/collect", employer, seeker_id=card_id)
    saved = await data(client, "/collect/my", employer, biz_type=2)
    assert [(f["seeker_id"], f["unavailable"]) for f in saved["list"]] == [(card_id, False)]
    assert (await data(client, "/collect/my", employer, biz_type=1))["list"] == []
    mine = await data(client, "/jobs/my", worker, biz_type=2)
    assert [(c["id"], c["purpose_user_name"]) for c in mine["contacts"]] == [(card_id, "王师傅")]

    # Refreshed free once a day, then paid; topped after a payment, first in the recommended list.
    other = await post(client, await login_as(client, "other worker"), "seekers", name="李阿姨", positions="保洁")
    assert [c["id"] for c in await cards(client, app, query_type=1)] == [other, card_id]
    await data(client, "/seekers/refresh", worker, seeker_id=card_id)
    refused = await client.post("/seekers/refresh", json={"seeker_id": card_id}, headers=worker)
    assert refused.status_code == 429 and "/seekers/refresh/pay" in refused.json()["message"]
    prices = (await client.get("/pay/prices")).json()["data"]["seeker"]
    assert prices["top"] == [{"top_hour": 24, "price": 1.0}, {"top_hour": 72, "price": 2.5},
                             {"top_hour": 168, "price": 4.9}] and prices["refresh"] == {"price": 0.99}
    refresh = await order(client, worker, "/seekers/refresh/pay", seeker_id=card_id, price=0.99)
    top = await order(client, worker, "/seekers/top", seeker_id=card_id, top_hour=24, price=1.00)
    assert (refresh["amount"], top["amount"]) == (0.99, 1.0)
    assert charged_fen(wechat_pay, refresh, top) == [99, 100]
    assert (await pay(client, wechat_pay, top["order_no"])).status_code == 204
    paid = await order_status(client, worker, top["order_no"])
    assert paid["status"] == "paid" and paid["biz_type"] == 2 and paid["posting_id"] == card_id
    assert paid["job_id"] is None
    await create_recommended_check(client, app, card_id, other)

    # Closed: gone from every list at once, its detail the owner's only.
    await data(client, "/seeker/close", worker, seeker_id=card_id)
    assert [c["id"] for c in await cards(client, app)] == [other]
    gone = await client.post("/seekers/info", json={"seeker_id": card_id}, headers=employer)
    assert gone.status_code == 404
    assert (await data(client, "/seekers/info", worker, seeker_id=card_id))["status"] == 2
    saved = await data(client, "/collect/my", employer, biz_type=2)
    assert saved["list"][0]["unavailable"] is True and saved["list"][0]["name"] == ""
    assert saved["list"][0]["positions"] == []  # nothing, in the documented type
    out = await data(client, "/contact_history/out", employer, biz_type=2)
    assert out["list"][0]["unavailable"] is True and out["list"][0]["purpose_user_phone"] == ""
    # ...and with it closed, the worker may post a new one.
    assert await post(client, worker, "seekers") != card_id


async def create_recommended_check(client, app, topped: int, other: int) -> None:
    listed = await cards(client, app, query_type=1)
    assert [(c["id"], c["is_top"]) for c in listed] == [(topped, 1), (other, 0)]


async def test_one_open_card_per_worker(client, app, worker):
    first = await post(client, worker, "seekers")
    again = await try_post(client, worker, "seekers")
    assert again.status_code == 400 and again.json()["data"] == {"seeker_id": first}
    assert await Seeker.filter(user_id=int(worker["user_id"])).count() == 1


async def test_concurrent_creates_leave_one_card(client, app, worker, monkeypatch):
    meet_at_the_content_check(monkeypatch, 4)
    answers = await asyncio.gather(*(try_post(client, worker, "seekers") for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400]
    assert await Seeker.filter(user_id=int(worker["user_id"])).count() == 1


async def test_the_card_name_is_the_workers_own(client, worker):
    no_name = await try_post(client, worker, "seekers", name="")
    assert no_name.status_code == 400 and "name" in no_name.json()["message"]
    card_id = await post(client, worker, "seekers", name="小张")
    assert (await data(client, "/seekers/info", worker, seeker_id=card_id))["name"] == "小张"


async def test_age_is_stored_as_a_birth_year(client, worker, travel):
    travel(NOW)
    card_id = await post(client, worker, "seekers", birth_year=None, age=30)
    assert (await Seeker.get(id=card_id)).birth_year == 1996
    travel(datetime(2027, 1, 1, 0, 0))
    assert (await data(client, "/seekers/info", worker, seeker_id=card_id))["age"] == 31


async def test_ages_from_16_to_80_are_accepted(client, worker, travel):
    travel(NOW)  # 2026
    for card in ({"birth_year": None, "age": 16}, {"birth_year": None, "age": 80}, {"birth_year": 2010},
                 {"birth_year": 1946}):
        card_id = await post(client, worker, "seekers", **card)
        assert (await Seeker.get(id=card_id)).birth_year == (card["birth_year"] or 2026 - card["age"])
        await data(client, "/seeker/close", worker, seeker_id=card_id)
    for card, field in (({"birth_year": None, "age": 15}, "age"), ({"birth_year": None, "age": 81}, "age"),
                        ({"birth_year": 2011}, "birth_year"), ({"birth_year": 1945}, "birth_year")):
        response = await try_post(client, worker, "seekers", **card)
        assert response.status_code == 400 and field in response.text, (card, response.text)
    assert await Seeker.all().count() == 4


@pytest.mark.parametrize("changes, field", [
    ({"birth_year": None, "age": None}, "birth_year"), ({"age": 12, "birth_year": None}, "age"),
    ({"birth_year": 1900}, "birth_year"), ({"age": 30, "birth_year": 1980}, "age"),
    ({"positions": []}, "positions"), ({"positions": ["a", "b", "c", "d"]}, "positions"),
    ({"sex": 3}, "sex"), ({"salary_min": -1}, "salary"), ({"salary_min": 9000, "salary_max": 7000}, "salary"),
    ({"salary_max": None}, "salary"), ({"experience_years": 51}, "experience_years"),
    ({"available": "明天"}, "available"), ({"description": "长" * 1001}, "description"),
    ({"contact": "12345"}, "contact"), ({"name": "名" * 21}, "name"), ({"latitude": 91}, "latitude"),
    ({"name": "\u200b"}, "name"), ({"name": "王\n师傅"}, "name"),
])
async def test_bad_cards_are_400_and_store_nothing(client, worker, changes, field):
    response = await try_post(client, worker, "seekers", **changes)
    assert response.status_code == 400 and field in response.text, response.text
    assert await Seeker.all().count() == 0


async def test_negotiable_salary_and_positions_as_text(client, app, worker):
    card_id = await post(client, worker, "seekers", salary_min=None, salary_max=None, positions="厨师，配菜、厨师")
    card = await Seeker.get(id=card_id)
    assert (card.salary_min, card.salary_max, card.positions) == (-1, -1, ["厨师", "配菜"])
    # 面议 stays in a salary-filtered list (it negotiates).
    assert [c["id"] for c in await cards(client, app, filter={"salary_min": 5000, "salary_max": 6000})] == [card_id]


async def test_update_changes_only_what_was_sent(client, worker):
    card_id = await post(client, worker, "seekers")
    await data(client, "/seekers/update", worker, id=card_id, available="随时", description="", salary_min="7500")
    card = await Seeker.get(id=card_id)
    assert (card.available, card.description, card.salary_min, card.salary_max) == \
        ("随时", CARD["description"], 7500, 9000)
    mixed = await client.post("/seekers/update", json={"id": card_id, "salary_min": -1}, headers=worker)
    inverted = await client.post("/seekers/update", json={"id": card_id, "salary_min": 9500}, headers=worker)
    assert mixed.status_code == inverted.status_code == 400
    assert (await Seeker.get(id=card_id)).salary_min == 7500


async def test_nobody_else_may_change_a_card(client, worker, employer):
    card_id = await post(client, worker, "seekers")
    for path, body in (("/seekers/update", {"id": card_id, "name": "x"}), ("/seeker/close", {"seeker_id": card_id}),
                       ("/seekers/refresh", {"seeker_id": card_id})):
        assert (await client.post(path, json=body, headers=employer)).status_code == 403
    assert (await Seeker.get(id=card_id)).status == 1


async def test_the_exact_point_is_never_served(client, app, worker, employer):
    card_id = await post(client, worker, "seekers")
    here = {"longitude": 121.4700, "latitude": 31.2290}
    [near] = await cards(client, app, employer, query_type=2, filter={**here, "distance_km": 1})
    published = (121.475, 31.23)  # the nearest points of the 0.005° grid: 24295 × 0.005, 6246 × 0.005
    assert (near["longitude"], near["latitude"]) == published
    # The distance is the published point's, not the exact one's: nothing the list answers tells the exact one.
    assert near["distance"] == round(arc_distance_m(here["latitude"], here["longitude"], published[1], published[0]))
    assert near["distance"] != round(arc_distance_m(here["latitude"], here["longitude"], 31.230416, 121.473712))
    for shown in (near, await data(client, "/seekers/info", employer, seeker_id=card_id)):
        assert "121.473712" not in str(shown) and "31.230416" not in str(shown)


async def test_a_card_is_a_section_of_its_own(client, app, worker, employer):
    """Ids of cards and jobs overlap: nothing of one section answers for the other."""
    card_id = await post(client, worker, "seekers")
    assert (await client.post("/jobs/info", json={"job_id": card_id})).status_code == 404
    assert (await client.post("/job/collect", json={"job_id": card_id}, headers=employer)).status_code == 404
    assert await cards(client, app) and (await client.post("/jobs/list", json={})).json()["data"]["jobs"] == []


async def test_every_published_text_of_a_card_is_checked(client, worker, wechat_content):
    for field, value in (("name", "risky-word"), ("positions", ["厨师", "risky-word"]),
                         ("description", "risky-word"), ("address", "risky-word")):
        response = await try_post(client, worker, "seekers", **{field: value})
        assert (response.status_code, response.json()["data"]) == (400, {"field": field}), response.text
    assert await Seeker.all().count() == 0
    card_id = await post(client, worker, "seekers")
    refused = await client.post("/seekers/update", json={"id": card_id, "description": "risky-word"}, headers=worker)
    assert refused.status_code == 400 and (await Seeker.get(id=card_id)).description == CARD["description"]


async def test_reports_hide_a_card_and_a_ban_takes_it_down(client, app, worker, tune):
    tune(report_hide_threshold=2, report_min_account_age_hours=0)
    card_id = await post(client, worker, "seekers")
    own = await client.post("/seeker/report", json={"seeker_id": card_id, "reason": "fraud"}, headers=worker)
    assert own.status_code == 400
    for name in ("a", "b"):
        reporter = await login_as(client, name)
        await data(client, "/seeker/report", reporter, seeker_id=card_id, reason="fraud")
        if name == "a":
            again = await client.post("/seeker/report", json={"seeker_id": card_id, "reason": "fraud"},
                                      headers=reporter)
            assert again.status_code == 400 and "already reported this seeker" in again.json()["message"]
    assert (await Seeker.get(id=card_id)).moderation == "hidden"
    assert await cards(client, app) == []
    assert (await client.post("/seekers/info", json={"seeker_id": card_id}, headers=reporter)).status_code == 404

    other = await login_as(client, "second worker")
    kept = await post(client, other, "seekers")
    tokens = TokenStore.from_settings(app.ctx.cache, app.ctx.settings)
    assert await moderation.ban(int(other["user_id"]), "ops-li", "scam", tokens) == [("seeker", kept)]
    assert (await Seeker.get(id=kept)).moderation == "taken_down" and await cards(client, app) == []


async def test_photos_are_the_workers_own_uploads(client, worker, tune):
    tune(image_url_prefixes="https://cdn.example.com/")
    response = await try_post(client, worker, "seekers", photo_urls=["https://elsewhere.cn/a.jpg"])
    assert response.status_code == 400 and response.json()["data"]["url"] == "https://elsewhere.cn/a.jpg"
    assert await Seeker.all().count() == 0
    card_id = await post(client, worker, "seekers", photo_urls=["https://cdn.example.com/me.jpg"])
    assert (await Seeker.get(id=card_id)).photo_urls == ["https://cdn.example.com/me.jpg"]


async def test_the_search_box_finds_cards_by_what_they_publish_never_by_name_or_phone(client, app):
    cook = await post(client, await login_as(client, "w1"), "seekers")
    baker = await post(client, await login_as(client, "w2"), "seekers", name="李阿姨", positions=["面点师"],
                       description="会做包子、粥", third_area_des="浦东新区", contact="13900001111")
    found = {}
    for keyword in ("面", "粥", "厨师", "静安", "浦东", "王师傅", "13900001111", "川菜 面点", "ＫＦＣ"):
        found[keyword] = {c["id"] for c in await cards(client, app, filter={"keyword": keyword})}
    assert found == {"面": {cook, baker}, "粥": {baker}, "厨师": {cook}, "静安": {cook}, "浦东": {baker},
                     "王师傅": set(), "13900001111": set(), "川菜 面点": {cook}, "ＫＦＣ": set()}


async def test_a_restore_never_gives_a_worker_two_open_cards(client, worker):
    first = await post(client, worker, "seekers")
    await moderation.take_down(SEEKERS, first, "ops-li", "fake number")
    second = await post(client, worker, "seekers")  # their one open card is down: a new one is theirs to post
    with pytest.raises(NothingToRestore, match=f"has another open seeker \\({second}\\)"):
        await moderation.restore(SEEKERS, first, "ops-li", "appeal accepted")
    assert (await Seeker.get(id=first)).moderation == "taken_down"
    await data(client, "/seeker/close", worker, seeker_id=second)
    await moderation.restore(SEEKERS, first, "ops-li", "appeal accepted")
    assert [c["id"] for c in (await data(client, "/jobs/my", worker, biz_type=2))["contacts"] if c["status"] == 1] \
        == [first]


async def test_who_saved_a_card_can_unsave_it_once_closed(client, app, worker, employer):
    """Closed, the card is private to others, but not to whoever saved it before: their favourite can go."""
    card_id = await post(client, worker, "seekers")
    await data(client, "/seeker/collect", employer, seeker_id=card_id)
    await data(client, "/seeker/close", worker, seeker_id=card_id)
    assert [f["seeker_id"] for f in (await data(client, "/collect/my", employer, biz_type=2))["list"]] == [card_id]
    await data(client, "/seeker/cancel_collect", employer, seeker_id=card_id)
    assert (await data(client, "/collect/my", employer, biz_type=2))["list"] == []
    again = await client.post("/seeker/cancel_collect", json={"seeker_id": card_id}, headers=employer)
    assert again.status_code == 404  # saved no longer: the closed card is private to them as to anyone


async def test_a_closed_card_is_not_found_by_others_whatever_they_try(client, worker, employer):
    card_id = await post(client, worker, "seekers")
    await data(client, "/seeker/close", worker, seeker_id=card_id)
    for path, body in (("/seekers/info", {"seeker_id": card_id}), ("/seeker/collect", {"seeker_id": card_id}),
                       ("/seeker/report", {"seeker_id": card_id, "reason": "fraud"}),
                       ("/contact_voucher/cost", {"purpose_type": 2, "purpose_id": card_id}),
                       ("/seeker/cancel_collect", {"seeker_id": card_id}), ("/seeker/close", {"seeker_id": card_id}),
                       ("/seekers/update", {"id": card_id, "name": "x"}), ("/seekers/refresh", {"seeker_id": card_id}),
                       ("/seekers/top", {"seeker_id": card_id, "top_hour": 24, "price": 1}),
                       ("/seekers/refresh/pay", {"seeker_id": card_id, "price": 0.99})):
        closed = await client.post(path, json=body, headers=employer)
        unknown = await client.post(path, json={**body, **{k: 987654 for k in body if k.endswith("id")}},
                                    headers=employer)
        assert (closed.status_code, closed.json()) == (unknown.status_code, unknown.json()) == \
            (404, {"code": 404, "message": "Not Found", "data": "seeker not found"}), path
