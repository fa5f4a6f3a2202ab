"""Start-up migrations that survive a kill and concurrent starters.

MySQL/MariaDB commits each DDL statement at once, and Tortoise records a migration as applied only after all
its operations ran: a process killed in between leaves tables or columns of an unrecorded migration, and
every later start would fail on them (`1050 Table ... already exists`). Two processes starting on one empty
database would both run the same DDL. So:

- one named lock (GET_LOCK) is held on a connection of its own for the whole apply: a second starter waits
  for it, then finds nothing to do; the lock dies with its connection, so a killed process never leaves it;
- each operation first looks at the live schema and skips what a killed run already did, so a restart
  completes a half-applied migration. Tortoise issues one statement per operation here (CREATE TABLE with
  its keys inline, ADD COLUMN), so "it exists" means "it is complete".

Only CreateModel and AddField without many-to-many fields (a table of their own, created in the same script)
are resumable this way, and tests/models/test_migrations.py keeps migrations to them: another kind of
operation needs its own live-schema check here first.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

log = logging.getLogger("models.migrations")

RESUMABLE_OPERATIONS = ("CreateModel", "AddField")


class MigrationLockTimeout(RuntimeError):
    """Another process held the migration lock for longer than this one would wait."""


def lock_name(database: str) -> str:
    # GET_LOCK names are server-wide and at most 64 characters.
    name = f"{database}.migrations"
    return name if len(name) <= 64 else f"{hashlib.sha1(database.encode()).hexdigest()}.migrations"


@asynccontextmanager
async def migration_lock(database_url: str, timeout: float) -> AsyncIterator[None]:
    """Hold the database's migration lock (MySQL/MariaDB; SQLite is one process) for the block."""
    if not database_url.startswith("mysql"):
        yield
        return
    import asyncmy

    credentials = expand_db_url(database_url)["credentials"]
    database = credentials["database"]
    name = lock_name(database)
    # Not from Tortoise's pool: the lock belongs to this one session, for the whole apply.
    connection = await asyncmy.connect(host=credentials["host"], port=credentials["port"],
                                       user=credentials["user"], password=credentials["password"],
                                       database=database, autocommit=True)
    try:
        async with connection.cursor() as cursor:
            await cursor.execute("SELECT GET_LOCK(%s, 0)", (name,))
            (got,) = await cursor.fetchone()
            if got != 1:
                log.warning("another process is applying migrations to %s: waiting up to %g s for it",
                            database, timeout)
                await cursor.execute("SELECT GET_LOCK(%s, %s)", (name, timeout))
                (got,) = await cursor.fetchone()
            if got != 1:
                raise MigrationLockTimeout(
                    f"another process held the migration lock of database {database!r} ({name!r}) for more "
                    f"than {timeout:g} s (DATABASE_MIGRATION_LOCK_SECONDS); it is still applying migrations "
                    f"or hung: see SELECT * FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK('{name}')")
        try:
            yield
        finally:
            async with connection.cursor() as cursor:
                await cursor.execute("SELECT RELEASE_LOCK(%s)", (name,))
    finally:
        connection.close()


class ResumableSchemaEditor(BaseSchemaEditor):
    """Skips what the live schema already has (mixed in before Tortoise's editor for the dialect)."""

    async def _exists(self, mysql: str, sqlite: str, *values: str) -> bool:
        # Other dialects (not used here) are taken as "not there yet": Tortoise's own behaviour.
        query = {"mysql": mysql, "sqlite": sqlite}.get(self.DIALECT)
        if query is None:
            return False
        _, rows = await self.client.execute_query(query, list(values))
        return bool(rows)

    async def _table_exists(self, table: str) -> bool:
        return await self._exists(
            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table)

    async def _column_exists(self, table: str, column: str) -> bool:
        return await self._exists(
            "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s "
            "AND COLUMN_NAME = %s",
            "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", table, column)

    async def create_model(self, model) -> None:
        if await self._table_exists(model._meta.db_table):
            log.warning("migrations: table %s exists (a start was interrupted): kept", model._meta.db_table)
            return
        await super().create_model(model)

    async def add_field(self, model, field_name: str) -> None:
        table, column = model._meta.db_table, model._meta.fields_db_projection[field_name]
        if await self._column_exists(table, column):
            log.warning("migrations: column %s.%s exists (a start was interrupted): kept", table, column)
            return
        await super().add_field(model, field_name)


@cache
def _resumable(editor_class: type[BaseSchemaEditor]) -> type[BaseSchemaEditor]:
    return type(f"Resumable{editor_class.__name__}", (ResumableSchemaEditor, editor_class), {})


class ResumableExecutor(MigrationExecutor):
    """Tortoise's executor (plan, recording) with the dialect's schema editor made resumable."""

    def _schema_editor(self, atomic: bool = True, collect_sql: bool = False) -> BaseSchemaEditor:
        editor = super()._schema_editor(atomic=atomic, collect_sql=collect_sql)
        if collect_sql:  # printing SQL (sqlmigrate) reads no live schema
            return editor
        return _resumable(type(editor))(self.connection, atomic=atomic, collect_sql=collect_sql)


async def migrate(config: dict[str, Any], database_url: str, lock_timeout: float) -> None:
    """Apply the pending migrations of every app of `config` (which connects to `database_url`)."""
    async with migration_lock(database_url, lock_timeout):
        await Tortoise.init(config=config, init_connections=False)
        by_connection: dict[str, dict[str, dict]] = {}
        for label, app in config["apps"].items():
            by_connection.setdefault(app.get("default_connection", "default"), {})[label] = app
        for name, apps in by_connection.items():
            await ResumableExecutor(connections.get(name), apps).migrate()
