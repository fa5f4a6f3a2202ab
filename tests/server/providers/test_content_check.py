"""Content checks: the real provider against a local fake WeChat (the real Redis for the shared access
token), the development provider, and message pushes signed and encrypted as WeChat does."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from runtime.clock import SHANGHAI
from runtime.settings import ConfigError, Settings
from server.providers.content_check import (
    CHUNK_OVERLAP_CHARS,
    MAX_CHUNK_CHARS,
    SCENE_FORUM,
    SCENE_PROFILE,
    ContentCheckUnavailable,
    DevContentCheck,
    Verdict,
    WeChatContentCheck,
    build_content_checker,
    chunks,
)
from server.providers.wechat_api import WeChatApi, build_wechat_api
from server.providers.wechat_login import WeChatApiLogin
from server.providers.wechat_push import PushRejected, decrypt_push, open_push, verify_signature
from tests.fakes.wechat import APPID, SECRET, FakeWeChat
from tests.helpers.services import free_port
from tests.helpers.wechat_push import (
    encrypt_message,
    encrypt_push,
    new_aes_key,
    pkcs7_pad_32,
    plain_push,
    sha1_signature,
    sign_push,
)


@pytest.fixture
async def wechat(client, app):
    fake = await FakeWeChat().start()
    api = WeChatApi(APPID, SECRET, fake.url, app.ctx.cache, timeout=2)
    yield fake, WeChatContentCheck(api)
    await api.close()
    await fake.stop()


@pytest.mark.parametrize("text, verdict", [("夜班仓库理货员，包住", Verdict.PASS),
                                           ("招聘 review-word 岗位", Verdict.REVIEW),
                                           ("招聘 risky-word 岗位", Verdict.RISKY)])
async def test_text_verdict_is_wechats_suggestion(wechat, text, verdict):
    _, provider = wechat
    assert await provider.check_text(text, "o-alice", SCENE_FORUM) is verdict


async def test_the_text_goes_with_the_users_openid_and_the_scene(wechat):
    fake, provider = wechat
    await provider.check_text("张三", "o-bea", SCENE_PROFILE)
    assert fake.text_checks == [{"content": "张三", "version": 2, "scene": SCENE_PROFILE, "openid": "o-bea"}]


async def test_an_image_is_submitted_and_its_trace_id_returned(wechat):
    fake, provider = wechat
    trace_id = await provider.submit_image("https://img.example.com/a.jpg", "o-cal", SCENE_FORUM)
    assert fake.media_checks == [{"media_url": "https://img.example.com/a.jpg", "media_type": 2, "version": 2,
                                  "scene": SCENE_FORUM, "openid": "o-cal", "trace_id": trace_id}]


async def test_rate_limit_is_unavailable_with_the_errcode(wechat):
    _, provider = wechat
    with pytest.raises(ContentCheckUnavailable) as caught:
        await provider.check_text("busy-word", "o-dan", SCENE_FORUM)
    assert caught.value.errcode == 45009 and caught.value.retry_after == 60


async def test_a_nonsense_answer_is_unavailable(wechat):
    _, provider = wechat
    with pytest.raises(ContentCheckUnavailable):
        await provider.check_text("nonsense-word", "o-eve", SCENE_FORUM)


async def test_a_wechat_error_is_unavailable_and_never_logs_the_text(wechat, caplog):
    _, provider = wechat
    with pytest.raises(ContentCheckUnavailable) as caught:
        await provider.check_text("secret-text busy-word", "o-eve", SCENE_FORUM)
    with pytest.raises(ContentCheckUnavailable):
        await provider.check_text("secret-text", "", SCENE_FORUM)  # WeChat: 40003 invalid openid
    assert caught.value.errcode == 45009
    assert "45009" in caplog.text and "40003" in caplog.text
    assert "secret-text" not in caplog.text


async def test_wechat_down_is_unavailable(app):
    api = WeChatApi(APPID, SECRET, f"http://127.0.0.1:{free_port()}", app.ctx.cache, timeout=2)
    provider = WeChatContentCheck(api)
    await app.ctx.cache.delete(f"wechat:access_token:{APPID}")
    try:
        with pytest.raises(ContentCheckUnavailable):
            await provider.check_text("hello", "o-fay", SCENE_FORUM)
        await app.ctx.cache.set(f"wechat:access_token:{APPID}", "token-cached")  # a token, WeChat still down
        with pytest.raises(ContentCheckUnavailable):
            await provider.submit_image("https://img.example.com/b.jpg", "o-fay", SCENE_FORUM)
    finally:
        await api.close()
        await app.ctx.cache.delete(f"wechat:access_token:{APPID}")


async def test_wrong_credentials_are_unavailable(wechat, app):
    fake, _ = wechat
    api = WeChatApi(APPID, "wrong", fake.url, app.ctx.cache, timeout=2)
    try:
        with pytest.raises(ContentCheckUnavailable) as caught:
            await WeChatContentCheck(api).check_text("hello", "o-gus", SCENE_FORUM)
        assert caught.value.errcode == 40013
    finally:
        await api.close()


async def test_expired_token_is_refreshed_once(wechat):
    fake, provider = wechat
    await provider.check_text("first", "o-hal", SCENE_FORUM)
    fake.expire_next_token_checks = 1
    assert await provider.check_text("risky-word", "o-hal", SCENE_FORUM) is Verdict.RISKY
    assert fake.calls["stable_token"] == 2


async def test_a_token_still_rejected_after_refresh_is_unavailable_and_forgotten(wechat, app):
    fake, provider = wechat
    fake.expire_next_token_checks = 2
    with pytest.raises(ContentCheckUnavailable) as caught:
        await provider.submit_image("https://img.example.com/c.jpg", "o-ian", SCENE_FORUM)
    assert caught.value.errcode == 40001 and fake.calls["stable_token"] == 2
    assert await app.ctx.cache.get(f"wechat:access_token:{APPID}") is None


async def test_the_login_providers_token_is_reused(wechat, app):
    fake, provider = wechat
    login_api = WeChatApi(APPID, SECRET, fake.url, app.ctx.cache, timeout=2)  # as another worker's
    try:
        await WeChatApiLogin(login_api).phone_number("phone-13800000011")
        await provider.check_text("hello", "o-jo", SCENE_FORUM)
        await provider.submit_image("https://img.example.com/d.jpg", "o-jo", SCENE_FORUM)
    finally:
        await login_api.close()
    assert fake.calls["stable_token"] == 1


async def test_long_text_is_checked_in_chunks_and_the_worst_verdict_wins(wechat):
    fake, provider = wechat
    text = "review-word " + "岗" * 3000 + " risky-word"
    assert await provider.check_text(text, "o-kim", SCENE_FORUM) is Verdict.RISKY
    assert len(fake.text_checks) == 2  # the fake refuses more than 2500 characters in one
    assert await provider.check_text("岗" * 3000 + "review-word", "o-kim", SCENE_FORUM) is Verdict.REVIEW
    assert await provider.check_text("review-word" + "岗" * 3000, "o-kim", SCENE_FORUM) is Verdict.REVIEW


async def test_a_word_across_a_chunk_boundary_is_still_seen(wechat):
    _, provider = wechat
    text = "岗" * (MAX_CHUNK_CHARS - 4) + "risky-word" + "岗" * 100
    assert await provider.check_text(text, "o-lee", SCENE_FORUM) is Verdict.RISKY


async def test_risky_stops_the_remaining_chunks(wechat):
    fake, provider = wechat
    assert await provider.check_text("risky-word" + "岗" * 6000, "o-max", SCENE_FORUM) is Verdict.RISKY
    assert len(fake.text_checks) == 1


async def test_empty_text_passes_without_asking_wechat(wechat):
    fake, provider = wechat
    assert await provider.check_text("  ", "o-ned", SCENE_FORUM) is Verdict.PASS
    assert fake.calls["msg_sec_check"] == 0


@pytest.mark.parametrize("length", [1, MAX_CHUNK_CHARS, MAX_CHUNK_CHARS + 1, 4950, 4951, 12345])
def test_chunks_cover_the_text_with_overlapping_windows(length):
    text = "".join(chr(0x4E00 + i % 5000) for i in range(length))
    parts = chunks(text)
    assert all(0 < len(part) <= MAX_CHUNK_CHARS for part in parts)
    assert parts[0] == text[:len(parts[0])] and text.endswith(parts[-1])
    for i in range(0, length - CHUNK_OVERLAP_CHARS + 1, 37):  # every window of the overlap's size is whole
        assert any(text[i:i + CHUNK_OVERLAP_CHARS] in part for part in parts)


async def test_dev_provider_refuses_text_with_a_configured_word():
    provider = DevContentCheck(["违禁测试", ""])
    assert await provider.check_text("这是违禁测试内容", "dev-x", SCENE_FORUM) is Verdict.RISKY
    assert await provider.check_text("正常内容", "dev-x", SCENE_FORUM) is Verdict.PASS
    trace_id = await provider.submit_image("https://img.example.com/e.jpg", "dev-x", SCENE_FORUM)
    assert trace_id.startswith("dev-") and len(trace_id) > 20
    assert trace_id != await provider.submit_image("https://img.example.com/e.jpg", "dev-x", SCENE_FORUM)


async def test_build_picks_the_provider_with_the_login_one(app):
    dev_settings = Settings(wechat_provider="dev")
    assert build_wechat_api(dev_settings, app.ctx.cache) is None
    dev = build_content_checker(dev_settings, None)
    assert isinstance(dev, DevContentCheck)
    assert await dev.check_text("含违禁测试", "dev-x", SCENE_FORUM) is Verdict.RISKY  # the default word
    real_settings = Settings(wechat_provider="wechat", wechat_appid=APPID, wechat_secret=SECRET)
    api = build_wechat_api(real_settings, app.ctx.cache)
    real = build_content_checker(real_settings, api)
    assert isinstance(real, WeChatContentCheck)
    await api.close()


def test_a_push_aes_key_must_have_43_characters():
    Settings(wechat_push_aes_key=new_aes_key()).check()
    with pytest.raises(ConfigError):
        Settings(wechat_push_aes_key=new_aes_key()[:42]).check()


# Message pushes ------------------------------------------------------------------------------------------

TOKEN, TIMESTAMP, NONCE = "push-token", "1714000000", "8231907"
EVENT = {"ToUserName": "gh_0123456789ab", "FromUserName": "o-alice", "CreateTime": 1714000000,
         "MsgType": "event", "Event": "wxa_media_check", "appid": APPID, "trace_id": "media-trace-1",
         "version": 2, "errcode": 0, "errmsg": "ok", "result": {"suggest": "risky", "label": 20002},
         "detail": [{"strategy": "content_model", "errcode": 0, "suggest": "risky", "label": 20002}]}


@pytest.fixture
def at_push_time(travel):
    """The app clock a moment after TIMESTAMP, when such a push is fresh."""
    travel(datetime.fromtimestamp(int(TIMESTAMP) + 10, SHANGHAI).replace(tzinfo=None))


def test_server_verification_signature():
    signature = sha1_signature(TOKEN, TIMESTAMP, NONCE)
    assert verify_signature(TOKEN, signature, TIMESTAMP, NONCE)
    assert not verify_signature("other-token", signature, TIMESTAMP, NONCE)
    assert not verify_signature(TOKEN, signature, TIMESTAMP, "other-nonce")
    assert not verify_signature(TOKEN, None, TIMESTAMP, NONCE)
    assert not verify_signature(TOKEN, "签名", TIMESTAMP, NONCE)
    assert not verify_signature("", sha1_signature("", TIMESTAMP, NONCE), TIMESTAMP, NONCE)


def test_a_safe_mode_push_is_decrypted(at_push_time):
    aes_key = new_aes_key()
    query, body = encrypt_push(aes_key, APPID, TOKEN, EVENT, TIMESTAMP, NONCE)
    assert decrypt_push(TOKEN, aes_key, APPID, query["msg_signature"], TIMESTAMP, NONCE, body) == EVENT
    assert open_push(query, body, token=TOKEN, aes_key=aes_key, appid=APPID) == EVENT


def test_a_message_filling_whole_blocks_gets_a_whole_block_of_padding(at_push_time):
    aes_key = new_aes_key()
    for size in range(60, 60 + 33):  # one of them makes the plaintext a multiple of 32 bytes
        message = {"pad": "x" * size}
        query, body = encrypt_push(aes_key, APPID, TOKEN, message, TIMESTAMP, NONCE)
        assert open_push(query, body, token=TOKEN, aes_key=aes_key, appid=APPID) == message


# WeChat's own published samples (WXBizMsgCrypt), so both sides are also checked against WeChat, not
# only against each other. Their messages are XML: the provider reads JSON pushes only.
SAMPLE_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2L"
    "dJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6u"
    "x5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJ"
    "pXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCz"
    "pu9GhglF2PE=")


def test_wechats_sample_push_passes_signature_padding_and_appid():
    def decrypt(appid):
        with pytest.raises(PushRejected) as caught:
            decrypt_push("spamtest", SAMPLE_AES_KEY, appid, "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
                         "1409735669", "1320562132", {"Encrypt": SAMPLE_ENCRYPT})
        return caught.value.detail

    assert decrypt("wx2c2769f8efd9abc2") == "the message is not JSON"  # every check before it passed
    assert decrypt("wx-other") == "the push is for another appid"


def test_the_helper_encrypts_as_wechats_sample_does():
    encrypted = encrypt_message(SAMPLE_AES_KEY, "wxb11529c136998cb6", "我是中文abcd123".encode(),
                                random16=b"aaaabbbbccccdddd")
    assert encrypted == "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="


def _safe(aes_key: str, encrypted: str, token: str = TOKEN) -> tuple[dict, dict]:
    return sign_push(token, TIMESTAMP, NONCE, encrypted), {"ToUserName": "gh_0123456789ab", "Encrypt": encrypted}


def _broken_pushes(aes_key: str) -> dict[str, tuple[dict, dict]]:
    query, body = encrypt_push(aes_key, APPID, TOKEN, EVENT, TIMESTAMP, NONCE)
    message = b'{"Event": "wxa_media_check"}'
    plain = b"r" * 16 + len(message).to_bytes(4, "big") + message + APPID.encode()
    bad_pad = plain + b"\x00" * (32 - len(plain) % 32)  # pad byte 0: never valid
    pad = len(pkcs7_pad_32(plain)) - len(plain)
    wrong_fill = plain + b"\x00" * (pad - 1) + bytes([pad])  # the right length, but not all pad bytes
    return {
        "tampered Encrypt": (query, {**body, "Encrypt": body["Encrypt"][:-8] + "AAAAAAA="}),
        "Encrypt of another key, signed": _safe(aes_key, encrypt_message(new_aes_key(), APPID, message)),
        "wrong token": _safe(aes_key, body["Encrypt"], token="other-token"),
        "wrong appid": _safe(aes_key, encrypt_message(aes_key, "wx-other", message)),
        "bad padding": _safe(aes_key, encrypt_message(aes_key, APPID, message, padded=bad_pad)),
        "padding bytes not all the same": _safe(aes_key, encrypt_message(aes_key, APPID, message,
                                                                          padded=wrong_fill)),
        "not base64": _safe(aes_key, "!!!not-base64!!!"),
        "not whole blocks": _safe(aes_key, "AAAA"),
        "no Encrypt": (query, {"ToUserName": "gh_0123456789ab"}),
        "not JSON": _safe(aes_key, encrypt_message(aes_key, APPID, b"<xml>no</xml>")),
        "a JSON list": _safe(aes_key, encrypt_message(aes_key, APPID, b"[1, 2]")),
        "no signature": ({**query, "msg_signature": None}, body),
        "a list body": (query, [body]),
    }


@pytest.mark.parametrize("case", list(_broken_pushes(new_aes_key())))
def test_a_push_not_from_wechat_is_rejected(case, at_push_time):
    aes_key = new_aes_key()
    query, body = _broken_pushes(aes_key)[case]
    with pytest.raises(PushRejected):
        open_push(query, body, token=TOKEN, aes_key=aes_key, appid=APPID)


def test_a_plain_mode_push_is_read_when_signed(at_push_time):
    query, body = plain_push(TOKEN, EVENT, TIMESTAMP, NONCE)
    assert open_push(query, body, token=TOKEN, aes_key=None, appid=APPID) == EVENT
    with pytest.raises(PushRejected):
        open_push(query, body, token="other-token", aes_key=None, appid=APPID)
    with pytest.raises(PushRejected):
        open_push({**query, "signature": "0" * 40}, body, token=TOKEN, aes_key=None, appid=APPID)


def test_the_mode_must_be_the_configured_one(at_push_time):
    aes_key = new_aes_key()
    query, body = plain_push(TOKEN, EVENT, TIMESTAMP, NONCE)
    with pytest.raises(PushRejected):  # its signature does not cover the body
        open_push(query, body, token=TOKEN, aes_key=aes_key, appid=APPID)
    query, body = encrypt_push(aes_key, APPID, TOKEN, EVENT, TIMESTAMP, NONCE)
    with pytest.raises(PushRejected):
        open_push(query, body, token=TOKEN, aes_key=None, appid=APPID)


def test_a_malformed_configured_key_is_rejected_not_a_crash(at_push_time):
    query, body = encrypt_push(new_aes_key(), APPID, TOKEN, EVENT, TIMESTAMP, NONCE)
    with pytest.raises(PushRejected):
        open_push(query, body, token=TOKEN, aes_key="短" * 43, appid=APPID)


@pytest.mark.parametrize("mode", ["safe", "plain"])
def test_a_push_signed_more_than_five_minutes_from_now_is_rejected(mode, travel):
    aes_key = new_aes_key() if mode == "safe" else None
    if aes_key:
        query, body = encrypt_push(aes_key, APPID, TOKEN, EVENT, TIMESTAMP, NONCE)
    else:
        query, body = plain_push(TOKEN, EVENT, TIMESTAMP, NONCE)
    signed_at = datetime.fromtimestamp(int(TIMESTAMP), SHANGHAI).replace(tzinfo=None)
    for seconds in (-300, 0, 300):  # up to 5 minutes either way: WeChat's clock and ours differ a little
        travel(signed_at + timedelta(seconds=seconds))
        assert open_push(query, body, token=TOKEN, aes_key=aes_key, appid=APPID) == EVENT
    for seconds in (-302, 302, 86400):  # a replay, or a push from the future
        travel(signed_at + timedelta(seconds=seconds))
        with pytest.raises(PushRejected, match="timestamp"):
            open_push(query, body, token=TOKEN, aes_key=aes_key, appid=APPID)
    travel(signed_at)
    with pytest.raises(PushRejected, match="timestamp"):
        open_push({**query, "timestamp": None}, body, token=TOKEN, aes_key=aes_key, appid=APPID)
