"""What the client sends a real cluster: the 8.x client line's compatibility headers, which Elasticsearch 8
and 9 both accept (the 9.x client's `compatible-with=9` is refused by 8.x with media_type_header_exception)."""

from __future__ import annotations

from aiohttp import web

from runtime.settings import Settings
from search.engine import SearchEngine, cluster_connection, engine_options
from tests.helpers.services import serve_aiohttp

INFO = {"name": "fake", "cluster_name": "fake", "version": {"number": "8.15.0", "build_flavor": "default"},
        "tagline": "You Know, for Search"}


async def headers_sent(embedded: bool, **connection) -> dict[str, str]:
    seen: dict[str, str] = {}

    async def info(request: web.Request):
        seen.update(request.headers)
        return web.json_response(INFO, headers={"X-Elastic-Product": "Elasticsearch"})

    app = web.Application()
    app.router.add_get("/", info)
    runner, url = await serve_aiohttp(app)
    engine = SearchEngine(url, embedded=embedded,
                          **connection)
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


async def test_an_api_key_or_a_user_and_password_go_to_the_cluster_and_never_into_the_settings_text():
    with_key = Settings(_env_file=None, elasticsearch_url="http://es:9200", elasticsearch_api_key="a2V5OnNlY3JldA==")
    assert (await headers_sent(False, **cluster_connection(with_key)))["Authorization"] == "ApiKey a2V5OnNlY3JldA=="
    with_user = Settings(_env_file=None, elasticsearch_url="http://es:9200", elasticsearch_username="elastic",
                         elasticsearch_password="changeme")
    assert (await headers_sent(False, **cluster_connection(with_user)))["Authorization"] == "Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="
    assert "changeme" not in repr(with_user) and "a2V5OnNlY3JldA" not in repr(with_key)
    assert "Authorization" not in await headers_sent(False, **cluster_connection(Settings(_env_file=None)))


async def test_the_clients_connections_per_node_come_from_the_setting(app):
    engine = SearchEngine(app.ctx.search.url, embedded=True,
                          **engine_options(Settings(_env_file=None, elasticsearch_connections_per_node=7), embedded=True))
    try:
        await engine.ping()
        [node] = engine.client.transport.node_pool.all()
        assert node.config.connections_per_node == 7
        assert node.session.connector.limit_per_host == 7  # what the HTTP pool it opened holds to
    finally:
        await engine.close()
    [node] = app.ctx.search.client.transport.node_pool.all()  # the app's, from the session's settings
    assert node.config.connections_per_node == app.ctx.settings.elasticsearch_connections_per_node == 64
