"""Start-up migrations on MariaDB, as the processes of a deployment run them: killed at any point, the next
start completes the schema; several starts at once take turns. Each test has a database of its own."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
from urllib.parse import urlsplit

import pytest
from tortoise.fields.relational import ManyToManyFieldInstance

from models import migrating, migrations
from tests.helpers.migrations import KILLED, ROOT, migration_lock_held, run_migrations, schema
from tests.helpers.processes import fresh_mysql_database
from tests.helpers.services import MYSQL_URL, mysql_only

SUITE_DATABASE = urlsplit(MYSQL_URL).path.strip("/")


@pytest.fixture(scope="module")
def clean_schema() -> dict:
    """The schema one uninterrupted start leaves on an empty database."""
    url = fresh_mysql_database(MYSQL_URL, f"{SUITE_DATABASE}_migrated")
    run = run_migrations(url)
    assert run.returncode == 0, run.stderr
    return schema(url)


@mysql_only
def test_a_start_killed_after_any_statement_of_its_migrations_is_completed_by_the_next(clean_schema):
    url = fresh_mysql_database(MYSQL_URL, f"{SUITE_DATABASE}_killed")
    # Every start dies once one more table or column exists (before its migration is recorded), the next
    # start resumes from there: a crash loop under a restart policy would show as a start that fails.
    columns_after_each_kill = []
    while (run := run_migrations(url, kill_after=1)).returncode == KILLED:
        columns_after_each_kill.append(len(schema(url)["columns"]))
        assert len(columns_after_each_kill) < 100, "the starts make no progress"
    assert run.returncode == 0, run.stderr
    assert columns_after_each_kill == sorted(set(columns_after_each_kill)), "each start went one statement further"
    assert len(columns_after_each_kill) > len(clean_schema["applied"]), "kills within migrations, not only between"
    assert schema(url) == clean_schema


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
    # models/migrating.py checks the live schema for these; another kind needs its check (and a test) first.
    for module in pkgutil.iter_modules(migrations.__path__):
        migration = importlib.import_module(f"{migrations.__name__}.{module.name}").Migration
        kinds = {type(operation).__name__ for operation in migration.operations}
        assert kinds <= set(migrating.RESUMABLE_OPERATIONS), module.name
        fields = [field for operation in migration.operations
                  for field in (dict(operation.fields).values() if hasattr(operation, "fields") else [operation.field])]
        assert not any(isinstance(field, ManyToManyFieldInstance) for field in fields), module.name
