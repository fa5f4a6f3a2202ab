"""The app's typed context: what the listeners open once per process and every handler reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import redis.asyncio as redis
from sanic import Request, Sanic
from sanic.config import Config

from indexer.sync import Drainer
from runtime.periodic import BackgroundTasks
from runtime.settings import Settings
from search.engine import SearchEngine
from server.home_pages import HomePages
from server.protocol import ClientConnections
from server.providers.content_check import ContentChecker
from server.providers.licence_reader import LicenceReader
from server.providers.share_codes import ShareCodeMaker
from server.providers.storage import ImageStorage
from server.providers.subscribe_messages import MessageSender
from server.providers.wechat_api import WeChatApi
from server.providers.wechat_login import WeChatLogin
from server.providers.wechat_pay import PayProvider
from server.services.blocks import BlockSets
from server.services.hot_searches import HotSearches
from server.services.posting_stats import PostingCounter
from server.services.images import Decoding
from server.services.suggestions import Suggestions
from server.supervision import WorkerRoster


@dataclass
class AppContext:
    settings: Settings
    # Opened by the before_server_start listener (server/app.py), closed after the server stops.
    cache: redis.Redis = field(init=False)
    wechat_api: WeChatApi | None = None  # the WeChat client login and content checks share; None: dev providers
    wechat: WeChatLogin = field(init=False)
    search: SearchEngine = field(init=False)
    drainer: Drainer = field(init=False)
    stop_nudging: Callable[[], None] = lambda: None  # ends the drainer's wake-ups by committed posting writes
    storage: ImageStorage = field(init=False)
    image_decoding: Decoding = field(init=False)
    pay: PayProvider = field(init=False)
    content_check: ContentChecker = field(init=False)
    licence_reader: LicenceReader = field(init=False)  # WeChat's bizlicense OCR, or the development reader
    messages: MessageSender = field(init=False)  # subscribe messages: WeChat, or the log in development
    share_codes: ShareCodeMaker = field(init=False)
    hot_searches: HotSearches = field(init=False)
    home_pages: HomePages = field(init=False)
    suggestions: Suggestions = field(init=False)
    blocks: BlockSets = field(init=False)  # each viewer's block set, kept in Redis
    posting_stats: PostingCounter = field(init=False)  # counts what postings did, off the request path
    # The loops this process runs in the background, named where server/app.py adds them.
    background: BackgroundTasks = field(default_factory=BackgroundTasks)
    started_at: datetime | None = None  # the clock when this process's start-up began (readiness)
    openapi_json: bytes | None = None  # built on the first GET /docs/openapi.json
    workers: WorkerRoster | None = None  # WORKERS>1: the sibling workers /readyz reports on
    # Open connections per client address (server/protocol.py); not counted where the peer is a proxy.
    client_connections: ClientConnections = field(default_factory=ClientConnections)
    connections_via_proxy: bool = False


JobBoard = Sanic[Config, AppContext]
JobBoardRequest = Request[JobBoard, object]
