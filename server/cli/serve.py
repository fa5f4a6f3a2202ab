"""`jobboard serve --host H --port P`: apply migrations, start the embedded engine if needed, serve."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from sanic import Sanic
from sanic.worker.loader import AppLoader

from server.app import EMBEDDED_ENGINE_URL_ENV, app_from_environment
from indexer.command_line import apply_migrations
from server.supervision import EngineSupervisor, helpers_stop_with_main_process

log = logging.getLogger("server.main")


def add_parser(commands) -> None:
    p = commands.add_parser("serve", help="serve the job board API (migrations first)", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=16789)
    p.set_defaults(run=run)


def run(args, settings) -> int:
    for gap in settings.development_fallbacks():
        log.warning("development mode: %s", gap)
    asyncio.run(apply_migrations(settings))

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
