"""A local fake of the WeChat API endpoints the login provider calls, with call counters."""

from __future__ import annotations

from collections import Counter

from aiohttp import web


class FakeWeChat:
    def __init__(self):
        self.calls: Counter[str] = Counter()
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.expire_next_token_checks = 0  # answer 40001 this many times even for a valid token
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> "FakeWeChat":
        app = web.Application()
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        app.router.add_post("/wxa/business/getuserphonenumber", self.phone_number)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def jscode2session(self, request: web.Request):
        self.calls["jscode2session"] += 1
        q = request.query
        if q.get("appid") != "wx-app" or q.get("secret") != "wx-secret":
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        code = q.get("js_code", "")
        if code.startswith("good-"):
            return web.json_response({"openid": "o-" + code[5:], "session_key": "sk", "unionid": "u-" + code[5:]})
        if code == "busy":
            return web.json_response({"errcode": 45011, "errmsg": "frequency limit"})
        if code == "broken":
            return web.Response(status=502, text="bad gateway")
        return web.json_response({"errcode": 40029, "errmsg": "invalid code"})

    async def stable_token(self, request: web.Request):
        self.calls["stable_token"] += 1
        body = await request.json()
        assert body["grant_type"] == "client_credential" and body["appid"] == "wx-app"
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def phone_number(self, request: web.Request):
        self.calls["getuserphonenumber"] += 1
        token = request.query.get("access_token")
        if self.expire_next_token_checks > 0:
            self.expire_next_token_checks -= 1
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if token not in self.valid_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        code = (await request.json())["code"]
        if not code.startswith("phone-"):
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": code[6:], "purePhoneNumber": code[6:], "countryCode": "86"}})
