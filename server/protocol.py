"""The HTTP/1.1 connection, guarded against slow, greedy and malformed clients: a total deadline for the
request head, a bound on the connections one client address holds open, and a 400 for a broken request line."""

from __future__ import annotations

import re
from time import monotonic

import orjson
from sanic import Sanic
from sanic.exceptions import BadRequest, RequestTimeout
from sanic.http import Http, Stage
from sanic.server.protocols.http_protocol import HttpProtocol

_REFUSED_BODY = orjson.dumps({"code": 429, "message": "too many connections from this address", "data": None})
# Written before any request is read, then the connection is closed: the client sees why.
REFUSED = (b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nConnection: close\r\n"
           b"Content-Length: %d\r\n\r\n%b" % (len(_REFUSED_BODY), _REFUSED_BODY))


class ClientConnections:
    """Open connections per client address, in this process."""

    def __init__(self) -> None:
        self.open: dict[str, int] = {}

    def admit(self, address: str, limit: int) -> bool:
        held = self.open.get(address, 0)
        if held >= limit:
            return False
        self.open[address] = held + 1
        return True

    def release(self, address: str) -> None:
        held = self.open.get(address, 0) - 1
        if held > 0:
            self.open[address] = held
        else:
            self.open.pop(address, None)


def behind_proxy(config) -> bool:
    """Whether Sanic was told the peer is a proxy: then every connection comes from the proxy's address."""
    return bool(config.PROXIES_COUNT or config.REAL_IP_HEADER or config.FORWARDED_SECRET)


# RFC 9110's token: what a method may be made of.
_METHOD = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+").fullmatch
_NOT_VISIBLE_ASCII = re.compile(r"[^\x21-\x7e]")


def escaped(text: str) -> str:
    """`text` as received (Sanic decodes the head with surrogateescape) with every byte that is not visible
    ASCII written as \\xHH: safe to route on, to answer and to log."""
    raw = text.encode("utf-8", "surrogateescape").decode("latin-1")
    return _NOT_VISIBLE_ASCII.sub(lambda found: f"\\x{ord(found[0]):02x}", raw)


class GuardedHttp(Http):
    __slots__ = ()

    async def http1_request_header(self):
        await super().http1_request_header()
        if not _METHOD(self.request.method):  # "GE\x00T /" was routed, and answered 404 or 405
            self.request = self.request_body = None  # answered on an empty request; the body is not read
            raise BadRequest("malformed request line")

    def create_empty_request(self) -> None:
        # The request that answers an error raised before the request existed. Sanic builds it from the
        # URL as received, escaping only non-ASCII bytes: with control bytes in it, building it failed
        # again, the client got no answer and the log an ERROR holding the raw bytes.
        if self.url:
            self.url = escaped(self.url)
        super().create_empty_request()


class GuardedHttpProtocol(HttpProtocol):
    """Sanic's HTTP/1.1 protocol with two guards.

    The head's deadline: Sanic measures REQUEST_TIMEOUT (set to REQUEST_HEADER_TIMEOUT_SECONDS by the
    app) from the last byte received, so a client sending one header line a second was never cut off.
    Bytes that arrive while the head is being read no longer move that clock, so the whole head must
    arrive within the timeout of its first byte (or of the previous answer, for a pipelined request).

    Connections per client address: the one over MAX_CONNECTIONS_PER_CLIENT gets a 429 and is closed at
    once, before any request is read. The slot is freed in connection_lost, which asyncio calls once for
    every connection, however it ends (closed, reset, timed out).
    """

    HTTP_CLASS = GuardedHttp
    __slots__ = ("_client_address",)

    def connection_made(self, transport):
        self._client_address = None
        settings = self.app.ctx.settings
        limit = settings.max_connections_per_client
        if limit and not self.app.ctx.connections_via_proxy:
            peer = transport.get_extra_info("peername")
            address = peer[0] if isinstance(peer, tuple) else None  # a UNIX socket has no client address
            if address is not None:
                if not self.app.ctx.client_connections.admit(address, limit):
                    self.transport = None  # never served: data_received and connection_lost ignore it
                    transport.write(REFUSED)
                    transport.close()
                    return
                self._client_address = address
        super().connection_made(transport)

    def connection_lost(self, exc):
        if self.transport is None and self.conn_info is None:  # refused in connection_made
            return
        if self._client_address is not None:
            self.app.ctx.client_connections.release(self._client_address)
            self._client_address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes):
        if self.transport is None:  # refused; closing
            return
        http = self.http
        if http is not None and http.stage is Stage.REQUEST:
            held = self._time
            super().data_received(data)
            self._time = held  # the head's deadline stays where it started
        else:
            super().data_received(data)

    def check_timeouts(self):
        http = self.http
        if (self._task and http is not None and http.stage is Stage.REQUEST
                and monotonic() - self._time > self.request_timeout):
            # Sanic would do the same with "Request Timeout"; this says which part was late.
            http.exception = RequestTimeout(f"request header not received within {self.request_timeout:g} s")
            self._task.cancel()
            return
        super().check_timeouts()


class GuardedSanic(Sanic):
    """Sanic serving with GuardedHttpProtocol, however it is started (`jobboard serve`, the tests'
    create_server), unless a caller names another protocol."""

    def prepare(self, *args, protocol=None, **kwargs):
        super().prepare(*args, protocol=protocol or GuardedHttpProtocol, **kwargs)

    async def create_server(self, *args, protocol=None, **kwargs):
        return await super().create_server(*args, protocol=protocol or GuardedHttpProtocol, **kwargs)
