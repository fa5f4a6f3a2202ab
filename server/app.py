"""The app factory and its listeners: open and close the database, cache, search engine and providers."""

from __future__ import annotations

import itertools
import logging

from sanic import Sanic
from sanic_ext import Extend

from indexer.sync import OutboxDrainer
from models import db
from search.engine import SearchEngine
from search.index import ensure_alias
from server import errors, observability
from server.config import Settings
from server.providers.cache import connect_cache
from server.providers.wechat_login import build_wechat_login
from server.routes import health, jobs, users

log = logging.getLogger("server.app")
_app_numbers = itertools.count(1)

# Uploads (up to 20 MB an image) are the largest bodies; JSON bodies have their own, smaller limit.
REQUEST_MAX_SIZE = 21 * 1024 * 1024


def create_app(settings: Settings, *, embedded_engine_url: str | None = None) -> Sanic:
    """Build the app. Without ELASTICSEARCH_URL the caller passes the URL of the engine it started."""
    settings.check()
    engine_url = settings.elasticsearch_url or embedded_engine_url
    if not engine_url:
        raise RuntimeError("no search engine: set ELASTICSEARCH_URL or start the embedded engine")

    app = Sanic(f"jobboard_{next(_app_numbers)}")
    app.config.REQUEST_MAX_SIZE = REQUEST_MAX_SIZE
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.ACCESS_LOG = False  # server.observability writes one structured line per request
    app.ctx.settings = settings
    Extend(
        app,
        config={
            "cors_origins": "*",
            "cors_expose_headers": "Authorization,X-Request-ID",
            "cors_allow_headers": "*",
            "oas": False,
            "health": False,
        },
    )
    errors.install(app)
    observability.install(app)
    for blueprint in (health.bp, users.bp, jobs.bp):
        app.blueprint(blueprint)

    @app.before_server_start
    async def _open(app: Sanic):
        await db.connect(settings.resolved_database_url)
        app.ctx.cache = connect_cache(settings.redis_url)
        app.ctx.wechat = build_wechat_login(settings, app.ctx.cache)
        app.ctx.search = SearchEngine(engine_url, embedded=not settings.elasticsearch_url)
        try:
            await ensure_alias(app.ctx.search.client)
        except Exception as exc:  # the engine down must not stop the rest of the API; /readyz reports it
            log.warning("search index not ensured at start-up: %s", type(exc).__name__)
        app.ctx.drainer = None
        if settings.background_index_sync:
            app.ctx.drainer = OutboxDrainer(app.ctx.search.client, app.ctx.cache)
            app.add_task(app.ctx.drainer.run(), name="outbox_drainer")

    @app.before_server_stop
    async def _stop_background(app: Sanic):
        if app.ctx.drainer is not None:
            await app.cancel_task("outbox_drainer", raise_exception=False)

    @app.after_server_stop
    async def _close(app: Sanic):
        await app.ctx.search.close()
        await app.ctx.wechat.close()
        await app.ctx.cache.aclose()
        await db.close()

    return app
