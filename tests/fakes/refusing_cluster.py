"""A search cluster that refuses us, as Elasticsearch does when its API key was rotated (401) or the key's role
lacks a privilege (403): every request answered with the security error."""

from __future__ import annotations

from aiohttp import web

from tests.helpers.services import serve_aiohttp

_REASONS = {401: "unable to authenticate with provided credentials and anonymous access is not allowed",
            403: "action [indices:data/read/search] is unauthorized for API key id [k1] of user [jobboard]"}


class RefusingCluster:
    def __init__(self, status: int):
        self.status = status
        self.requests = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> "RefusingCluster":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.refuse)
        self.runner, self.url = await serve_aiohttp(app)
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def refuse(self, request: web.Request) -> web.Response:
        self.requests += 1
        error = {"type": "security_exception", "reason": _REASONS[self.status]}
        return web.json_response({"error": {"root_cause": [error], **error}, "status": self.status},
                                 status=self.status, headers={"X-Elastic-Product": "Elasticsearch"})
