"""Dependencies that misbehave on purpose: one that hangs, one that is slow, a Redis that is refused, hung or back,
an engine whose alias switches are not acknowledged."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from types import SimpleNamespace
from urllib.parse import urlsplit


@asynccontextmanager
async def silent_server():
    """A TCP server that accepts connections and never answers: a hung (not refused) dependency.
    Yields `.url` (`http://127.0.0.1:<port>`) and `.connections` (the writers of those it holds)."""
    held: list = []

    async def hold(reader, writer):
        held.append(writer)
        await reader.read()  # until the client gives up

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", connections=held)
    finally:
        for writer in held:
            writer.close()
        server.close()


@asynccontextmanager
async def slow_proxy(target_url: str, delay: float, port: int = 0):
    """A TCP forwarder to `target_url` that holds each new connection `delay` seconds before passing
    anything on: a slow (but working) dependency. Yields `.url` and `.connections` (how many came in)."""
    target = urlsplit(target_url)
    proxy = SimpleNamespace(url="", connections=0)

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def forward(client_reader, client_writer):
        proxy.connections += 1
        await asyncio.sleep(delay)
        upstream_reader, upstream_writer = await asyncio.open_connection(target.hostname, target.port)
        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    server = await asyncio.start_server(forward, "127.0.0.1", port)
    proxy.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield proxy
    finally:
        server.close()


@asynccontextmanager
async def unacknowledging_engine(target_url: str):
    """A forwarder to the engine at `target_url` that answers every alias change (`POST /_aliases`, applied) with
    `acknowledged: false`, as a cluster does when not every node confirmed it within the timeout. Yields its URL."""
    import aiohttp
    from aiohttp import web

    from tests.helpers.services import serve_aiohttp

    async def forward(request: web.Request) -> web.Response:
        headers = {name: value for name, value in request.headers.items() if name.lower() in ("content-type", "accept")}
        async with session.request(request.method, f"{target_url}{request.rel_url}", data=await request.read(),
                                   headers=headers) as answer:
            body, status, kind = await answer.read(), answer.status, answer.content_type
        if request.method == "POST" and request.path == "/_aliases" and status == 200:
            body = b'{"acknowledged": false}'
        return web.Response(body=body, status=status, content_type=kind,
                            headers={"X-Elastic-Product": "Elasticsearch"})

    app = web.Application(client_max_size=256 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", forward)
    async with aiohttp.ClientSession() as session:
        runner, url = await serve_aiohttp(app)
        try:
            yield url
        finally:
            await runner.cleanup()


class RedisDoor:
    """The app's Redis port: closed (connection refused), hung (accepts, never answers) or open (forwards
    to the test Redis)."""

    def __init__(self, port: int, target: str):
        self.port = port
        self._target = urlsplit(target)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in self._writers:
                writer.transport.abort()  # like a Redis that died: every connection drops
            self._writers.clear()
            await self._server.wait_closed()
            self._server = None

    async def hang(self) -> None:
        await self.close()
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", self.port)

    async def open(self) -> None:
        await self.close()
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)

    async def _hold(self, reader, writer) -> None:
        self._writers.add(writer)

    async def _forward(self, reader, writer) -> None:
        self._writers.add(writer)
        up_reader, up_writer = await asyncio.open_connection(self._target.hostname, self._target.port or 6379)
        self._writers.add(up_writer)

        async def pump(src, dst):
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer), return_exceptions=True)
