"""A local fake of the WeChat API endpoints the login provider calls, with call counters.

It behaves like WeChat where the provider depends on it: credentials and grant_type are checked on every
call, a login or phone code works once (40163 on reuse), and every failure is an error code in a 200
answer, as WeChat sends them (a bare HTTP error only where a test asks for one: `broken`).
Codes: `good-<name>` (optionally `good-<name>#<n>`, a fresh wx.login of the same user) → openid
`o-<name>`; `phone-<digits>` → that phone number.
Content checks (msg_sec_check / media_check_async, version 2) answer by the text: `risky-word` → risky,
`review-word` → review, `busy-word` → 45009 (rate limit), `nonsense-word` → a result without a verdict,
anything else passes; every text checked and image submitted is recorded.
Business licence OCR (cv/ocr/bizlicense, the image a multipart `img`) reads a licence by the colour of the
image's top-left pixel: `licences[(r, g, b)]` is what it reads (`licence_fields`); any other picture is no
licence (101001), an undecodable one 101002; `ocr_busy` answers 45009 (daily quota) to every call.
`ocr_meeting` (an asyncio.Barrier) holds each call until that many have arrived. Each client connection a call
came on is recorded too (`connections`), and how many token requests forced a refresh.
Subscribe messages (cgi-bin/message/subscribe/send) are checked as WeChat checks them (a known template, every
value `{"value": text}` within its kind's length: 47003 otherwise) and recorded in `subscribe_sent`;
`subscribe_errcode` makes every send answer that code, `subscribe_down` answers HTTP 502, `subscribe_lose_answers`
records the send and then drops the connection (the answer lost). Share codes (wxa/getwxacodeunlimit) answer a
PNG holding nothing but their size (recorded in `share_codes`), or `share_code_errcode`.
"""

from __future__ import annotations

import asyncio
import io
from collections import Counter

from aiohttp import web
from PIL import Image

from tests.helpers.services import serve_aiohttp

APPID, SECRET = "wx-app", "wx-secret"
SCENES = {1, 2, 3, 4}
MAX_CONTENT_CHARS = 2500
SESSION_KEY = "SESSION-KEY-NEVER-LEAVES-THE-PROVIDER"
# WeChat's limits on a subscribe message's values, by the kind of the key (thing1 is a thing).
VALUE_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "time": 32, "amount": 32,
                "phone_number": 17, "number": 32}


def _error(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})


class FakeWeChat:
    def __init__(self):
        self.calls: Counter[str] = Counter()
        self.tokens_issued = 0
        self.forced_refreshes = 0  # stable_token requests with force_refresh: true
        self.connections: set[tuple] = set()  # the client (host, port) of every call
        self.valid_tokens: set[str] = set()
        self.used_codes: set[str] = set()
        self.expire_next_token_checks = 0  # answer 40001 this many times even for a valid token
        self.text_checks_busy = False  # every text check answers 45009 (rate limited) while set
        self.risky_words: set[str] = set()  # text checks of content holding one of these say risky too
        self.stale_openids: set[str] = set()  # users not seen lately: their checks answer 61010
        self.text_checks: list[dict] = []  # the bodies msg_sec_check accepted
        self.media_checks: list[dict] = []  # the bodies media_check_async accepted, with their trace_id
        self.licences: dict[tuple[int, int, int], dict] = {}  # top-left colour → what the OCR reads
        self.ocr_busy = False
        self.ocr_meeting: asyncio.Barrier | None = None
        self.ocr_images: list[bytes] = []  # every image the OCR was sent
        self.subscribe_templates: set[str] = {"TPL-UNLOCK", "TPL-TOP", "TPL-MOD", "TPL-REPORT", "TPL-REFUND"}
        self.subscribe_sent: list[dict] = []  # the bodies of every send WeChat took
        self.subscribe_errcode: int | None = None
        self.subscribe_down = False
        self.subscribe_lose_answers = False
        self.share_codes: list[dict] = []
        self.share_code_errcode: int | None = None
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> "FakeWeChat":
        app = web.Application(middlewares=[self._note_connection])
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        app.router.add_post("/wxa/business/getuserphonenumber", self.phone_number)
        app.router.add_post("/wxa/msg_sec_check", self.msg_sec_check)
        app.router.add_post("/wxa/media_check_async", self.media_check_async)
        app.router.add_post("/cv/ocr/bizlicense", self.bizlicense)
        app.router.add_post("/cgi-bin/message/subscribe/send", self.subscribe_send)
        app.router.add_post("/wxa/getwxacodeunlimit", self.getwxacodeunlimit)
        self.runner, self.url = await serve_aiohttp(app)
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    @web.middleware
    async def _note_connection(self, request: web.Request, handler):
        self.connections.add(request.transport.get_extra_info("peername"))
        return await handler(request)

    def _spend(self, code: str) -> bool:
        """A code is good once."""
        if code in self.used_codes:
            return False
        self.used_codes.add(code)
        return True

    async def jscode2session(self, request: web.Request):
        self.calls["jscode2session"] += 1
        q = request.query
        if q.get("appid") != APPID or q.get("secret") != SECRET:
            return _error(40013, "invalid appid or secret")
        if q.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        code = q.get("js_code", "")
        if code == "broken":
            return web.Response(status=502, text="bad gateway")
        if code == "busy":
            return _error(45011, "frequency limit")
        # Malformed answers: a wrong type, an overlong openid, not an object at all.
        if code == "typed":
            return web.json_response({"openid": 12345, "session_key": SESSION_KEY})
        if code == "overlong":
            return web.json_response({"openid": "o" * 200, "session_key": SESSION_KEY})
        if code == "listed":
            return web.json_response(["openid"])
        if not code.startswith("good-"):
            return _error(40029, "invalid code")
        if not self._spend(code):
            return _error(40163, "code been used")
        name = code[5:].split("#", 1)[0]
        return web.json_response({"openid": "o-" + name, "session_key": SESSION_KEY, "unionid": "u-" + name})

    async def stable_token(self, request: web.Request):
        self.calls["stable_token"] += 1
        try:
            body = await request.json()
        except ValueError:
            return _error(47001, "data format error")
        if body.get("appid") != APPID or body.get("secret") != SECRET:
            return _error(40013, "invalid appid or secret")
        if body.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        self.tokens_issued += 1
        self.forced_refreshes += body.get("force_refresh") is True
        token = f"token-{self.tokens_issued}"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def phone_number(self, request: web.Request):
        self.calls["getuserphonenumber"] += 1
        if (error := self._token_error(request)) is not None:
            return error
        try:
            code = str((await request.json())["code"])
        except (ValueError, KeyError, TypeError):
            return _error(47001, "data format error")
        if code == "phone-typed":
            return web.json_response({"errcode": 0, "phone_info": {"purePhoneNumber": 13800000000}})
        if code == "phone-errcode-list":
            return web.json_response({"errcode": [40001]})
        if not code.startswith("phone-"):
            return _error(40029, "invalid code")
        if not self._spend(code):
            return _error(40163, "code been used")
        return web.json_response({"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": code[6:], "purePhoneNumber": code[6:], "countryCode": "86"}})

    def _token_error(self, request: web.Request) -> web.Response | None:
        """The access token check of every call made with one (as `phone_number` does it)."""
        if self.expire_next_token_checks > 0:
            self.expire_next_token_checks -= 1
            return _error(40001, "invalid credential")
        token = request.query.get("access_token") or ""
        if not token.startswith("token-"):
            return _error(40014, "invalid access_token")  # never one WeChat issued
        if token not in self.valid_tokens:
            return _error(42001, "access_token expired")
        return None

    @staticmethod
    async def _v2_body(request: web.Request) -> dict | web.Response:
        """The JSON body of a v2 security call, or WeChat's error for a malformed one."""
        try:
            body = await request.json()
        except ValueError:
            return _error(47001, "data format error")
        if not isinstance(body, dict) or body.get("version") != 2:
            return _error(47001, "data format error")
        if body.get("scene") not in SCENES:
            return _error(40129, "invalid scene")
        if not isinstance(body.get("openid"), str) or not body["openid"]:
            return _error(40003, "invalid openid")
        return body

    async def msg_sec_check(self, request: web.Request):
        self.calls["msg_sec_check"] += 1
        if rejected := self._token_error(request):
            return rejected
        body = await self._v2_body(request)
        if isinstance(body, web.Response):
            return body
        if body["openid"] in self.stale_openids:
            return _error(61010, "user access expired")
        content = body.get("content")
        if not isinstance(content, str) or not content or len(content) > MAX_CONTENT_CHARS:
            return _error(47001, "data format error")
        if "busy-word" in content or self.text_checks_busy:
            return _error(45009, "reach max api daily quota limit")
        self.text_checks.append(body)
        trace_id = f"text-trace-{len(self.text_checks)}"
        if "nonsense-word" in content:
            return web.json_response({"errcode": 0, "errmsg": "ok", "result": {"label": 100}, "trace_id": trace_id})
        suggest, label = "pass", 100
        if "risky-word" in content or any(word in content for word in self.risky_words):
            suggest, label = "risky", 20001
        elif "review-word" in content:
            suggest, label = "review", 21000
        return web.json_response({
            "errcode": 0, "errmsg": "ok", "trace_id": trace_id,
            "result": {"suggest": suggest, "label": label},
            "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label,
                        "prob": 90 if label != 100 else 0}],
        })

    async def media_check_async(self, request: web.Request):
        self.calls["media_check_async"] += 1
        if rejected := self._token_error(request):
            return rejected
        body = await self._v2_body(request)
        if isinstance(body, web.Response):
            return body
        if body.get("media_type") != 2 or not isinstance(body.get("media_url"), str) or not body["media_url"]:
            return _error(47001, "data format error")
        trace_id = f"media-trace-{len(self.media_checks) + 1}"
        self.media_checks.append({**body, "trace_id": trace_id})
        return web.json_response({"errcode": 0, "errmsg": "ok", "trace_id": trace_id})

    async def _token_and_body(self, request: web.Request) -> dict | web.Response:
        """The JSON object of a call made with an access token, or WeChat's error."""
        if rejected := self._token_error(request):
            return rejected
        try:
            body = await request.json()
        except ValueError:
            return _error(47001, "data format error")
        return body if isinstance(body, dict) else _error(47001, "data format error")

    async def subscribe_send(self, request: web.Request):
        self.calls["subscribe_send"] += 1
        if self.subscribe_down:
            return web.Response(status=502, text="bad gateway")
        body = await self._token_and_body(request)
        if isinstance(body, web.Response):
            return body
        if not isinstance(body.get("touser"), str) or not body["touser"]:
            return _error(40003, "invalid openid")
        if body.get("template_id") not in self.subscribe_templates:
            return _error(40037, "invalid template_id")
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            return _error(47003, "argument invalid! data is empty")
        for key, value in data.items():
            limit = VALUE_LIMITS.get(key.rstrip("0123456789"))
            if not isinstance(value, dict) or not isinstance(value.get("value"), str) or not value["value"] or \
                    limit is None or len(value["value"]) > limit:
                return _error(47003, f"argument invalid! data.{key}.value invalid")
        if body.get("miniprogram_state", "formal") not in ("formal", "trial", "developer"):
            return _error(41030, "invalid page")
        if self.subscribe_errcode is not None:
            return _error(self.subscribe_errcode, "refused by the test")
        self.subscribe_sent.append(body)
        if self.subscribe_lose_answers:
            request.transport.close()  # WeChat took it; its answer never arrives
            await asyncio.sleep(1)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def getwxacodeunlimit(self, request: web.Request):
        self.calls["getwxacodeunlimit"] += 1
        body = await self._token_and_body(request)
        if isinstance(body, web.Response):
            return body
        scene = body.get("scene")
        if not isinstance(scene, str) or not 1 <= len(scene) <= 32:
            return _error(40097, "invalid args: scene")
        if not isinstance(body.get("page"), str) or body["page"].startswith("/"):
            return _error(41030, "invalid page")
        if self.share_code_errcode is not None:
            return _error(self.share_code_errcode, "refused by the test")
        self.share_codes.append(body)
        width = body.get("width", 430)
        out = io.BytesIO()
        Image.new("L", (width, width), 255).save(out, format="PNG")
        return web.Response(body=out.getvalue(), content_type="image/png")

    async def bizlicense(self, request: web.Request):
        self.calls["bizlicense"] += 1
        if rejected := self._token_error(request):
            return rejected
        if self.ocr_meeting is not None:
            await asyncio.wait_for(self.ocr_meeting.wait(), 10)
        if self.ocr_busy:
            return _error(45009, "reach max api daily quota limit")
        form = await request.post()
        sent = form.get("img")
        if sent is None or not hasattr(sent, "file"):
            return _error(47001, "data format error")
        data = sent.file.read()
        self.ocr_images.append(data)
        try:
            with Image.open(io.BytesIO(data)) as image:
                corner = image.convert("RGB").getpixel((0, 0))
        except Exception:
            return _error(101002, "invalid image")
        licence = self.licences.get(tuple(corner))
        if licence is None:
            return _error(101001, "certificate not found")
        return web.json_response({"errcode": 0, "errmsg": "ok", **licence,
                                  "img_size": {"w": 800, "h": 600}})


def licence_fields(number: str, name: str, period: str = "2020年01月01日至长期") -> dict:
    """What WeChat's bizlicense answers for a licence (the fields this backend reads, and a few it does not)."""
    return {"reg_num": number, "serial": "S" + number[-6:], "legal_representative": "李四",
            "enterprise_name": name, "type_of_organization": "有限责任公司", "address": "湖南省长沙市岳麓区某某路1号",
            "type_of_enterprise": "有限责任公司(自然人投资或控股)", "business_scope": "餐饮服务",
            "registered_capital": "50万", "paid_in_capital": "", "valid_period": period,
            "registered_date": "2020年01月01日"}

