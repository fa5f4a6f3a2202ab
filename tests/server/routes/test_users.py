"""Seed section 一: register, login, profile and location, as the mini-program sees them."""

from __future__ import annotations

import re

import pytest

from models.user import User
from tests.helpers.api import login_as


async def test_register_returns_the_documented_body_and_a_bearer_token(client):
    response = await client.post("/wechat/user/register", json={"phone_code": "test", "login_code": "test",
                                                                 "inviter_id": 289})
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 0 and body["message"] == "ok"
    assert list(body["data"]) == ["user_info"] and isinstance(body["data"]["user_info"]["id"], int)
    assert response.headers["authorization"].startswith("Bearer ")
    assert "authorization" in response.headers["access-control-expose-headers"].lower()
    user = await User.get(id=body["data"]["user_info"]["id"])
    assert user.inviter_id is None  # 289 does not exist: ignored, not an error
    assert re.fullmatch(r"1[3-9]\d{9}", user.phone)  # the dev provider's stable number for "test"


async def test_register_twice_returns_the_same_user(client):
    first = await client.post("/wechat/user/register", json={"phone_code": "test", "login_code": "test:amy"})
    second = await client.post("/wechat/user/register", json={"phone_code": "test", "login_code": "test:amy"})
    assert first.json()["data"] == second.json()["data"]
    assert await User.all().count() == 1
    assert first.headers["authorization"] != second.headers["authorization"]


async def test_register_keeps_a_known_inviter(client):
    inviter = await login_as(client, "inviter")
    response = await client.post("/wechat/user/register", json={"phone_code": "test:2", "login_code": "test:bob",
                                                                 "inviter_id": inviter["user_id"]})
    user = await User.get(id=response.json()["data"]["user_info"]["id"])
    assert user.inviter_id == int(inviter["user_id"])
    assert user.phone == "13800000002"


async def test_login_of_a_registered_user(client):
    headers = await login_as(client, "carol")
    response = await client.post("/wechat/user/login", json={"login_code": "test:carol"})
    assert response.status_code == 200
    assert response.json() == {"code": 0, "message": "ok", "data": {"user_info": {"id": int(headers["user_id"])}}}
    token = response.headers["authorization"]
    info = await client.get("/user/info", headers={"Authorization": token})
    assert info.json()["data"]["user_id"] == int(headers["user_id"])


async def test_login_of_an_unknown_user_is_the_documented_404(client):
    response = await client.post("/wechat/user/login", json={"login_code": "test:nobody"})
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "Not Found", "data": "user not found"}
    assert "authorization" not in response.headers


@pytest.mark.parametrize(
    "body, field",
    [
        ({"login_code": ""}, "login_code"),
        ({"login_code": 12}, "login_code"),
        ({}, "login_code"),
        ({"login_code": "not-a-dev-code"}, None),
    ],
)
async def test_login_bad_input_is_400(client, body, field):
    response = await client.post("/wechat/user/login", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == 400 and payload["message"]
    if field:
        assert field in payload["data"]


async def test_malformed_json_and_non_objects_are_400(client):
    for raw in (b"{not json", b"[1, 2]", b'"text"'):
        response = await client.post("/wechat/user/login", content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json()["code"] == 400


async def test_oversized_body_is_400(client):
    response = await client.post("/wechat/user/login", content=b'{"login_code": "' + b"x" * 200_000 + b'"}')
    assert response.status_code == 400
    assert "too large" in response.json()["message"]


async def test_user_info_has_the_documented_shape(client):
    headers = await login_as(client, "dan")
    response = await client.get("/user/info", headers=headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"user_id", "avatar", "name", "sex", "phone"}
    assert data["user_id"] == int(headers["user_id"]) and data["sex"] == 0


@pytest.mark.parametrize("authorization", ["", "Bearer", "Bearer not-a-token", "garbage"])
async def test_missing_or_unknown_token_is_401(client, authorization):
    response = await client.get("/user/info", headers={"Authorization": authorization} if authorization else {})
    assert response.status_code == 401
    assert response.json()["code"] == 401


async def test_plain_token_without_bearer_is_accepted(client):
    headers = await login_as(client, "erin")
    plain = headers["Authorization"].removeprefix("Bearer ")
    response = await client.get("/user/info", headers={"Authorization": plain, "user_id": headers["user_id"]})
    assert response.status_code == 200


async def test_user_id_header_must_match_the_token(client):
    headers = await login_as(client, "frank")
    other = await login_as(client, "gina")
    response = await client.get("/user/info", headers={**headers, "user_id": other["user_id"]})
    assert response.status_code == 401


async def test_token_expiry_slides_on_use(client, app):
    headers = await login_as(client, "hal")
    cache = app.ctx.cache
    (key,) = [k async for k in cache.scan_iter("auth:token:*")]
    assert headers["Authorization"].split()[1] not in key  # only a hash of the token is stored
    await cache.expire(key, 100)
    assert (await client.get("/user/info", headers=headers)).status_code == 200
    assert await cache.ttl(key) > 29 * 86400
    await cache.delete(key)
    assert (await client.get("/user/info", headers=headers)).status_code == 401


async def test_update_info_changes_only_given_fields(client):
    headers = await login_as(client, "ivy")
    body = {"avatar": "https://cdn.xxx.com/avatar/4882.png", "name": "小周", "sex": 1, "phone": "13811111234"}
    response = await client.post("/user/update/info", json=body, headers=headers)
    assert response.json() == {"code": 0, "message": "", "data": None}
    response = await client.post("/user/update/info", json={"sex": 2}, headers=headers)
    assert response.status_code == 200
    info = (await client.get("/user/info", headers=headers)).json()["data"]
    assert info == {"user_id": int(headers["user_id"]), "avatar": body["avatar"], "name": "小周", "sex": 2,
                    "phone": "13811111234"}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "body"),  # blank means "unchanged": nothing left to change
        ({"name": "x" * 33}, "name"),
        ({"sex": 3}, "sex"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "23811111234"}, "phone"),
        ({"avatar": "ftp://x.com/a.png"}, "avatar"),
        ({}, "body"),
    ],
)
async def test_update_info_rejects_bad_values_and_changes_nothing(client, body, field):
    headers = await login_as(client, "jay")
    before = (await client.get("/user/info", headers=headers)).json()["data"]
    response = await client.post("/user/update/info", json=body, headers=headers)
    assert response.status_code == 400
    assert field in response.json()["data"]
    assert (await client.get("/user/info", headers=headers)).json()["data"] == before


async def test_update_geo_stores_the_location(client):
    headers = await login_as(client, "kim")
    body = {"first_area_id": 1, "second_area_id": 101, "third_area_id": 1001, "address": "北京市朝阳区XXXX",
            "longitude": 116.3974, "latitude": 39.9093}
    response = await client.post("/user/update/geo", json=body, headers=headers)
    assert response.json() == {"code": 0, "message": "", "data": None}
    user = await User.get(id=int(headers["user_id"]))
    assert (user.third_area_id, user.address) == (1001, "北京市朝阳区XXXX")
    assert float(user.longitude) == 116.3974 and float(user.latitude) == 39.9093


@pytest.mark.parametrize("body, field", [({"longitude": 181, "latitude": 0}, "longitude"),
                                          ({"longitude": 0, "latitude": -90.5}, "latitude"),
                                          ({"longitude": "east", "latitude": 1}, "longitude"),
                                          ({"latitude": 1}, "longitude")])
async def test_update_geo_rejects_out_of_range_coordinates(client, body, field):
    headers = await login_as(client, "lee")
    response = await client.post("/user/update/geo", json=body, headers=headers)
    assert response.status_code == 400 and field in response.json()["data"]
    assert (await User.get(id=int(headers["user_id"]))).longitude is None


async def test_authenticated_endpoints_need_a_token(client):
    for method, path in (("GET", "/user/info"), ("POST", "/user/update/info"), ("POST", "/user/update/geo")):
        response = await client.request(method, path, json={})
        assert response.status_code == 401, path
