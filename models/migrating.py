"""Start-up migrations that survive a kill and concurrent starters.

MySQL/MariaDB commits each DDL statement at once, and Tortoise records a migration as applied only after all
its operations ran: a process killed in between leaves tables or columns of an unrecorded migration, and
every later start would fail on them (`1050 Table ... already exists`). Two processes starting on one empty
database would both run the same DDL. So:

- one named lock (GET_LOCK) is held on a connection of its own for the whole apply: a second starter waits
  for it, then finds nothing to do; the lock dies with its connection, so a killed process never leaves it;
- each operation first looks at the live schema and skips what a killed run already did, so a restart
  completes a half-applied migration. Tortoise issues one statement per operation here (CREATE TABLE with
  its keys inline, ADD COLUMN, DROP COLUMN, DROP TABLE, RENAME TABLE), so "it exists" (or "it is gone")
  means "it is complete";
- data steps (`data_step`) run one statement that does only what is left (rows not copied yet, columns not
  set yet) and are skipped when nothing is left or their source is gone (dropped by a later operation of a
  run that was killed before it was recorded).

Only CreateModel, AddField, RemoveField, DeleteModel and RenameModel without many-to-many fields (a table of
their own, created in the same script), and data steps, are resumable this way; tests/models/test_migrations.py
keeps migrations to them: another kind of operation (RenameField's SQL bypasses the schema editor; a plain
RunPython or RunSQL is not known to be idempotent) needs its own live-schema check here first.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from copy import copy
from functools import cache
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget
from tortoise.migrations.operations import RunPython
from tortoise.migrations.recorder import MigrationRecorder
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

log = logging.getLogger("models.migrations")

RESUMABLE_OPERATIONS = ("CreateModel", "AddField", "RemoveField", "DeleteModel", "RenameModel", "DataStep")


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


async def _exists(editor: BaseSchemaEditor, mysql: str, sqlite: str, *values: str) -> bool:
    # Other dialects (not used here) are taken as "not there yet": Tortoise's own behaviour.
    query = {"mysql": mysql, "sqlite": sqlite}.get(editor.DIALECT)
    if query is None:
        return False
    _, rows = await editor.client.execute_query(query, list(values))
    return bool(rows)


async def table_exists(editor: BaseSchemaEditor, table: str) -> bool:
    return await _exists(
        editor, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table)


async def column_exists(editor: BaseSchemaEditor, table: str, column: str) -> bool:
    return await _exists(
        editor, "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s "
        "AND COLUMN_NAME = %s",
        "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", table, column)


class ResumableSchemaEditor(BaseSchemaEditor):
    """Skips what the live schema already has (mixed in before Tortoise's editor for the dialect)."""

    async def create_model(self, model) -> None:
        if await table_exists(self, model._meta.db_table):
            log.warning("migrations: table %s exists (a start was interrupted): kept", model._meta.db_table)
            return
        await super().create_model(model)

    async def add_field(self, model, field_name: str) -> None:
        table, column = model._meta.db_table, model._meta.fields_db_projection[field_name]
        if await column_exists(self, table, column):
            log.warning("migrations: column %s.%s exists (a start was interrupted): kept", table, column)
            return
        field = model._meta.fields_map[field_name]
        if (self.DIALECT == "sqlite" and not field.null and not field.has_db_default()
                and field.field_type in (int, bool)):
            # SQLite refuses a NOT NULL column without a default on a table with rows; MySQL gives the rows
            # 0. So does this (a data step then sets the real value, on either), with a default of the column.
            zero = copy(field)
            zero.db_default = field.field_type(0)
            model._meta.fields_map[field_name] = zero
            try:
                await super().add_field(model, field_name)
            finally:
                model._meta.fields_map[field_name] = field
            return
        await super().add_field(model, field_name)

    async def remove_field(self, model, field) -> None:
        table = model._meta.db_table
        column = model._meta.fields_db_projection.get(field.model_field_name,
                                                      field.source_field or field.model_field_name)
        if not await column_exists(self, table, column):
            log.warning("migrations: column %s.%s is gone (a start was interrupted)", table, column)
            return
        await super().remove_field(model, field)

    async def delete_model(self, model) -> None:
        if not await table_exists(self, model._meta.db_table):
            log.warning("migrations: table %s is gone (a start was interrupted)", model._meta.db_table)
            return
        await super().delete_model(model)

    async def rename_table(self, model, old_name: str, new_name: str) -> None:
        if old_name != new_name and not await table_exists(self, old_name) and await table_exists(self, new_name):
            log.warning("migrations: table %s is renamed %s already (a start was interrupted)", old_name, new_name)
            return
        await super().rename_table(model, old_name, new_name)


class DataStep(RunPython):
    """A data step a restart can repeat: see `data_step`."""

    def __init__(self, sql: str, pending: str, source: tuple[str, str | None]) -> None:
        self.sql, self.pending, self.source = sql, pending, source
        super().__init__(self._forward)

    def describe(self) -> str:
        return f"Data step: {self.sql}"

    async def _forward(self, apps, editor: BaseSchemaEditor) -> None:
        table, column = self.source
        if not await (column_exists(editor, table, column) if column else table_exists(editor, table)):
            return  # its source is dropped: a killed run got past this step
        _, rows = await editor.client.execute_query(self.pending)
        if rows:
            await editor._run_sql(self.sql)  # through the editor, as DDL is: one statement of the migration


def data_step(sql: str, pending: str, source: tuple[str, str | None]) -> DataStep:
    """A resumable data step: `sql` (one statement; identifiers in backquotes, which SQLite reads too) must
    do only what is left, so that running it again changes nothing (INSERT ... SELECT of the rows not
    copied yet, ids kept; UPDATE ... WHERE not set yet). It runs only while `pending` (a SELECT) finds
    something left to do, and only while its `source` (table, column or None) exists."""
    return DataStep(sql, pending, source)


@cache
def _resumable(editor_class: type[BaseSchemaEditor]) -> type[BaseSchemaEditor]:
    return type(f"Resumable{editor_class.__name__}", (ResumableSchemaEditor, editor_class), {})


class QuietRecorder(MigrationRecorder):
    """Tortoise's record of applied migrations, its table created only when missing: Tortoise's `CREATE TABLE IF
    NOT EXISTS` earns a MySQL warning ("Table ... already exists") at every start, which the driver logs."""

    async def ensure_schema(self, schema_editor) -> None:
        if not await table_exists(schema_editor, self.table_name):
            await super().ensure_schema(schema_editor)


class ResumableExecutor(MigrationExecutor):
    """Tortoise's executor (plan, recording) with the dialect's schema editor made resumable."""

    def __init__(self, connection, apps_config: dict[str, dict]) -> None:
        super().__init__(connection, apps_config)
        self.recorder = self.loader.recorder = QuietRecorder(connection)

    def _schema_editor(self, atomic: bool = True, collect_sql: bool = False) -> BaseSchemaEditor:
        editor = super()._schema_editor(atomic=atomic, collect_sql=collect_sql)
        if collect_sql:  # printing SQL (sqlmigrate) reads no live schema
            return editor
        return _resumable(type(editor))(self.connection, atomic=atomic, collect_sql=collect_sql)


async def migrate(config: dict[str, Any], database_url: str, lock_timeout: float,
                  upto: dict[str, str] | None = None) -> None:
    """Apply the pending migrations of every app of `config` (which connects to `database_url`); with
    `upto` ({app: migration name}), only up to those (a database as an older release left it)."""
    async with migration_lock(database_url, lock_timeout):
        await Tortoise.init(config=config, init_connections=False)
        by_connection: dict[str, dict[str, dict]] = {}
        for label, app in config["apps"].items():
            by_connection.setdefault(app.get("default_connection", "default"), {})[label] = app
        for name, apps in by_connection.items():
            targets = None if upto is None else [MigrationTarget(label, upto[label]) for label in apps]
            await ResumableExecutor(connections.get(name), apps).migrate(targets)
