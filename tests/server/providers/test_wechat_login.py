"""The real WeChat login provider against a local fake WeChat, with the real Redis for the token cache."""

from __future__ import annotations

import pytest

from models.user import User
from server.providers.wechat_api import WeChatApi
from server.providers.wechat_login import WeChatApiLogin, WeChatBusy, WeChatCodeInvalid, WeChatUnavailable
from server.services import auth
from tests.fakes.wechat import SESSION_KEY, FakeWeChat


@pytest.fixture
async def wechat(client, app):
    fake = await FakeWeChat().start()
    api = WeChatApi("wx-app", "wx-secret", fake.url, app.ctx.cache, timeout=2)
    yield fake, WeChatApiLogin(api)
    await api.close()
    await fake.stop()


async def test_login_code_gives_the_openid_and_keeps_the_session_key(wechat):
    fake, provider = wechat
    identity = await provider.identify("good-alice")
    assert (identity.openid, identity.unionid) == ("o-alice", "u-alice")
    assert SESSION_KEY not in repr(identity)  # WeChat sent it; it goes no further


@pytest.mark.parametrize("code, error", [("expired", WeChatCodeInvalid), ("busy", WeChatBusy),
                                         ("broken", WeChatUnavailable)])
async def test_wechat_errors_become_named_errors(wechat, code, error):
    _, provider = wechat
    with pytest.raises(error):
        await provider.identify(code)


async def test_a_login_code_works_once(wechat):
    _, provider = wechat
    await provider.identify("good-bea")
    with pytest.raises(WeChatCodeInvalid) as caught:
        await provider.identify("good-bea")
    assert caught.value.data == {"errcode": 40163}


@pytest.mark.parametrize("appid, secret", [("wx-app", "wrong"), ("wx-other", "wx-secret")])
async def test_wrong_credentials_are_wechat_unavailable_not_a_bad_code(wechat, app, appid, secret):
    fake, _ = wechat
    api = WeChatApi(appid, secret, fake.url, app.ctx.cache, timeout=2)
    provider = WeChatApiLogin(api)
    try:
        with pytest.raises(WeChatUnavailable):
            await provider.identify("good-cal")
        with pytest.raises(WeChatUnavailable):
            await provider.phone_number("phone-13800000009")
    finally:
        await api.close()


async def test_access_token_is_cached_until_near_expiry(wechat, app):
    fake, provider = wechat
    assert await provider.phone_number("phone-13812345678") == "13812345678"
    assert await provider.phone_number("phone-13812345679") == "13812345679"
    assert fake.calls["stable_token"] == 1
    ttl = await app.ctx.cache.ttl("wechat:access_token:wx-app")
    assert 6600 <= ttl <= 7200 - 300


async def test_expired_token_is_refreshed_once(wechat):
    fake, provider = wechat
    await provider.phone_number("phone-13800000001")
    fake.expire_next_token_checks = 1
    assert await provider.phone_number("phone-13800000002") == "13800000002"
    assert fake.calls["stable_token"] == 2


async def test_a_token_still_rejected_after_refresh_is_an_error(wechat):
    fake, provider = wechat
    fake.expire_next_token_checks = 2
    with pytest.raises(WeChatUnavailable):
        await provider.phone_number("phone-13800000003")
    assert fake.calls["stable_token"] == 2


async def test_bad_phone_code_is_invalid(wechat):
    _, provider = wechat
    with pytest.raises(WeChatCodeInvalid):
        await provider.phone_number("nope")


async def test_register_through_real_provider_creates_one_user(wechat, app):
    fake, provider = wechat
    ttl = 3600
    tokens, limits = auth.TokenStore(app.ctx.cache, ttl), auth.LoginLimits(10, 10)
    user, token = await auth.register(provider, tokens, limits, "10.0.0.1", login_code="good-zoe#1",
                                      phone_code="phone-13911112222", inviter_id=None)
    again, _ = await auth.register(provider, tokens, limits, "10.0.0.1", login_code="good-zoe#2",
                                   phone_code="phone-13911112222", inviter_id=None)
    assert user.id == again.id and user.phone == "13911112222" and user.unionid == "u-zoe"
    assert await User.filter(openid="o-zoe").count() == 1
    assert fake.calls["getuserphonenumber"] == 1  # a known user's phone is not asked for again
    assert await tokens.authenticate(f"Bearer {token}", None) == user.id


@pytest.mark.parametrize("code", ["typed", "overlong", "listed"])
async def test_a_malformed_login_answer_is_wechat_unavailable(wechat, code):
    _, provider = wechat
    with pytest.raises(WeChatUnavailable):
        await provider.identify(code)


@pytest.mark.parametrize("code", ["phone-typed", "phone-" + "1" * 30, "phone-errcode-list"])
async def test_a_malformed_phone_answer_is_wechat_unavailable_and_creates_no_user(wechat, app, code):
    _, provider = wechat
    with pytest.raises(WeChatUnavailable):
        await auth.register(provider, auth.TokenStore(app.ctx.cache, 3600), auth.LoginLimits(10, 10),
                            "10.0.0.1", login_code="good-mal", phone_code=code, inviter_id=None)
    assert not await User.exists(openid="o-mal")


async def test_register_leaves_no_user_when_the_token_cannot_be_stored(wechat, app):
    import redis.asyncio as redis

    _, provider = wechat
    dead = redis.Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.5)
    with pytest.raises(redis.ConnectionError):
        await auth.register(provider, auth.TokenStore(dead, 3600), auth.LoginLimits(0, 0), "10.0.0.1",
                            login_code="good-half", phone_code="phone-13911113333", inviter_id=None)
    await dead.aclose()
    assert not await User.exists(openid="o-half")
