"""What the client sends a real cluster: the 8.x client line's compatibility headers, which Elasticsearch 8
and 9 both accept (the 9.x client's `compatible-with=9` is refused by 8.x with media_type_header_exception)."""

from __future__ import annotations

from aiohttp import web

from search.engine import SearchEngine

INFO = {"name": "fake", "cluster_name": "fake", "version": {"number": "8.15.0", "build_flavor": "default"},
        "tagline": "You Know, for Search"}


async def headers_sent(embedded: bool) -> dict[str, str]:
    seen: dict[str, str] = {}

    async def info(request: web.Request):
        seen.update(request.headers)
        return web.json_response(INFO, headers={"X-Elastic-Product": "Elasticsearch"})

    app = web.Application()
    app.router.add_get("/", info)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    engine = SearchEngine(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}", embedded=embedded)
    try:
        await engine.ping()
    finally:
        await engine.close()
        await runner.cleanup()
    return seen


async def test_a_cluster_is_asked_for_version_8_compatible_answers():
    accept = (await headers_sent(embedded=False))["Accept"]
    assert accept == "application/vnd.elasticsearch+json; compatible-with=8"


async def test_the_embedded_engine_gets_plain_json():
    assert (await headers_sent(embedded=True))["Accept"] == "application/json"
