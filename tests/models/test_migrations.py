"""Start-up migrations on MariaDB, as the processes of a deployment run them: killed at any point, the next
start completes the schema and keeps every row; several starts at once take turns; SQLite (development)
migrates an existing database too. Each test has a database of its own."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from tortoise.fields.relational import ManyToManyFieldInstance

from models import migrating, migrations
from tests.helpers import posting_data
from tests.helpers.migrations import KILLED, ROOT, migration_lock_held, run_migrations, schema, statements_run
from tests.helpers.processes import fresh_mysql_database
from tests.helpers.services import MYSQL_URL, mysql_only

SUITE_DATABASE = urlsplit(MYSQL_URL).path.strip("/")


@pytest.fixture(scope="module")
def clean_start() -> SimpleNamespace:
    """The schema one uninterrupted start leaves on an empty database, and how many statements it ran."""
    url = fresh_mysql_database(MYSQL_URL, f"{SUITE_DATABASE}_migrated")
    run = run_migrations(url)
    assert run.returncode == 0, run.stderr
    return SimpleNamespace(schema=schema(url), statements=statements_run(run))


@pytest.fixture(scope="module")
def clean_schema(clean_start) -> dict:
    return clean_start.schema


def _shape(url: str) -> tuple:
    state = schema(url)
    return tuple(tuple(state[part]) for part in ("tables", "columns", "keys", "constraints"))


@mysql_only
def test_a_start_killed_after_any_statement_of_its_migrations_is_completed_by_the_next(clean_start):
    url = fresh_mysql_database(MYSQL_URL, f"{SUITE_DATABASE}_killed")
    # Every start dies right after its first statement (before its migration is recorded), the next start
    # resumes from there: a crash loop under a restart policy would show as a start that fails, or that
    # leaves what an earlier one left. Tables and columns come and go, so the progress is the whole shape.
    shapes_after_each_kill = []
    while (run := run_migrations(url, kill_after=1)).returncode == KILLED:
        shapes_after_each_kill.append(_shape(url))
        assert len(shapes_after_each_kill) < 100, "the starts make no progress"
    assert run.returncode == 0, run.stderr
    assert len(set(shapes_after_each_kill)) == len(shapes_after_each_kill), "each start went one statement further"
    assert len(shapes_after_each_kill) == clean_start.statements, "a kill after every statement of a clean start"
    assert len(shapes_after_each_kill) > len(clean_start.schema["applied"]), "kills within migrations, not only between"
    assert statements_run(run) == 0
    assert schema(url) == clean_start.schema


def _at_0009_with_data(name: str) -> tuple[str, dict]:
    url = fresh_mysql_database(MYSQL_URL, f"{SUITE_DATABASE}_{name}")
    run = run_migrations(url, upto=posting_data.AT_0009)
    assert run.returncode == 0, run.stderr
    return url, posting_data.seed(url)


@mysql_only
def test_rows_of_a_live_database_survive_a_start_killed_after_every_statement_of_0010(clean_schema):
    url, before = _at_0009_with_data("data_killed")
    seen = []
    while (run := run_migrations(url, kill_after=1)).returncode == KILLED:
        tables = {table for table, _ in schema(url)["tables"]}
        moved = [table for table in ("index_outbox", "orders", "favorites", "reports") if table in tables]
        seen.append((_shape(url), *(repr(posting_data.query(url, f"SELECT * FROM {table} ORDER BY id"))
                                    for table in moved)))
        assert len(seen) < 50, "the starts make no progress"
    assert run.returncode == 0, run.stderr
    assert len(set(seen)) == len(seen), "each start went one statement (DDL or data) further"
    assert len(seen) > 4, "killed within 0010, after its data steps too"
    assert posting_data.migrated(url) == posting_data.expected(before)
    assert schema(url) == clean_schema
    # New rows take ids after the copied ones.
    posting_data.query(url, "INSERT INTO favorites (user_id, biz_type, posting_id, create_at) VALUES (3, 1, 12, NOW())")
    assert posting_data.query(url, "SELECT MAX(id) FROM favorites") == [(10,)]


@mysql_only
def test_data_steps_run_again_change_nothing():
    # As a restart that found one not done would: each data step's statement runs twice.
    url, before = _at_0009_with_data("data_twice")
    run = run_migrations(url, repeat_data_steps=True)
    assert run.returncode == 0, run.stderr
    assert posting_data.migrated(url) == posting_data.expected(before)


def test_an_existing_sqlite_database_migrates_with_its_rows(tmp_path):
    # `make run` on a ./var database of an earlier release.
    url = f"sqlite://{tmp_path}/jobboard.sqlite3"
    assert (run := run_migrations(url, upto=posting_data.AT_0009)).returncode == 0, run.stderr
    before = posting_data.seed(url)
    assert run_migrations(url, kill_after=3).returncode == KILLED  # within 0010: SQLite rolls it back
    assert (run := run_migrations(url, repeat_data_steps=True)).returncode == 0, run.stderr
    assert posting_data.migrated(url) == posting_data.expected(before)
    fresh = f"sqlite://{tmp_path}/fresh.sqlite3"
    assert (run := run_migrations(fresh)).returncode == 0, run.stderr
    tables = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name != 'sqlite_sequence' ORDER BY name"
    assert posting_data.query(url, tables) == posting_data.query(fresh, tables)


@mysql_only
async def test_two_starts_at_once_on_an_empty_database_take_turns_and_both_complete(clean_schema):
    url = fresh_mysql_database(MYSQL_URL, f"{SUITE_DATABASE}_twice")
    # The test takes the lock first (a start already migrating), so both starts are seen waiting at once.
    async with migration_lock_held(url) as lock:
        starts = [await asyncio.create_subprocess_exec(sys.executable, "-m", "tests.helpers.migrations", url, "30",
                                                       cwd=ROOT, stderr=asyncio.subprocess.PIPE)
                  for _ in range(2)]
        await lock.wait_for_waiters(2)
    for start in starts:
        _, stderr = await asyncio.wait_for(start.communicate(), 60)
        assert start.returncode == 0, stderr.decode()
    assert schema(url) == clean_schema


def test_migrations_use_only_operations_a_restarted_start_can_complete():
    # models/migrating.py checks the live schema for these (data steps: what is left to do); another kind
    # (RenameField, a plain RunPython or RunSQL) needs its check (and a test) first.
    for module in pkgutil.iter_modules(migrations.__path__):
        migration = importlib.import_module(f"{migrations.__name__}.{module.name}").Migration
        kinds = {type(operation).__name__ for operation in migration.operations}
        assert kinds <= set(migrating.RESUMABLE_OPERATIONS), module.name
        fields = [field for operation in migration.operations
                  for field in (dict(operation.fields).values() if hasattr(operation, "fields")
                                else [getattr(operation, "field", None)])]
        assert not any(isinstance(field, ManyToManyFieldInstance) for field in fields), module.name
        for operation in migration.operations:
            if isinstance(operation, migrating.DataStep):
                assert operation.pending.lstrip().upper().startswith("SELECT"), module.name
