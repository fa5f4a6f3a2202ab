"""Tokens and abuse: logout, a cap on live tokens, and rate limits on login, register and writes."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.user import User
from tests.helpers.api import login_as


async def test_logout_revokes_only_the_presented_token(client):
    phone = await login_as(client, "lee")
    laptop = await login_as(client, "lee")
    response = await client.post("/wechat/user/logout", headers=phone)
    assert response.json() == {"code": 0, "message": "", "data": None}
    assert (await client.get("/user/info", headers=phone)).status_code == 401
    assert (await client.get("/user/info", headers=laptop)).status_code == 200
    assert (await client.post("/wechat/user/logout", headers=phone)).status_code == 401


async def test_live_tokens_per_user_are_capped_oldest_first(client, tune):
    tune(max_tokens_per_user=3)
    sessions = [await login_as(client, "mia") for _ in range(5)]
    alive = [(await client.get("/user/info", headers=h)).status_code == 200 for h in sessions]
    assert alive == [False, False, True, True, True]


async def test_the_eleventh_session_ends_the_first_when_the_cap_is_ten(client, tune):
    tune(max_tokens_per_user=10, rate_limit_login_per_code=100)

    async def alive(sessions) -> list[bool]:
        return [(await client.get("/user/info", headers=h)).status_code == 200 for h in sessions]

    sessions = [await login_as(client, "mia") for _ in range(10)]
    assert await alive(sessions) == [True] * 10
    sessions.append(await login_as(client, "mia"))  # one over the cap
    assert await alive(sessions) == [False] + [True] * 10


async def test_register_with_one_code_is_limited_per_minute(client, tune):
    tune(rate_limit_login_per_code=3, rate_limit_login_per_ip=100)
    body = {"login_code": "test:ned", "phone_code": "test:ned"}
    answers = [await client.post("/wechat/user/register", json=body) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["code"] == 429 and "try again" in refused.json()["data"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # Another code from the same address still gets through, and login shares the code's budget.
    assert (await client.post("/wechat/user/register", json={"login_code": "test:ola", "phone_code": "test:ola"})
            ).status_code == 200
    assert (await client.post("/wechat/user/login", json={"login_code": "test:ned"})).status_code == 429
    assert await User.all().count() == 2


async def test_login_is_limited_per_client_address(client, tune):
    tune(rate_limit_login_per_code=100, rate_limit_login_per_ip=5)
    codes = [f"test:ip{i}" for i in range(7)]
    statuses = [(await client.post("/wechat/user/register", json={"login_code": c, "phone_code": c})).status_code
                for c in codes]
    assert statuses == [200] * 5 + [429] * 2
    assert await User.all().count() == 5  # the refused ones reached neither WeChat nor the database


async def test_writes_are_limited_per_user(client, tune):
    tune(rate_limit_writes_per_user=3)
    quinn, rosa = await login_as(client, "quinn"), await login_as(client, "rosa")
    geo = {"longitude": 116.39, "latitude": 39.9}
    statuses = [(await client.post("/user/update/geo", json=geo, headers=quinn)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert (await client.post("/user/update/geo", json=geo, headers=rosa)).status_code == 200
    assert (await client.get("/user/info", headers=quinn)).status_code == 200  # reads are not counted


async def test_an_identity_header_sent_twice_is_refused_not_read_as_its_first(client):
    sam, tia = await login_as(client, "sam"), await login_as(client, "tia")
    before = await User.get(id=int(sam["user_id"]))
    sam_token = ("Authorization", sam["Authorization"])
    cases = [  # (headers, the header named in the refusal)
        # The seed's user_id, twice (a second one appended on the way), or under both spellings.
        ([sam_token, ("user_id", sam["user_id"]), ("user_id", tia["user_id"])], "user_id"),
        ([sam_token, ("user_id", sam["user_id"]), ("user-id", tia["user_id"])], "user_id"),
        ([sam_token, ("Authorization", tia["Authorization"])], "authorization"),
    ]
    for headers, name in cases:
        response = await client.post("/user/update/info", json={"name": "改名"}, headers=headers)
        assert response.status_code == 400, (headers, response.text)
        assert response.json() == {"code": 400, "message": f"the {name} header was sent 2 times: send it once",
                                   "data": None}
    # The public listing, where a token only says who looks, refuses two of them as well.
    listing = await client.post("/jobs/list", json={"query_type": 3, "page_num": 1, "page_size": 10},
                                headers=cases[-1][0])
    assert listing.status_code == 400
    assert (await User.get(id=before.id)).name == before.name  # nothing changed
    assert (await client.post("/user/update/info", json={"name": "改名"}, headers=sam)).status_code == 200


async def test_a_limited_user_writes_again_next_minute_and_no_counter_is_kept_for_good(client, app, tune, travel):
    tune(rate_limit_writes_per_user=2)
    start = datetime(2026, 3, 2, 10, 0, 5)
    travel(start)
    quinn = await login_as(client, "quinn")
    geo = {"longitude": 116.39, "latitude": 39.9}
    answers = [await client.post("/user/update/geo", json=geo, headers=quinn) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 50 <= int(answers[-1].headers["retry-after"]) <= 55  # until the minute ends on the app's clock
    travel(start + timedelta(seconds=56))  # the next minute
    assert (await client.post("/user/update/geo", json=geo, headers=quinn)).status_code == 200
    # Every counter (writes, and the login's per code and per address) expires by itself in Redis.
    counters = [key async for key in app.ctx.cache.scan_iter("ratelimit:*")]
    assert len(counters) == 4
    assert [0 < await app.ctx.cache.ttl(key) <= 60 for key in counters] == [True] * 4
