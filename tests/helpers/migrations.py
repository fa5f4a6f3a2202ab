"""Start-up migrations in a process of their own, SIGKILLed at a chosen point; the schema they leave.

`python -m tests.helpers.migrations URL [KILL_AFTER]` applies the migrations to URL as a start does; with
KILL_AFTER, the process SIGKILLs itself once that many DDL statements of this run have completed: a
container kill landing between two statements, before the migration is recorded as applied.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

from tests.helpers.processes import mysql_query

ROOT = Path(__file__).resolve().parents[2]
KILLED = -signal.SIGKILL


def run_migrations(database_url: str, kill_after: int | None = None, lock_timeout: float = 10,
                   ) -> subprocess.CompletedProcess:
    """Apply the migrations in a subprocess (KILLED is its return code when the planned kill struck)."""
    args = [sys.executable, "-m", "tests.helpers.migrations", database_url, str(lock_timeout)]
    if kill_after is not None:
        args.append(str(kill_after))
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)


@asynccontextmanager
async def migration_lock_held(database_url: str) -> AsyncIterator[SimpleNamespace]:
    """Hold the migration lock of the database, as a start applying migrations does; leaving the block closes
    the connection (which is what frees it when that start is killed). Yields `.wait_for_waiters(n)`: returns
    once `n` sessions are blocked waiting for this lock, which proves their starts overlapped."""
    import asyncmy

    from models.migrating import lock_name

    parts = urlsplit(database_url)
    lock = lock_name(parts.path.strip("/"))
    holder = await asyncmy.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                                   user=unquote(parts.username or "root"), password=unquote(parts.password or ""),
                                   autocommit=True)
    cursor = holder.cursor()

    async def wait_for_waiters(waiters: int, timeout: float = 30) -> None:
        async with asyncio.timeout(timeout):
            while True:
                await cursor.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                     "WHERE INFO LIKE %s AND ID != CONNECTION_ID()", (f"%GET_LOCK('{lock}'%",))
                if (await cursor.fetchone())[0] >= waiters:
                    return
                await asyncio.sleep(0.1)

    try:
        await cursor.execute("SELECT GET_LOCK(%s, 0)", (lock,))
        assert await cursor.fetchone() == (1,), f"{lock} is taken"
        yield SimpleNamespace(wait_for_waiters=wait_for_waiters)
    finally:
        await holder.ensure_closed()  # now: a plain close() waits for the loop, which a blocking test may not run


def schema(database_url: str) -> dict[str, list[tuple]]:
    """What a start leaves: columns, keys and checks of every table, and the migrations recorded."""
    database = urlsplit(database_url).path.strip("/")
    return {
        "columns": mysql_query(database_url, "SELECT TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, "
                               "IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT FROM information_schema.COLUMNS "
                               "WHERE TABLE_SCHEMA = %s ORDER BY 1, 2", database),
        "keys": mysql_query(database_url, "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE "
                            "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s ORDER BY 1, 2, 3", database),
        "constraints": mysql_query(database_url, "SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM "
                                   "information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %s ORDER BY 1, 2",
                                   database),
        "tables": mysql_query(database_url, "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES "
                              "WHERE TABLE_SCHEMA = %s ORDER BY 1", database),
        "applied": mysql_query(database_url, f"SELECT app, name FROM `{database}`.tortoise_migrations ORDER BY id"),
    }


def _kill_after(statements: int) -> None:
    from tortoise.migrations.schema_editor.base import BaseSchemaEditor

    run_sql = BaseSchemaEditor._run_sql
    done = 0

    async def run_then_maybe_die(self, sql: str) -> None:
        nonlocal done
        await run_sql(self, sql)
        done += 1
        if done == statements:
            os.kill(os.getpid(), signal.SIGKILL)

    BaseSchemaEditor._run_sql = run_then_maybe_die


def main(database_url: str, lock_timeout: str, kill_after: str | None = None) -> None:
    from models import db

    if kill_after is not None:
        _kill_after(int(kill_after))
    asyncio.run(db.apply_migrations(database_url, lock_timeout=float(lock_timeout)))


if __name__ == "__main__":
    main(*sys.argv[1:])
