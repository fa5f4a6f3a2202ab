"""`python -m server --host H --port P`: apply migrations, start the embedded engine if needed, serve."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import logging
import sys
from functools import partial

from sanic import Sanic
from sanic.worker.loader import AppLoader

from indexer.reindex import reindex
from models import db
from search.engine import EmbeddedEngine, SearchEngine
from server.app import create_app
from server.config import ConfigError, load_settings
from server.observability import configure_logging
from server.providers.cache import connect_cache

log = logging.getLogger("server.main")


def build_app(embedded_engine_url: str | None) -> Sanic:
    return create_app(load_settings(), embedded_engine_url=embedded_engine_url)


async def _fill_embedded_index(settings, engine_url: str) -> None:
    await db.connect(settings.resolved_database_url)
    engine = SearchEngine(engine_url, embedded=True, request_timeout=60)
    cache = connect_cache(settings.redis_url)
    try:
        log.info("embedded index rebuilt: %s", await reindex(engine.client, cache))
    finally:
        await engine.close()
        await cache.aclose()
        await db.close()


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

    asyncio.run(db.apply_migrations(settings.resolved_database_url))

    engine_url = None
    if not settings.elasticsearch_url:
        engine = EmbeddedEngine.start()
        atexit.register(engine.stop)
        engine_url = engine.url
        # The embedded engine keeps nothing: fill it from the database before serving.
        asyncio.run(_fill_embedded_index(settings, engine_url))

    loader = AppLoader(factory=partial(build_app, engine_url))
    app = loader.load()
    if settings.workers == 1:
        app.prepare(host=args.host, port=args.port, single_process=True, motd=False)
        Sanic.serve_single(primary=app)
    else:
        app.prepare(host=args.host, port=args.port, workers=settings.workers, motd=False)
        Sanic.serve(primary=app, app_loader=loader)
    return 0


if __name__ == "__main__":
    sys.exit(main())
