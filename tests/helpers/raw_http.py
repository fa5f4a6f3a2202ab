"""Talking HTTP/1.1 over a bare socket: for what an HTTP client library will not send (stalled or dribbled
heads, broken request lines, repeated headers) or will not show (a connection closed on us)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import orjson
import pytest


async def open_raw(base_url: str, source: str | None = None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to the server, from the loopback address `source` (e.g. 127.0.0.2: a client of its own)."""
    parts = urlsplit(base_url)
    return await asyncio.open_connection(parts.hostname, parts.port, local_addr=(source, 0) if source else None)


def parse_answer(raw: bytes) -> tuple[int, dict, dict]:
    """(status, headers with lower-case names, JSON body) of one whole answer."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, orjson.loads(body)


async def raw_exchange(base_url: str, request: bytes, wait: float = 5.0,
                       source: str | None = None) -> tuple[int, dict, dict]:
    """Send `request` as is, then read the answer until the server closes; (status, headers, JSON body).

    Fails if no answer comes within `wait` s: the server is still waiting for bytes it will never get.
    """
    reader, writer = await open_raw(base_url, source)
    try:
        writer.write(request)
        await writer.drain()
        try:
            raw = await asyncio.wait_for(reader.read(), wait)
        except TimeoutError:
            pytest.fail(f"no answer within {wait} s: the server is still waiting for the body")
    finally:
        writer.close()
    if not raw:
        pytest.fail("the server closed the connection without an answer")
    return parse_answer(raw)


async def dribble_head(base_url: str, lines: int, every: float) -> tuple[int, bytes | None]:
    """Send a request head one header line every `every` s, never ending it, until the server answers and
    closes or `lines` lines are sent: (lines sent, what the server sent before closing, or None if open)."""
    reader, writer = await open_raw(base_url)
    answer = asyncio.ensure_future(reader.read())
    writer.write(b"GET /healthz HTTP/1.1\r\n")
    sent = 0
    while not answer.done() and sent < lines:
        writer.write(b"X-Slow-%d: 1\r\n" % sent)
        sent += 1
        await asyncio.wait([answer], timeout=every)
    writer.close()
    if not answer.done():
        answer.cancel()
        return sent, None
    return sent, answer.result()
