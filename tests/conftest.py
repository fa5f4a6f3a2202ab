"""Shared fixtures: real MariaDB, Redis and search engine; one live app server for the session.

`make test` starts MariaDB and Redis where they are installed. Where one is not reachable, its tests run
on the embedded fallback (SQLite, in-process cache) and the run says so at the end; with
REQUIRE_SERVICES=1 (CI) a missing service fails the run instead. TEST_DATABASE=sqlite runs the suite on
SQLite on purpose.
"""

from __future__ import annotations

import os
import socket
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from tortoise import Tortoise, connections

from models import db
from search.engine import EmbeddedEngine
from search.index import ensure_alias
from server.app import create_app
from server.config import Settings

MYSQL_URL = os.environ.get("TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0")

_gaps: list[str] = []


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _choose_services(tmp_dir) -> tuple[str, str | None]:
    database_url, redis_url = MYSQL_URL, REDIS_URL
    if os.environ.get("TEST_DATABASE", "mysql") == "sqlite":
        database_url = f"sqlite://{tmp_dir}/test.sqlite3"
    elif not _reachable(MYSQL_URL, 3306):
        _gaps.append(f"MariaDB/MySQL at {MYSQL_URL} is unreachable: database tests ran on SQLite")
        database_url = f"sqlite://{tmp_dir}/test.sqlite3"
    if not _reachable(REDIS_URL, 6379):
        _gaps.append(f"Redis at {REDIS_URL} is unreachable: cache tests ran on the in-process cache")
        redis_url = None
    if _gaps and REQUIRE_SERVICES:
        pytest.exit("REQUIRE_SERVICES=1 but: " + "; ".join(_gaps), returncode=3)
    return database_url, redis_url


def pytest_terminal_summary(terminalreporter):
    for gap in _gaps:
        terminalreporter.write_line(f"NOT COVERED: {gap}", red=True, bold=True)


async def _drop_all_tables(database_url: str) -> None:
    await db.connect(database_url)
    conn = connections.get("default")
    if database_url.startswith("mysql"):
        _, rows = await conn.execute_query("SHOW TABLES")
        await conn.execute_script("SET FOREIGN_KEY_CHECKS=0")
        for row in rows:
            await conn.execute_script(f"DROP TABLE IF EXISTS `{next(iter(row.values()))}`")
        await conn.execute_script("SET FOREIGN_KEY_CHECKS=1")
    await db.close()


@pytest.fixture(scope="session")
def engine():
    process = EmbeddedEngine.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    database_url, redis_url = _choose_services(data_dir)
    return Settings(app_env="dev", data_dir=data_dir, database_url=database_url, redis_url=redis_url,
                    elasticsearch_url=None, wechat_provider="dev", background_index_sync=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def serving(app):
    """Run a Sanic app on a free port in this event loop; yields its base URL."""
    port = free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await srv.startup()
    await srv.before_start()
    await srv.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await srv.before_stop()
        srv.close()
        await srv.wait_closed()
        await srv.after_stop()


@pytest.fixture(scope="session")
async def server(settings, engine):
    """A live app, started once; the ORM is initialised by its start-up listener."""
    await _drop_all_tables(settings.resolved_database_url)
    await db.apply_migrations(settings.resolved_database_url)
    app = create_app(settings, embedded_engine_url=engine.url)
    async with serving(app) as base_url:
        yield app, base_url


@pytest.fixture
def app(server):
    return server[0]


async def reset_state(app) -> None:
    """Empty every table, the cache and the search index (a fresh `jobs_v1` behind the alias)."""
    conn = connections.get("default")
    for model in Tortoise.apps["models"].values():
        await conn.execute_script(f"DELETE FROM {model._meta.db_table}")
    await app.ctx.cache.flushdb()
    engine = app.ctx.search.client
    for name in (await engine.indices.get(index="jobs_v*", allow_no_indices=True)).body:
        await engine.indices.delete(index=name)
    await ensure_alias(engine)


@pytest.fixture
async def client(server):
    """An HTTP client on the live app, with every table, the cache and the index emptied first."""
    app, base_url = server
    await reset_state(app)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield http


async def login_as(client: httpx.AsyncClient, name: str = "test") -> dict:
    """Register (or log in) the dev-provider user `name`; returns headers that authenticate as them."""
    response = await client.post("/wechat/user/register", json={"login_code": f"test:{name}",
                                                                 "phone_code": f"test:{name}"})
    assert response.status_code == 200, response.text
    user_id = response.json()["data"]["user_info"]["id"]
    return {"Authorization": response.headers["authorization"], "user_id": str(user_id)}
