"""The real WeChat login provider against a local fake WeChat, with the real Redis for the token cache."""

from __future__ import annotations

import pytest

from models.user import User
from server.errors import ApiError
from server.providers.wechat_login import WeChatApiLogin
from server.services import auth
from tests.fakes.wechat import FakeWeChat


@pytest.fixture
async def wechat(client, app):
    fake = await FakeWeChat().start()
    provider = WeChatApiLogin("wx-app", "wx-secret", fake.url, app.ctx.cache, timeout=2)
    yield fake, provider
    await provider.close()
    await fake.stop()


async def test_login_code_gives_the_openid(wechat):
    fake, provider = wechat
    identity = await provider.identify("good-alice")
    assert (identity.openid, identity.unionid) == ("o-alice", "u-alice")


@pytest.mark.parametrize("code, status", [("expired", 400), ("busy", 429), ("broken", 502)])
async def test_wechat_errors_become_clear_api_errors(wechat, code, status):
    _, provider = wechat
    with pytest.raises(ApiError) as caught:
        await provider.identify(code)
    assert caught.value.status == status
    assert "sk" not in str(caught.value.data)


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
    with pytest.raises(ApiError) as caught:
        await provider.phone_number("phone-13800000003")
    assert caught.value.status == 502
    assert fake.calls["stable_token"] == 2


async def test_bad_phone_code_is_400(wechat):
    _, provider = wechat
    with pytest.raises(ApiError) as caught:
        await provider.phone_number("nope")
    assert caught.value.status == 400


async def test_register_through_real_provider_creates_one_user(wechat, app):
    fake, provider = wechat
    ttl = 3600
    user, token = await auth.register(provider, app.ctx.cache, ttl, login_code="good-zoe",
                                      phone_code="phone-13911112222", inviter_id=None)
    again, _ = await auth.register(provider, app.ctx.cache, ttl, login_code="good-zoe",
                                   phone_code="phone-13911112222", inviter_id=None)
    assert user.id == again.id and user.phone == "13911112222" and user.unionid == "u-zoe"
    assert await User.filter(openid="o-zoe").count() == 1
    assert fake.calls["getuserphonenumber"] == 1  # a known user's phone is not asked for again
    assert await auth.authenticate(app.ctx.cache, f"Bearer {token}", None, ttl) == user.id
