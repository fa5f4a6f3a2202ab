"""The operators' console as a browser without JavaScript sees it: forms with their hidden tokens, cookies."""

from __future__ import annotations

import re

import httpx

from server.services import operators

PASSWORD = "correct horse battery"


async def make_operator(name: str, role: str, password: str = PASSWORD):
    return await operators.add(name, role, password, "test")


def form_token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    assert found, html[:2000]
    return found[1]


class Console:
    """One operator's browser: `await console.login(name)`, then `get` pages and `post` their forms."""

    def __init__(self, base_url: str):
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30, follow_redirects=False)
        self.csrf = ""

    async def __aenter__(self) -> Console:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.http.aclose()

    async def login(self, name: str, password: str = PASSWORD, code: str = "") -> httpx.Response:
        form = await self.http.get("/admin/login")
        response = await self.http.post("/admin/login", data={"csrf": form_token(form.text), "name": name,
                                                             "password": password, "code": code})
        if response.status_code == 303:
            self.csrf = form_token((await self.http.get("/admin")).text)
        return response

    async def get(self, path: str, **params) -> httpx.Response:
        return await self.http.get(path, params=params or None)  # {} would drop the path's own query

    async def post(self, path: str, csrf: str | None = None, **fields) -> httpx.Response:
        return await self.http.post(path, data={"csrf": self.csrf if csrf is None else csrf, **fields})
