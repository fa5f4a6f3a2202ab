"""`python -m server --host H --port P`: apply migrations, start the embedded engine if needed, serve."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from sanic import Sanic
from sanic.worker.loader import AppLoader

import sections
from models import db
from models.migrating import MigrationLockTimeout
from runtime.logs import configure_logging
from runtime.settings import ConfigError, load_settings
from server.app import EMBEDDED_ENGINE_URL_ENV, app_from_environment
from server.supervision import EngineSupervisor, helpers_stop_with_main_process

log = logging.getLogger("server.main")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description="Serve the job board API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=16789)
    args = parser.parse_args(argv)

    configure_logging()
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    for gap in settings.development_fallbacks():
        log.warning("development mode: %s", gap)
    sections.load(settings.extra_sections)  # before migrating: a section kept elsewhere brings its own

    try:
        asyncio.run(db.apply_migrations(settings.resolved_database_url, settings.database_migration_lock_seconds))
    except MigrationLockTimeout as exc:
        print(f"migrations not applied: {exc}", file=sys.stderr)
        return 3

    supervisor = None
    if not settings.elasticsearch_url:
        # This process owns the engine; every worker (spawned with this environment) gets its URL.
        supervisor = EngineSupervisor()
        os.environ[EMBEDDED_ENGINE_URL_ENV] = supervisor.start()
    try:
        loader = AppLoader(factory=app_from_environment)
        app = loader.load()
        if settings.workers == 1:
            app.prepare(host=args.host, port=args.port, single_process=True, motd=False)
            Sanic.serve_single(primary=app)
        else:
            # Sanic keeps its shared worker state in a multiprocessing Manager process, started first thing in
            # Sanic.serve: started with SIGTERM ignored (as multiprocessing's own helpers run), a SIGTERM to the
            # whole group does not take it away while the main process still reads it (which ended in exit 1
            # and a traceback); the main process stops it last. Sanic's own handlers replace this right after.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            helpers_stop_with_main_process()
            app.prepare(host=args.host, port=args.port, workers=settings.workers, motd=False)
            Sanic.serve(primary=app, app_loader=loader)
    finally:
        if supervisor is not None:
            supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
