"""The one WeChat client login and content checks share: one access token and one HTTP session per
process, one retry after WeChat calls the token invalid or expired, and close(). Against the local fake
WeChat, with the real Redis for the token cache, wired as the app wires them (server/app.py)."""

from __future__ import annotations

import pytest

from runtime.settings import Settings
from server.providers.content_check import SCENE_FORUM, ContentCheckUnavailable, build_content_checker
from server.providers.wechat_api import build_wechat_api
from server.providers.wechat_login import WeChatUnavailable, build_wechat_login
from tests.fakes.wechat import APPID, SECRET, FakeWeChat

TOKEN_KEY = f"wechat:access_token:{APPID}"  # the key earlier releases cached the token under


class Process:
    """What one app process holds: the WeChat client, and the login and content providers built on it."""

    def __init__(self, fake: FakeWeChat, cache):
        settings = Settings(wechat_provider="wechat", wechat_appid=APPID, wechat_secret=SECRET,
                            wechat_api_base=fake.url, wechat_timeout_seconds=2)
        self.api = build_wechat_api(settings, cache)
        self.login = build_wechat_login(self.api)
        self.content = build_content_checker(settings, self.api)

    async def close(self) -> None:  # as the app's _close does it
        await self.login.close()
        await self.content.close()
        await self.api.close()


@pytest.fixture
async def wechat(client, app):
    await app.ctx.cache.delete(TOKEN_KEY)
    fake = await FakeWeChat().start()
    process = Process(fake, app.ctx.cache)
    yield fake, process
    await process.close()
    await fake.stop()


# Every call made with the access token, each as a user would trigger it; the fake's name for it.
TOKEN_CALLS = {
    "phone number": (lambda p, n: p.login.phone_number(f"phone-1380000{n:04d}"), "getuserphonenumber"),
    "text check": (lambda p, n: p.content.check_text(f"夜班理货员 {n}", "o-ann", SCENE_FORUM), "msg_sec_check"),
    "image check": (lambda p, n: p.content.submit_image(f"https://img.example.com/{n}.jpg", "o-ann", SCENE_FORUM),
                    "media_check_async"),
}
# What each provider raises when WeChat gives no usable answer.
UNAVAILABLE = {"phone number": WeChatUnavailable, "text check": ContentCheckUnavailable,
               "image check": ContentCheckUnavailable}


async def test_login_and_content_checks_in_one_process_fetch_the_token_once(wechat):
    fake, process = wechat
    for n, (call, _) in enumerate(TOKEN_CALLS.values()):
        await call(process, n)
    await process.login.identify("good-ann")  # no token, same session
    assert fake.calls["stable_token"] == 1
    assert len(fake.connections) == 1  # one HTTP session: its one connection carried every call


async def test_another_process_uses_the_cached_token(wechat, app):
    fake, process = wechat
    await process.login.phone_number("phone-13800000100")
    other = Process(fake, app.ctx.cache)  # another worker, or the next release in a rolling deploy
    try:
        await other.content.check_text("你好", "o-bob", SCENE_FORUM)
    finally:
        await other.close()
    assert fake.calls["stable_token"] == 1


@pytest.mark.parametrize("what", list(TOKEN_CALLS))
async def test_an_expired_token_is_fetched_again_once_and_the_call_retried(wechat, what):
    fake, process = wechat
    call, endpoint = TOKEN_CALLS[what]
    await call(process, 1)
    fake.expire_next_token_checks = 1  # WeChat: 40001, invalid credential
    await call(process, 2)
    assert (fake.calls["stable_token"], fake.forced_refreshes, fake.calls[endpoint]) == (2, 1, 3)
    await call(process, 3)  # the new token is the cached one now
    assert fake.calls["stable_token"] == 2


# WeChat's answer to a cached token it no longer knows (42001, access_token expired) or never issued (40014,
# invalid access_token).
@pytest.mark.parametrize("cached", ["token-of-yesterday", "garbled"])
@pytest.mark.parametrize("what", list(TOKEN_CALLS))
async def test_a_cached_token_wechat_refuses_is_replaced(wechat, app, what, cached):
    fake, process = wechat
    call, endpoint = TOKEN_CALLS[what]
    await app.ctx.cache.set(TOKEN_KEY, cached)
    await call(process, 4)
    assert (fake.calls["stable_token"], fake.calls[endpoint]) == (1, 2)
    assert await app.ctx.cache.get(TOKEN_KEY) == f"token-{fake.tokens_issued}"


@pytest.mark.parametrize("what", list(TOKEN_CALLS))
async def test_a_second_expired_answer_is_an_error_not_a_loop(wechat, app, what):
    fake, process = wechat
    call, endpoint = TOKEN_CALLS[what]
    fake.expire_next_token_checks = 3
    with pytest.raises(UNAVAILABLE[what]) as caught:
        await call(process, 5)
    assert caught.value.data == {"errcode": 40001}
    assert (fake.calls["stable_token"], fake.calls[endpoint]) == (2, 2)
    assert await app.ctx.cache.get(TOKEN_KEY) is None  # the rejected token is forgotten by every worker


async def test_close_closes_the_http_session(wechat):
    fake, process = wechat
    await process.login.identify("good-cal")
    await process.close()
    assert process.api.closed
    with pytest.raises(RuntimeError):
        await process.login.identify("good-cal#2")
    assert fake.calls["jscode2session"] == 1  # nothing was sent after close
