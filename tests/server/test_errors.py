"""The envelope, probes, CORS and request ids, as a client or an operator sees them."""

from __future__ import annotations

import httpx

from indexer.sync import drain
from tests.helpers.services import serving


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.json() == {"code": 0, "message": "ok", "data": {"status": "alive"}}


async def test_readyz_reports_each_dependency(client, app):
    await drain(app.ctx.search.client)  # readiness counts the changes the suite's app leaves in the outbox
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["data"] == {"database": "ok", "cache": "ok", "search": "ok"}


async def test_readyz_says_which_dependency_is_down(client, app):
    search = app.ctx.search
    from search.engine import SearchEngine

    app.ctx.search = SearchEngine("http://127.0.0.1:9", embedded=True, request_timeout=1)
    try:
        response = await client.get("/readyz")
    finally:
        await app.ctx.search.close()
        app.ctx.search = search
    assert response.status_code == 503
    data = response.json()["data"]
    assert data["database"] == "ok" and data["cache"] == "ok" and data["search"].startswith("unavailable")


async def test_unknown_path_is_404_in_the_envelope(client):
    response = await client.post("/no/such/thing", json={})
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "Not Found", "data": None}


async def test_wrong_method_is_405_in_the_envelope(client):
    response = await client.get("/wechat/user/login")
    assert response.status_code == 405 and response.json()["code"] == 405


async def test_cors_preflight_allows_the_mini_program_web_client(client):
    response = await client.options("/wechat/user/login", headers={
        "Origin": "https://example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] in ("*", "https://example.com")


async def test_every_response_carries_a_request_id(client):
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    response = await client.get("/healthz")
    assert len(response.headers["x-request-id"]) == 32


async def test_an_unexpected_error_is_a_500_without_internals():
    from sanic import Sanic

    from server import errors, observability

    probe = Sanic("error_probe")
    probe.config.TOUCHUP = False  # a second app in this process must not recompile Sanic's shared classes
    errors.install(probe)
    observability.install(probe)

    @probe.get("/boom")
    async def boom(request):
        raise RuntimeError("password=hunter2 at /srv/secret.py")

    async with serving(probe) as base_url:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{base_url}/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == 500 and body["message"] == "Internal Server Error"
    assert "hunter2" not in response.text and "secret" not in response.text
    assert body["data"]["request_id"] == response.headers["x-request-id"]


async def test_logs_hold_no_token_or_phone(client, caplog):
    import logging

    from runtime.logs import JsonFormatter

    caplog.set_level(logging.INFO)
    response = await client.post("/wechat/user/register", json={"login_code": "test:logs", "phone_code": "test:7"})
    token = response.headers["authorization"].split()[1]
    await client.get("/user/info?phone=13800000007", headers={"Authorization": token})
    await client.post("/user/update/info", json={"phone": "13912345678"}, headers={"Authorization": token})
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records if record.name.startswith("server")]
    assert any('"path":"/user/info"' in line for line in lines)  # the access log is there...
    for line in lines:  # ...and carries no secret
        assert token not in line and "13800000007" not in line and "13912345678" not in line


async def test_database_error_text_never_reaches_the_log(client):
    import logging

    from tortoise.exceptions import IntegrityError

    from models.user import User
    from runtime import clock
    from runtime.logs import JsonFormatter

    now, openid = clock.now(), "o-" + "13800000007"  # built, so no source line in the traceback holds it
    await User.create(openid=openid, create_at=now, update_at=now)
    try:
        await User.create(openid=openid, create_at=now, update_at=now)
    except IntegrityError:
        record = logging.LogRecord("server.errors", logging.ERROR, __file__, 1, "unhandled error", None,
                                   __import__("sys").exc_info())
    line = JsonFormatter().format(record)
    assert "IntegrityError" in line and "test_errors.py" in line  # what failed, and where...
    assert "13800000007" not in line  # ...but not the value that failed


def test_every_domain_error_of_the_api_has_a_status():
    import importlib
    import pkgutil

    import server
    from runtime.errors import DomainError
    from server.errors import DOMAIN_ERRORS

    for module in pkgutil.walk_packages(server.__path__, "server."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    raised_by_the_api = {cls for cls in subclasses(DomainError) if cls.__module__.startswith("server.")}
    unmapped = {cls.__name__ for cls in raised_by_the_api
                if not any(base in DOMAIN_ERRORS for base in cls.__mro__)}
    assert raised_by_the_api and unmapped == set()
