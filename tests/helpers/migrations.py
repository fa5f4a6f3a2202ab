"""Start-up migrations in a process of their own, SIGKILLed at a chosen point; the schema they leave.

`python -m tests.helpers.migrations URL LOCK_TIMEOUT [KILL_AFTER|-] [UPTO] [--repeat-data-steps]` applies the
migrations to URL as a start does (only up to migration UPTO, when given); with KILL_AFTER, the process
SIGKILLs itself once that many statements (DDL and data steps) of this run have completed: a container kill
landing between two statements, before the migration is recorded as applied. It prints how many statements
it ran. --repeat-data-steps runs each data step's statement twice, as a restart that repeated one would.
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
                   upto: str | None = None, repeat_data_steps: bool = False) -> subprocess.CompletedProcess:
    """Apply the migrations in a subprocess (KILLED is its return code when the planned kill struck)."""
    args = [sys.executable, "-m", "tests.helpers.migrations", database_url, str(lock_timeout),
            "-" if kill_after is None else str(kill_after)]
    if upto is not None:
        args.append(upto)
    if repeat_data_steps:
        args.append("--repeat-data-steps")
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)


def statements_run(run: subprocess.CompletedProcess) -> int:
    """How many statements a completed `run_migrations` ran."""
    return int(run.stdout.rsplit("statements: ", 1)[1])


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


_statements = 0


def _count_statements(kill_after: int | None) -> None:
    from tortoise.migrations.schema_editor.base import BaseSchemaEditor
    from tortoise.migrations.schema_editor.sqlite import SqliteSchemaEditor

    def counted(run_sql):
        async def run_then_maybe_die(self, sql: str) -> None:
            global _statements
            await run_sql(self, sql)
            _statements += 1
            if _statements == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
        return run_then_maybe_die

    # SQLite's editor runs its statements itself; it calls the base one only for whole scripts.
    BaseSchemaEditor._run_sql = counted(BaseSchemaEditor._run_sql)
    SqliteSchemaEditor._run_sql = counted(SqliteSchemaEditor._run_sql)


def _repeat_data_steps() -> None:
    from models.migrating import DataStep

    forward = DataStep._forward

    async def twice(self, apps, editor) -> None:
        await forward(self, apps, editor)
        await editor._run_sql(self.sql)

    DataStep._forward = twice


def main(database_url: str, lock_timeout: str, kill_after: str = "-", upto: str | None = None,
         *flags: str) -> None:
    from models import db, migrating

    if upto is not None and upto.startswith("--"):
        flags, upto = (upto, *flags), None
    _count_statements(None if kill_after == "-" else int(kill_after))
    if "--repeat-data-steps" in flags:
        _repeat_data_steps()

    async def apply() -> None:
        try:
            await migrating.migrate(db.tortoise_config(database_url), database_url, float(lock_timeout),
                                    upto=None if upto is None else {"models": upto})
        finally:
            await db.close()

    asyncio.run(apply())
    print(f"statements: {_statements}")


if __name__ == "__main__":
    main(*sys.argv[1:])
