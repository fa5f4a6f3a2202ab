"""What every `jobboard` subcommand shares, in one place: the JSON log, the settings, the database, and the
one table that turns the domain's errors into exit codes (the HTTP edge has its own, server/errors.py)."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sections
from indexer.lock import LockBusy
from indexer.sync import drain
from models import db
from models.migrating import MigrationLockTimeout
from runtime.errors import DomainError
from runtime.logs import configure_logging
from runtime.settings import ConfigError, Settings, load_settings
from search.engine import SearchEngine, engine_options
from sections import UnknownSection, all_sections

# Most specific first; sysexits' 75 (EX_TEMPFAIL) says "try again later". 1: refused (no such posting...).
# 3 (not a domain error): another process held the migration lock too long.
EXIT_CODES: dict[type[DomainError], int] = {ConfigError: 2, UnknownSection: 2, LockBusy: 75, DomainError: 1}


def run(args) -> int:
    """Run the subcommand `args` names (its `run(args, settings)`, plain or async) with the log set up and
    the settings read; a domain error is one line on stderr and its exit code, never a traceback."""
    configure_logging()
    try:
        settings = load_settings()
        # Before anything reads the registry or migrates: a section kept elsewhere brings its own model.
        sections.load(settings.extra_sections)
        result = args.run(args, settings)
        return asyncio.run(result) if inspect.iscoroutine(result) else result
    except DomainError as exc:
        kind = "configuration error: " if isinstance(exc, ConfigError) else ""
        print(f"jobboard {args.command}: {kind}{exc.detail}", file=sys.stderr)
        return next(code for cls, code in EXIT_CODES.items() if isinstance(exc, cls))
    except MigrationLockTimeout as exc:
        print(f"jobboard {args.command}: migrations not applied: {exc}", file=sys.stderr)
        return 3


async def apply_migrations(settings: Settings) -> None:
    """The schema this release needs, before anything reads the database (models/migrating.py)."""
    await db.apply_migrations(settings.resolved_database_url, settings.database_migration_lock_seconds)


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    """The app's database for the length of a command."""
    await db.connect(settings.resolved_database_url)
    try:
        yield
    finally:
        await db.close()


def section_option(*, required: bool) -> argparse.ArgumentParser:
    """`--section NAME`, for the subcommands that act on one section (required) or on one or all (not)."""
    parser = argparse.ArgumentParser(add_help=False)
    names = ", ".join(section.name for section in all_sections())
    if required:
        parser.add_argument("--section", required=True, help=f"the section, by name: {names}")
    else:
        parser.add_argument("--section", help=f"one section, by name: {names} (default: every section in turn)")
    return parser


async def index_now(settings: Settings) -> None:
    """Drain the outbox into ELASTICSEARCH_URL after a command's posting writes; without one, or when the
    engine is not reached, the outbox rows wait for the app's drainer (or `jobboard index sync`)."""
    if not settings.elasticsearch_url:
        print("index: left to the app's drainer (no ELASTICSEARCH_URL here)")
        return
    engine = SearchEngine(settings.elasticsearch_url, **engine_options(settings, embedded=False))
    try:
        print(f"index: {await drain(engine.client)} change(s) written")
    except Exception as exc:  # the change is committed; its outbox row waits for the drainer
        print(f"index: not reached ({type(exc).__name__}); the drainer will write it", file=sys.stderr)
    finally:
        await engine.close()
