"""The services the tests run against, and how to reach them: URLs, free ports, an in-loop server, and
a database-level barrier for race tests."""

from __future__ import annotations

import asyncio
import os
import random
import socket
from contextlib import asynccontextmanager
from urllib.parse import unquote, urlsplit

import pytest

MYSQL_URL = os.environ.get("TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0")


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


# Below Linux's ephemeral range (32768-60999): a port handed out for a bind to port 0 or an outgoing
# connection (the embedded engine's, a client's) can never take one of these between our check and its use.
_QUIET_PORTS = range(20000, 32000)


def free_port() -> int:
    """A port nothing listens on now, outside the range the system hands out by itself."""
    for _ in range(200):
        port = random.choice(_QUIET_PORTS)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found")


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


def is_mysql(settings) -> bool:
    return settings.resolved_database_url.startswith("mysql")


class LockBarrier:
    """A database-level barrier for race tests (MySQL/MariaDB): a transaction on a connection of its own
    takes row locks; competing requests pile up behind them, and `wait_for(n)` returns once `n`
    transactions are waiting at the same moment, which proves the calls overlapped. Leaving the block
    rolls back and lets them all through at once.

    `wait_for(n, waiting_in=...)` also proves where they wait: in the statement whose lock is the point of
    the test (a row lock also stops other statements on the row, e.g. an INSERT IGNORE of it)."""

    def __init__(self, database_url: str):
        self._url = urlsplit(database_url)
        self._conn = None
        self._trx_id = None

    async def _connect(self, **options):
        import asyncmy

        url = self._url
        return await asyncmy.connect(host=url.hostname or "127.0.0.1", port=url.port or 3306,
                                     user=unquote(url.username or "root"), password=unquote(url.password or ""),
                                     **options)

    async def __aenter__(self) -> "LockBarrier":
        self._conn = await self._connect(database=self._url.path.lstrip("/"), autocommit=False)
        return self

    async def lock(self, sql: str, *args) -> None:
        async with self._conn.cursor() as cursor:
            await cursor.execute(sql, args)
            async with asyncio.timeout(10):
                while self._trx_id is None:
                    # InnoDB refreshes its information_schema views only when not read for 0.1 s.
                    await asyncio.sleep(0.15)
                    await cursor.execute("SELECT trx_id FROM information_schema.INNODB_TRX "
                                         "WHERE trx_mysql_thread_id = CONNECTION_ID()")
                    found = await cursor.fetchone()
                    self._trx_id = found[0] if found else None

    async def wait_for(self, waiters: int, timeout: float = 10.0, waiting_in: str = "") -> None:
        """Until `waiters` transactions wait on this barrier's own locks (other clients' waits don't count)
        in a statement containing `waiting_in`; fails naming the statements that do wait if they don't."""
        probe = await self._connect(autocommit=True)
        statements: list[str] = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    async with probe.cursor() as cursor:
                        await cursor.execute("SELECT DISTINCT w.requesting_trx_id, t.trx_query FROM "
                                             "information_schema.INNODB_LOCK_WAITS w JOIN "
                                             "information_schema.INNODB_TRX t ON t.trx_id = w.requesting_trx_id "
                                             "WHERE w.blocking_trx_id = %s", (self._trx_id,))
                        statements = [query or "" for _, query in await cursor.fetchall()]
                    if sum(waiting_in in query for query in statements) >= waiters:
                        return
                    # InnoDB refreshes this view only when it was not read for 0.1 s: poll slower.
                    await asyncio.sleep(0.15)
        except TimeoutError:
            raise AssertionError(f"not {waiters} waiting in {waiting_in!r} after {timeout} s; "
                                 f"waiting: {statements}") from None
        finally:
            probe.close()

    async def __aexit__(self, *exc) -> None:
        await self._conn.rollback()
        self._conn.close()


# Row locks and lock waits exist on MySQL/MariaDB only (CI runs there; TEST_DATABASE=sqlite skips these).
mysql_only = pytest.mark.skipif(os.environ.get("TEST_DATABASE") == "sqlite" or not reachable(MYSQL_URL, 3306),
                                reason="needs MySQL/MariaDB row locks")


async def serve_aiohttp(app) -> tuple:
    """Serve an aiohttp app (a fake of an outside service) on a free local port: its runner, to clean up,
    and its base URL."""
    from aiohttp import web

    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
