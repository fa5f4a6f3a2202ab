"""The HTTP/1.1 edge against slow, greedy, departing and malformed clients (server/protocol.py), over bare
sockets on the session app: a head dribbled line by line, too many connections from one address, a client
that leaves before its answer, a broken request line."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.helpers.raw_http import dribble_head, open_raw, parse_answer, raw_exchange

GET_HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"
GET_HEALTHZ_THEN_CLOSE = b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"


@pytest.fixture
def header_timeout(app, settings):
    """The session app's head deadline, shortened to 0.5 s for new connections during one test."""
    assert app.config.REQUEST_TIMEOUT == settings.request_header_timeout_seconds  # the setting is wired
    app.config.REQUEST_TIMEOUT = 0.5
    yield 0.5
    app.config.REQUEST_TIMEOUT = settings.request_header_timeout_seconds


async def read_answer(reader: asyncio.StreamReader, wait: float = 5.0) -> bytes:
    """One answer to one request on a kept-alive connection (its body is JSON, sized by Content-Length)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), wait)
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    return head + await asyncio.wait_for(reader.readexactly(length), wait)


async def test_a_head_dribbled_line_by_line_is_cut_off_at_the_header_timeout(server, header_timeout):
    _, base_url = server
    # A line every 0.1 s: well within Sanic's per-byte REQUEST_TIMEOUT, for ever, but 30 of them (3 s) are
    # far past the 0.5 s the whole head may take.
    sent, answer = await dribble_head(base_url, lines=30, every=0.1)
    assert answer is not None, f"still open after {sent} header lines dribbled over {sent / 10:g} s"
    status, headers, body = parse_answer(answer)
    assert status == 408 and headers["connection"] == "close"
    assert body == {"code": 408, "message": f"request header not received within {header_timeout:g} s",
                    "data": None}


async def test_the_header_clock_starts_at_each_request_not_at_the_connection(server, header_timeout):
    _, base_url = server
    reader, writer = await open_raw(base_url)
    try:
        writer.write(GET_HEALTHZ)
        assert parse_answer(await read_answer(reader))[0] == 200
        await asyncio.sleep(header_timeout + 0.2)  # idle on a kept-alive connection: not a slow head
        writer.write(b"GET /healthz HTTP/1.1\r\n")  # the next head in two parts, within the deadline
        await asyncio.sleep(header_timeout / 3)
        writer.write(b"Host: test\r\n\r\n")
        assert parse_answer(await read_answer(reader))[0] == 200
    finally:
        writer.close()


CLIENT = "127.0.0.2"  # a loopback address of these tests' own: no other test's connection counts against it


@pytest.fixture
def connection_limit(tune):
    tune(max_connections_per_client=3)
    return 3


async def healthz_status(base_url: str) -> int:
    return (await raw_exchange(base_url, GET_HEALTHZ_THEN_CLOSE, source=CLIENT))[0]


async def test_connections_from_one_address_are_bounded_and_freed_when_they_end(server, connection_limit):
    _, base_url = server
    held = [await open_raw(base_url, CLIENT) for _ in range(connection_limit)]
    for reader, writer in held:  # each is served, and stays open
        writer.write(GET_HEALTHZ)
        assert parse_answer(await read_answer(reader))[0] == 200
    assert (await raw_exchange(base_url, GET_HEALTHZ_THEN_CLOSE))[0] == 200  # another address is not affected
    # One more from this address: refused at once, before it sends a byte, with the reason.
    status, headers, body = await raw_exchange(base_url, b"", source=CLIENT)
    assert status == 429 and headers["connection"] == "close"
    assert body == {"code": 429, "message": "too many connections from this address", "data": None}

    # A client killed mid-connection (reset, no goodbye) frees its slot; so does one that closes.
    held[0][1].transport.abort()
    held[1][1].close()
    for _ in range(2):
        async with asyncio.timeout(5):
            while (status := await healthz_status(base_url)) == 429:  # until the server saw them go
                await asyncio.sleep(0.05)
        assert status == 200
        held.append(await open_raw(base_url, CLIENT))  # take a freed slot and keep it
        held[-1][1].write(GET_HEALTHZ)
        assert parse_answer(await read_answer(held[-1][0]))[0] == 200
    assert await healthz_status(base_url) == 429  # both slots taken again: still bounded
    for _, writer in held:
        writer.close()


async def test_behind_a_proxy_connections_are_not_counted_per_peer(server, app, connection_limit, monkeypatch):
    # Every connection then comes from the proxy: limiting its address would limit every client at once.
    monkeypatch.setattr(app.ctx, "connections_via_proxy", True)
    _, base_url = server
    held = [await open_raw(base_url, CLIENT) for _ in range(connection_limit + 2)]
    try:
        assert await healthz_status(base_url) == 200
    finally:
        for _, writer in held:
            writer.close()


def test_the_limit_is_off_where_sanic_is_told_of_a_proxy():
    from sanic.config import Config

    from server.protocol import behind_proxy

    assert not behind_proxy(Config())
    assert behind_proxy(Config({"PROXIES_COUNT": 1}))
    assert behind_proxy(Config({"REAL_IP_HEADER": "x-real-ip"}))
    assert behind_proxy(Config({"FORWARDED_SECRET": "s3cret"}))


@pytest.mark.parametrize("path", ["/held", "/held_then_broken"])
async def test_a_client_that_leaves_before_its_answer_is_logged_499_not_as_an_error(caplog, path):
    """Also when the handler's cancellation breaks something on its way out (a rollback on a database
    connection interrupted mid-query raises its own error in place of the cancellation)."""
    from sanic import Sanic
    from sanic.response import json

    from server import errors, observability
    from tests.helpers.services import serving

    probe = Sanic(f"leaving_client_probe_{path.strip('/')}")
    probe.config.TOUCHUP = False  # a second app in this process must not recompile Sanic's shared classes
    errors.install(probe)
    observability.install(probe)
    entered, release = asyncio.Event(), asyncio.Event()

    @probe.get("/held")
    async def held(request):  # a slow answer, as long as the test wants
        entered.set()
        await release.wait()
        return json({"code": 0})

    @probe.get("/held_then_broken")
    async def held_then_broken(request):
        entered.set()
        try:
            await release.wait()
        except asyncio.CancelledError:
            raise RuntimeError("rollback on an interrupted connection") from None
        return json({"code": 0})

    caplog.set_level(logging.INFO)
    async with serving(probe) as base_url:
        reader, writer = await open_raw(base_url)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: test\r\nX-Request-ID: leaving-client\r\n\r\n".encode())
        await asyncio.wait_for(entered.wait(), 5)
        writer.transport.abort()  # the client gives up
        async with asyncio.timeout(5):
            while not (lines := [r for r in caplog.records
                                 if getattr(r, "request_id", None) == "leaving-client" and r.name == "server.access"]):
                await asyncio.sleep(0.01)
        release.set()
    assert [(line.name, line.levelname, line.status) for line in lines] == [("server.access", "INFO", 499)]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


@pytest.mark.parametrize("request_line", [
    b"GET /\x01\x1b[31mred HTTP/1.1",  # control bytes in the URL: Sanic's error answer itself failed
    b"GE\x00T /healthz HTTP/1.1",  # in the method: was routed (404/405)
    b"GET /caf\xc3\xa9\x7f HTTP/1.1",  # not ASCII, and DEL
], ids=["url", "method", "non-ascii"])
async def test_a_broken_request_line_is_a_400_logged_escaped(server, caplog, request_line):
    _, base_url = server
    caplog.set_level(logging.INFO)
    status, headers, body = await raw_exchange(base_url, request_line + b"\r\nHost: test\r\nConnection: close\r\n\r\n")
    assert status == 400 and body["code"] == 400
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    (access,) = [r for r in caplog.records if getattr(r, "request_id", None) == headers["x-request-id"]]
    assert access.status == 400
    # What was received, readable and in plain ASCII: no terminal escape, no NUL, in any log format.
    assert access.method.isprintable() and access.path.isprintable() and access.path.isascii()
    if b"/\x01" in request_line:
        assert access.path == "/\\x01\\x1b[31mred"
