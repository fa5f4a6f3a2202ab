"""The envelope, probes, CORS and request ids, as a client or an operator sees them."""

from __future__ import annotations


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.json() == {"code": 0, "message": "ok", "data": {"status": "alive"}}


async def test_readyz_reports_each_dependency(client):
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
