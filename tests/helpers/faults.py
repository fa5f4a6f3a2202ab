"""Dependencies that misbehave on purpose: one that hangs, one that is slow."""

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
