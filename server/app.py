"""The app factory and its listeners: open and close the database, cache, search engine and providers, and
start and stop the background loops."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os

from sanic_ext import Extend

from indexer.sync import NullDrainer, OutboxDrainer
from models import db
from models import posting_writes
from models.posting_reads import keep_recent_rows
from runtime import clock
from runtime.cache import connect_cache
from runtime.logs import configure_logging
from runtime.settings import ConfigError, Settings, load_settings
import sections
from search.engine import SearchEngine, engine_options
from indexer.heal import IndexHealer
from search.index import ensure_alias
from search.recent_pages import keep_pages
from server.home_pages import HomePages
from search.text import warm as warm_segmenter
from search.vocabulary import use_synonyms
from server import admin, errors, observability
from server.context import AppContext, JobBoard
from server.protocol import GuardedSanic, behind_proxy
from server.providers.content_check import build_content_checker
from server.providers.licence_reader import build_licence_reader
from server.providers.share_codes import build_share_codes
from server.providers.storage import build_storage
from server.providers.subscribe_messages import build_message_sender
from server.providers.wechat_api import build_wechat_api
from server.providers.wechat_login import build_wechat_login
from server.providers.wechat_pay import build_pay_provider
from server.requests import BoundedBodyRequest
from server.routes import (
    blocks,
    contacts,
    dev,
    docs,
    health,
    messages,
    pay,
    posting_stats,
    postings,
    searches,
    uploads,
    users,
    verification,
    wechat_push,
)
from server.services import images
from server.services import messages as subscribe_messages
from server.services.content import ContentRechecker
from server.services.blocks import BlockSets
from server.services.hot_searches import HotSearches
from server.services.posting_stats import PostingCounter, StatsFlusher
from server.services.suggestions import Suggestions
from server.services.order_sweeper import OrderSweeper
from server.services.verification import VerificationRounds
from server.supervision import (
    WorkerRoster,
    replace_dead_workers,
    shutdown_signals_off_the_monitor,
    stop_with_main_process,
)

log = logging.getLogger("server.app")
_app_numbers = itertools.count(1)


def create_app(settings: Settings, *, embedded_engine_url: str | None = None) -> JobBoard:
    """Build the app. Without ELASTICSEARCH_URL the caller passes the URL of the engine it started."""
    engine_url = _checked(settings, embedded_engine_url)
    app = _sanic(settings)
    errors.install(app)
    observability.install(app)
    for blueprint in (health.bp, users.bp, postings.across, searches.bp, pay.bp, contacts.bp, uploads.bp,
                      verification.bp, messages.bp, blocks.bp, posting_stats.bp, docs.bp):
        app.blueprint(blueprint)
    for section in sections.all_sections():  # each section's routes, made from its declaration
        app.blueprint(postings.section_routes(section))
    app.blueprint(admin.bp)  # the operators' console, /admin
    _build_providers(app, settings)

    @app.before_server_start
    async def _open(app: JobBoard):
        app.ctx.started_at = clock.now()
        await _open_stores(app, settings)
        await _open_providers(app, settings)
        await _open_search(app, settings, engine_url)
        await _start_background(app, settings)

    @app.before_server_stop
    async def _stop_background(app: JobBoard):
        app.ctx.stop_nudging()
        await app.ctx.background.stop()

    app.after_server_stop(_close)
    return app


def _checked(settings: Settings, embedded_engine_url: str | None) -> str:
    """The search engine's URL, once the settings are found consistent."""
    settings.check()
    sections.load(settings.extra_sections)
    for name, by_section in (("MAX_OPEN_POSTINGS", settings.max_open_postings),
                             ("POSTING_PRICES", settings.posting_prices)):
        if unknown := set(by_section) - {section.name for section in sections.all_sections()}:
            raise ConfigError(f"{name} names no section: {', '.join(sorted(unknown))}")
    subscribe_messages.check_templates(settings.subscribe_templates)
    engine_url = settings.elasticsearch_url or embedded_engine_url
    if not engine_url:
        raise RuntimeError("no search engine: set ELASTICSEARCH_URL or start the embedded engine")
    return engine_url


def _sanic(settings: Settings) -> JobBoard:
    # Sanic's own log set-up off: its lines go through runtime/logs.py as JSON like every other.
    app: JobBoard = GuardedSanic(f"jobboard_{next(_app_numbers)}", request_class=BoundedBodyRequest,
                                 ctx=AppContext(settings), configure_logging=False)
    # Every route takes a JSON body: Sanic refuses a larger one from its Content-Length (or a chunk's
    # declared size) before reading it, so no body bigger than this is ever buffered. The upload route
    # will be a streaming route (`stream=True`, for which Sanic lifts this limit) that counts and caps
    # the bytes itself as it reads them, with its own limit and read timeout.
    app.config.REQUEST_MAX_SIZE = settings.max_json_body_bytes
    app.config.REQUEST_BODY_TIMEOUT = settings.request_body_timeout_seconds  # server/requests.py
    # Sanic's REQUEST_TIMEOUT bounds the request head; server/protocol.py makes it a total, not per byte.
    app.config.REQUEST_TIMEOUT = settings.request_header_timeout_seconds
    app.ctx.connections_via_proxy = behind_proxy(app.config)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.ACCESS_LOG = False  # server.observability writes one structured line per request
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
    return app


def _build_providers(app: JobBoard, settings: Settings) -> None:
    """Image storage and payments, with the routes that exist only for some of them."""
    app.ctx.storage = build_storage(settings)
    app.ctx.image_decoding = images.Decoding.from_settings(settings)
    uploads.serve_local_files(app)
    app.ctx.pay = build_pay_provider(settings)
    if app.ctx.pay.is_development:  # /dev/pay/confirm exists only where no real money moves
        app.blueprint(dev.bp)
    if settings.wechat_push_token:  # WeChat's message push is configured on the mini-program's console
        app.blueprint(wechat_push.bp)


async def _open_stores(app: JobBoard, settings: Settings) -> None:
    """The database, the process's caches and the text tools, and Redis."""
    await db.connect(settings.resolved_database_url)
    keep_recent_rows(settings.job_detail_cache_seconds)
    keep_pages(settings.listing_cache_seconds)
    app.ctx.home_pages = HomePages(settings.listing_cache_seconds)
    use_synonyms(settings.search_synonyms_path)
    warm_segmenter()  # ~0.5 s of CPU once per process here, not on its first search
    # Lazy: a Redis down at start-up fails only the calls that need it (503), and /readyz says so.
    app.ctx.cache = connect_cache(settings.redis_url, connect_timeout=settings.redis_connect_timeout_seconds,
                                  socket_timeout=settings.redis_socket_timeout_seconds)
    app.ctx.blocks = BlockSets(app.ctx.cache)
    app.ctx.posting_stats = PostingCounter(app.ctx.cache, app.ctx.settings, settings.posting_stats_push_seconds)


async def _open_providers(app: JobBoard, settings: Settings) -> None:
    """The clients of WeChat (login, content checks) and of the pay provider."""
    # One WeChat client per process: login and content checks share its connections and access token.
    app.ctx.wechat_api = build_wechat_api(settings, app.ctx.cache)
    app.ctx.wechat = build_wechat_login(app.ctx.wechat_api)
    app.ctx.content_check = build_content_checker(settings, app.ctx.wechat_api)
    app.ctx.licence_reader = build_licence_reader(app.ctx.wechat_api)
    app.ctx.messages = build_message_sender(app.ctx.wechat_api)
    app.ctx.share_codes = build_share_codes(app.ctx.wechat_api)
    subscribe_messages.use_templates(settings.subscribe_templates)
    await app.ctx.pay.start()


async def _open_search(app: JobBoard, settings: Settings, engine_url: str) -> None:
    """The engine, every section's index, and the search box's hot searches and suggestions."""
    external = bool(settings.elasticsearch_url)
    app.ctx.search = SearchEngine(engine_url, embedded=not external, **engine_options(settings, embedded=not external))
    for section in sections.all_sections():
        try:
            # A cluster's missing alias is the healer's to rebuild from the database (an empty index made
            # here would be served as if it were whole); the embedded engine is filled by its supervisor.
            await ensure_alias(app.ctx.search.client, section, create=not external, policy=app.ctx.search.policy)
        except Exception as exc:  # the engine down must not stop the rest of the API; /readyz reports it
            log.warning("search index %s not ensured at start-up: %s", section.name, type(exc).__name__)
    app.ctx.hot_searches = HotSearches(app.ctx.cache, lambda: app.ctx.content_check, app.ctx.settings)
    app.ctx.suggestions = Suggestions(app.ctx.search, app.ctx.hot_searches)


async def _start_background(app: JobBoard, settings: Settings) -> None:
    """Every loop the process runs beside its requests, each named once here (stopped by `_stop_background`)."""
    background = app.ctx.background
    # The embedded engine too: its supervisor refills it after a crash, but not after a deleted index.
    healer = background.add("index_healer",
                            IndexHealer(app.ctx.search.client, app.ctx.cache, settings.index_check_seconds,
                                        app.ctx.search.policy))
    healer.nudge()  # at once: a cluster that lost an index while we were down
    if settings.background_index_sync:
        drainer = OutboxDrainer(app.ctx.search.client, on_failure=healer.nudge)
        # A start drains first: what a crash left in the outbox is in the lists before this process serves.
        await drainer.first_round()
        app.ctx.drainer = background.add("outbox_drainer", drainer)
    else:
        app.ctx.drainer = NullDrainer()
    # Every committed posting write (a route, a payment settled by the sweeper or a notification, a push)
    # wakes the drainer from models/posting_writes.py: the change shows in the listing within a second.
    app.ctx.stop_nudging = posting_writes.on_commit(lambda: app.ctx.drainer.nudge())
    background.add("order_sweeper", OrderSweeper(app.ctx.pay, app.ctx.cache, settings.order_sweep_seconds))
    background.add("content_rechecker", ContentRechecker(app.ctx.content_check, settings.content_recheck_seconds))
    background.add("hot_searches", app.ctx.hot_searches)
    background.add("verifications", VerificationRounds(app.ctx.storage, lambda: app.ctx.licence_reader,
                                                       settings.verification_round_seconds))
    background.add("subscribe_messages", subscribe_messages.MessageSender(app.ctx.messages, settings))
    background.add("top_notices", subscribe_messages.TopNotices(app.ctx.cache, settings.top_notice_seconds))
    background.add("posting_stats_push", app.ctx.posting_stats)
    background.add("posting_stats_flush", StatsFlusher(app.ctx.cache, settings.posting_stats_flush_seconds))


async def _close(app: JobBoard) -> None:
    """After the last request and the background loops: the engine, the providers, Redis, the database."""
    await app.ctx.search.close()
    for provider in (app.ctx.wechat, app.ctx.content_check, app.ctx.messages, app.ctx.share_codes, app.ctx.storage,
                     app.ctx.pay):
        await provider.close()
    if app.ctx.wechat_api is not None:  # shared by the providers above: closed once, after them
        await app.ctx.wechat_api.close()
    await app.ctx.cache.aclose()
    try:  # a connection lost mid-query (a cancelled task) must not hold the process open
        await asyncio.wait_for(db.close(), 10)
    except TimeoutError:
        log.warning("database connections not closed within 10 s; leaving them to the process exit")


# Set by the main process of `python -m server` to the URL of the embedded engine it started and supervises.
EMBEDDED_ENGINE_URL_ENV = "JOBBOARD_EMBEDDED_ENGINE_URL"


def app_from_environment() -> JobBoard:
    """The factory Sanic's spawned workers import (they cannot import `__main__`'s): settings from the
    environment and the main process's embedded engine, if any; a worker never starts an engine itself."""
    configure_logging()  # a spawned worker starts with Python's blank logging set-up
    settings = load_settings()
    app = create_app(settings, embedded_engine_url=os.environ.get(EMBEDDED_ENGINE_URL_ENV))
    if settings.workers > 1:
        shutdown_signals_off_the_monitor(app)
        stop_with_main_process(app)
        replace_dead_workers(app)
        app.ctx.workers = WorkerRoster(app, settings.workers)
    return app
