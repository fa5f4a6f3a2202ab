"""The HTTP edge under abuse and outages: oversized and stalled bodies, Redis refused, hung and back.

Body limits are checked on the session app with a raw socket (only the headers and a few bytes are
sent). Redis outages and the body and header timeouts are checked on `python -m server` as `make run`
starts it, with REDIS_URL at a port this test controls and REQUEST_BODY_TIMEOUT_SECONDS=1 (and the
header one), its JSON log read back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from tests.helpers.faults import RedisDoor
from tests.helpers.processes import ServerProcess, server_env
from tests.helpers.raw_http import dribble_head, parse_answer, raw_exchange
from tests.helpers.services import REDIS_URL, free_port, reachable

BOUND = 3.0  # seconds: an outage must be answered within its timeouts, not after the client gives up


def post_head(path: str, framing: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"{framing}\r\n\r\n").encode()


# --- bodies too large: refused from what the client declares, before it is sent -------------------------

TWENTY_MB = 20 * 1024 * 1024


@pytest.mark.parametrize("framing, sent", [
    (f"Content-Length: {TWENTY_MB}", b'{"login_code": "'),
    # One chunk declared bigger than the limit: refused at its size line.
    ("Transfer-Encoding: chunked", b'1400000\r\n{"login_code": "'),
    # Small chunks adding up past the limit: refused once they do, without waiting for the end.
    ("Transfer-Encoding: chunked", b"".join([b"400\r\n" + b" " * 0x400 + b"\r\n"] * 65)),
], ids=["content-length", "one-big-chunk", "many-small-chunks"])
async def test_a_too_large_json_body_is_refused_before_it_is_sent(server, framing, sent):
    _, base_url = server
    status, _, body = await raw_exchange(base_url, post_head("/wechat/user/login", framing) + sent)
    assert status == 400
    assert body["code"] == 400 and body["message"].startswith("request body too large (at most 65536 bytes)")


async def test_a_body_within_the_limit_is_read_whole(server):
    _, base_url = server
    body = b'{"login_code": "test:nobody"}' + b" " * 60_000  # JSON may end in whitespace
    framing = f"Content-Length: {len(body)}"
    status, _, answer = await raw_exchange(base_url, post_head("/wechat/user/login", framing) + body)
    assert status == 404 and answer["data"] == "user not found"  # parsed and looked up, not refused


# --- python -m server with a Redis the test controls ------------------------------------------------------

@dataclass
class Edge:
    server: ServerProcess
    door: RedisDoor

    @property
    def base_url(self) -> str:
        return self.server.base

    def log_lines(self, request_id: str) -> list[dict]:
        """The server's JSON log lines about one request."""
        lines = [orjson.loads(line) for line in self.server.log().splitlines() if line.startswith("{")]
        return [line for line in lines if line.get("request_id") == request_id]


@pytest.fixture(scope="module")
async def edge(tmp_path_factory):
    """`python -m server` on embedded defaults, REDIS_URL at a closed port the test opens and hangs at will."""
    tmp = tmp_path_factory.mktemp("edge")
    door = RedisDoor(free_port(), REDIS_URL)
    redis_url = f"redis://127.0.0.1:{door.port}{urlsplit(REDIS_URL).path or '/0'}"
    server = ServerProcess(server_env(DATA_DIR=str(tmp), REDIS_URL=redis_url, REQUEST_BODY_TIMEOUT_SECONDS="1",
                                      REQUEST_HEADER_TIMEOUT_SECONDS="1"),
                           free_port(), tmp / "server.log")
    try:
        server.wait_healthy()  # the door is closed: Redis refuses from the start
        yield Edge(server, door)
    finally:
        server.stop()
        await door.close()


@pytest.fixture
async def edge_http(edge):
    async with httpx.AsyncClient(base_url=edge.base_url, timeout=10) as http:
        yield http


async def timed(call) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def test_a_stalled_body_gets_408_and_one_warning_line(edge):
    status, headers, body = await raw_exchange(
        edge.base_url, post_head("/wechat/user/login", "Content-Length: 100") + b'{"login_code": ', wait=5)
    assert status == 408 and headers["connection"] == "close"
    assert body == {"code": 408, "message": "request body not received within 1 s", "data": None}
    logged = [line for line in edge.log_lines(headers["x-request-id"]) if line["level"] != "INFO"]
    assert [(line["level"], "exception" in line) for line in logged] == [("WARNING", False)]
    assert "Traceback" not in edge.server.log()


async def test_a_dribbled_head_gets_408_at_the_header_timeout(edge):
    # `python -m server` serves with the guarded protocol too (server/protocol.py): a header line every
    # 0.2 s no longer holds the connection for ever.
    sent, answer = await dribble_head(edge.base_url, lines=25, every=0.2)
    assert answer is not None, f"still open after {sent} header lines over {sent / 5:g} s"
    status, headers, body = parse_answer(answer)
    assert status == 408 and body["message"] == "request header not received within 1 s"
    logged = [line for line in edge.log_lines(headers["x-request-id"]) if line["level"] != "INFO"]
    assert [(line["level"], "exception" in line) for line in logged] == [("WARNING", False)]


async def test_without_redis_the_api_starts_and_serves_what_needs_no_cache(edge, edge_http):
    await edge.door.close()
    assert (await edge_http.get("/healthz")).status_code == 200
    listing = await edge_http.post("/jobs/list", json={"query_type": 3, "page_num": 1, "page_size": 10})
    assert listing.status_code == 200 and listing.json()["code"] == 0
    ready, elapsed = await timed(edge_http.get("/readyz"))
    assert ready.status_code == 503 and elapsed < BOUND
    data = ready.json()["data"]
    assert data["database"] == "ok" and data["search"] == "ok"
    assert data["cache"].startswith("unavailable: ")


async def assert_cache_calls_answer_503(edge, http: httpx.AsyncClient, token: str) -> None:
    calls = {
        "register": lambda: http.post("/wechat/user/register", json={"login_code": "test:newcomer",
                                                                     "phone_code": "test:9"}),
        "login": lambda: http.post("/wechat/user/login", json={"login_code": "test:regular"}),
        "user info": lambda: http.get("/user/info", headers={"Authorization": token}),
    }
    for name, call in calls.items():
        response, elapsed = await timed(call())
        assert response.status_code == 503, (name, response.text)
        assert response.json()["code"] == 503 and "cache unavailable" in response.json()["message"], name
        assert elapsed < BOUND, (name, elapsed)
        logged = [line for line in edge.log_lines(response.headers["x-request-id"]) if line["level"] != "INFO"]
        assert [(line["level"], "exception" in line) for line in logged] == [("WARNING", False)], name
    assert "Traceback" not in edge.server.log()


@pytest.fixture(scope="module")
async def regular_token(edge):
    """A user registered while Redis was up, and their token (kept in the test Redis)."""
    if not reachable(REDIS_URL, 6379):
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    await edge.door.open()
    async with httpx.AsyncClient(base_url=edge.base_url, timeout=10) as http:
        response = await http.post("/wechat/user/register", json={"login_code": "test:regular", "phone_code": "test"})
    assert response.status_code == 200, response.text
    return response.headers["authorization"]


async def test_refused_redis_is_503_quickly(edge, edge_http, regular_token):
    await edge.door.close()
    await assert_cache_calls_answer_503(edge, edge_http, regular_token)


async def test_hung_redis_is_503_quickly(edge, edge_http, regular_token):
    await edge.door.hang()
    await assert_cache_calls_answer_503(edge, edge_http, regular_token)
    ready, elapsed = await timed(edge_http.get("/readyz"))
    assert ready.status_code == 503 and ready.json()["data"]["cache"].startswith("unavailable: ")
    assert elapsed < BOUND


async def test_calls_work_again_when_redis_is_back(edge, edge_http, regular_token):
    auth = {"Authorization": regular_token}
    await edge.door.hang()
    assert (await edge_http.get("/user/info", headers=auth)).status_code == 503
    await edge.door.open()
    info = await edge_http.get("/user/info", headers=auth)
    assert info.status_code == 200 and info.json()["code"] == 0
    login = await edge_http.post("/wechat/user/login", json={"login_code": "test:regular"})
    assert login.status_code == 200
    ready = await edge_http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["data"]["cache"] == "ok"
    await edge.door.open()  # a Redis restart between two calls: the pooled connections are dead
    assert (await edge_http.get("/user/info", headers=auth)).status_code == 200
