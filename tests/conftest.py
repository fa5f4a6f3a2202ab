"""Shared fixtures: real MariaDB, Redis and search engine; one live app server for the session.

`make test` starts MariaDB and Redis where they are installed. Where one is not reachable, its tests run
on the embedded fallback (SQLite, in-process cache) and the run says so at the end; with
REQUIRE_SERVICES=1 (CI) a missing service fails the run instead. TEST_DATABASE=sqlite runs the suite on
SQLite on purpose.
"""

from __future__ import annotations

import asyncio
import os
import socket
from contextlib import asynccontextmanager
from types import SimpleNamespace
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


async def change_job(job_id: int, reason: str = "update", **fields) -> None:
    """Change a job the way the app does (models.job_writes): version, update_at and outbox row included."""
    from models.job import Job
    from models.job_writes import save_job
    from server import clock

    job = await Job.get(id=job_id)
    job.update_from_dict(fields)
    await save_job(job, reason, clock.now(), list(fields))


@pytest.fixture
def tune(app):
    """`tune(name=value, ...)` changes the live app's settings for one test; restored afterwards."""
    saved: dict = {}

    def apply(**overrides):
        for name, value in overrides.items():
            saved.setdefault(name, getattr(app.ctx.settings, name))
            setattr(app.ctx.settings, name, value)

    yield apply
    for name, value in saved.items():
        setattr(app.ctx.settings, name, value)


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


def is_mysql(settings) -> bool:
    return settings.resolved_database_url.startswith("mysql")


class LockBarrier:
    """A database-level barrier for race tests (MySQL/MariaDB): a transaction on a connection of its own
    takes row locks; competing requests pile up behind them, and `wait_for(n)` returns once `n`
    transactions are waiting at the same moment, which proves the calls overlapped. Leaving the block
    rolls back and lets them all through at once."""

    def __init__(self, database_url: str):
        self._url = urlsplit(database_url)
        self._conn = None

    async def __aenter__(self) -> "LockBarrier":
        import asyncmy

        self._conn = await asyncmy.connect(host=self._url.hostname, port=self._url.port or 3306,
                                           user=self._url.username or "root", password=self._url.password or "",
                                           database=self._url.path.lstrip("/"), autocommit=False)
        return self

    async def lock(self, sql: str, *args) -> None:
        async with self._conn.cursor() as cursor:
            await cursor.execute(sql, args)

    async def wait_for(self, waiters: int, timeout: float = 10.0) -> None:
        import asyncmy

        url = self._url
        probe = await asyncmy.connect(host=url.hostname, port=url.port or 3306, user=url.username or "root",
                                      password=url.password or "", autocommit=True)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    async with probe.cursor() as cursor:
                        await cursor.execute("SELECT COUNT(*) FROM information_schema.INNODB_TRX "
                                             "WHERE trx_state = 'LOCK WAIT'")
                        (waiting,) = await cursor.fetchone()
                    if waiting >= waiters:
                        return
                    # InnoDB refreshes this view only when it was not read for 0.1 s: poll slower.
                    await asyncio.sleep(0.15)
        finally:
            probe.close()

    async def __aexit__(self, *exc) -> None:
        await self._conn.rollback()
        self._conn.close()


# Row locks and lock waits exist on MySQL/MariaDB only (CI runs there; TEST_DATABASE=sqlite skips these).
mysql_only = pytest.mark.skipif(os.environ.get("TEST_DATABASE") == "sqlite" or not _reachable(MYSQL_URL, 3306),
                                reason="needs MySQL/MariaDB row locks")


@pytest.fixture
def travel():
    """`travel(moment)` sets the app's one clock (naive Shanghai wall time); real time again afterwards."""
    from server import clock

    yield clock.travel_to
    clock.reset()


@asynccontextmanager
async def slow_proxy(target_url: str, delay: float):
    """A TCP forwarder to `target_url` that holds each new connection `delay` seconds before passing
    anything on: a slow (but working) dependency. Yields its URL."""
    target = urlsplit(target_url)

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
        await asyncio.sleep(delay)
        upstream_reader, upstream_writer = await asyncio.open_connection(target.hostname, target.port)
        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    server = await asyncio.start_server(forward, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
