"""Fixtures only (helpers live in tests/helpers/): real MariaDB, Redis and engine; one live app per session.

`make test` starts MariaDB and Redis where they are installed and requires them (REQUIRE_SERVICES=1, as CI):
a missing one fails the run (exit 3, naming it). Without REQUIRE_SERVICES (a bare `pytest`, or
REQUIRE_SERVICES=0) its tests run on the embedded fallback (SQLite, in-process cache) and the run says so at
the end. On purpose: TEST_DATABASE=sqlite runs the suite on SQLite, TEST_CACHE=memory on the in-process cache.
"""

from __future__ import annotations

import os

import httpx
import pytest
from tortoise import connections

from models import db
from runtime import clock
from runtime.settings import Settings
from server.app import create_app
from server.providers.content_check import WeChatContentCheck
from server.providers.share_codes import WeChatShareCodes
from server.providers.subscribe_messages import WeChatSubscribeMessages
from server.providers.wechat_api import WeChatApi
from server.services import messages
from tests.fakes.refreshing_engine import refreshing_embedded_engine
from tests.fakes.wechat import APPID as WECHAT_APPID
from tests.fakes.wechat import SECRET as WECHAT_SECRET
from tests.fakes.wechat import FakeWeChat
from tests.fakes.wechat_pay import FakeWeChatPay, PayKeys
from tests.helpers.api import reset_state
from tests.helpers.messages import MESSAGE_TEMPLATES
from tests.helpers.payments import pay_settings
from tests.helpers.services import MYSQL_URL, REDIS_URL, REQUIRE_SERVICES, reachable, serving
from tests.helpers.wechat_push import PUSH_AES_KEY, PUSH_TOKEN

_gaps: list[tuple[str, str]] = []  # (what is missing, what its tests ran on instead)


def _choose_services(tmp_dir) -> tuple[str, str | None]:
    database_url, redis_url = MYSQL_URL, REDIS_URL
    if os.environ.get("TEST_DATABASE", "mysql") == "sqlite":
        database_url = f"sqlite://{tmp_dir}/test.sqlite3"
    elif not reachable(MYSQL_URL, 3306):
        _gaps.append((f"MariaDB/MySQL at {MYSQL_URL} is unreachable", "database tests ran on SQLite"))
        database_url = f"sqlite://{tmp_dir}/test.sqlite3"
    if os.environ.get("TEST_CACHE", "redis") == "memory":
        redis_url = None
    elif not reachable(REDIS_URL, 6379):
        _gaps.append((f"Redis at {REDIS_URL} is unreachable", "cache tests ran on the in-process cache"))
        redis_url = None
    if _gaps and REQUIRE_SERVICES:
        pytest.exit("REQUIRE_SERVICES=1 but " + "; ".join(missing for missing, _ in _gaps) + " (`make test` requires "
                    "every service; TEST_DATABASE=sqlite / TEST_CACHE=memory run without one on purpose)", returncode=3)
    return database_url, redis_url


def pytest_terminal_summary(terminalreporter):
    for missing, fallback in _gaps:
        terminalreporter.write_line(f"NOT COVERED: {missing}: {fallback}", red=True, bold=True)


async def _drop_all_tables(database_url: str) -> None:
    await db.connect(database_url)
    conn = connections.get("default")
    if database_url.startswith("mysql"):
        _, rows = await conn.execute_query("SHOW TABLES")
        await conn.execute_script("SET FOREIGN_KEY_CHECKS=0")
        for row in rows:
            await conn.execute_script(f"DROP TABLE IF EXISTS `{next(iter(row.values()))}`")
        await conn.execute_script("SET FOREIGN_KEY_CHECKS=1")
    await db.close()


@pytest.fixture(scope="session")
def engine():
    """The embedded engine behind a proxy that gives it Elasticsearch's refresh: searches see only what a
    refresh published (tests/fakes/refreshing_engine.py), so a test reading without one goes red here too.
    No periodic refresh: a read that only waited for one would pass or not by the machine's speed."""
    with refreshing_embedded_engine(periodic=False) as proxy:
        yield proxy


@pytest.fixture(autouse=True)
def refresh_discipline(request):
    """A test whose code broke the engine's refresh rules fails (the proxy's `violations`): a
    `refresh=wait_for` on an index that never refreshes (-1), which Elasticsearch would hold until someone
    refreshed, or an alias pointed at an index with unrefreshed writes."""
    if "engine" not in request.fixturenames:
        yield
        return
    proxy = request.getfixturevalue("engine")
    before = len(proxy.violations)
    yield
    assert proxy.violations[before:] == []


@pytest.fixture(scope="session")
def pay_keys(tmp_path_factory) -> PayKeys:
    return PayKeys.generate(tmp_path_factory.mktemp("pay_keys"))


@pytest.fixture(scope="session")
async def wechat_pay(pay_keys):
    """The fake WeChat Pay the session app pays through (the real provider, the SDK pointed at it)."""
    fake = await FakeWeChatPay(pay_keys).start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="session")
def settings(tmp_path_factory, pay_keys, wechat_pay) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    database_url, redis_url = _choose_services(data_dir)
    return Settings(app_env="dev", data_dir=data_dir, database_url=database_url, redis_url=redis_url,
                    elasticsearch_url=None, wechat_provider="dev", background_index_sync=False,
                    image_url_prefixes="https://",  # tests of that rule tune it
                    # One address runs thousands of lists a minute here; tests of the read budget tune it.
                    rate_limit_reads_per_ip=0, rate_limit_reads_per_user=0,
                    # Tests run the background rounds themselves, never behind a test's back.
                    order_sweep_seconds=86400, content_recheck_seconds=86400, index_check_seconds=86400,
                    verification_round_seconds=86400,
                    message_send_seconds=86400, top_notice_seconds=86400,
                    posting_stats_flush_seconds=86400, posting_stats_push_seconds=60,
                    # WeChat's message push, safe mode, for the mini-program of the fake WeChat.
                    wechat_appid=WECHAT_APPID, wechat_push_token=PUSH_TOKEN, wechat_push_aes_key=PUSH_AES_KEY,
                    **pay_settings(pay_keys, wechat_pay.url))


@pytest.fixture(scope="session")
async def server(settings, engine):
    """A live app, started once; the ORM is initialised by its start-up listener."""
    await _drop_all_tables(settings.resolved_database_url)
    await db.apply_migrations(settings.resolved_database_url)
    app = create_app(settings, embedded_engine_url=engine.url)
    async with serving(app) as base_url:
        yield app, base_url


@pytest.fixture
def app(server):
    return server[0]


@pytest.fixture
async def client(server):
    """An HTTP client on the live app, with every table, the cache and the index emptied first."""
    app, base_url = server
    await reset_state(app)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield http


@pytest.fixture
def tune(app):
    """`tune(name=value, ...)` changes the live app's settings for one test; restored afterwards."""
    saved: dict = {}

    def apply(**overrides):
        for name, value in overrides.items():
            saved.setdefault(name, getattr(app.ctx.settings, name))
            setattr(app.ctx.settings, name, value)

    yield apply
    for name, value in saved.items():
        setattr(app.ctx.settings, name, value)


@pytest.fixture
async def ledger_invariant(client):
    """After the test: every voucher balance equals the sum of its ledger (one query for all users)."""
    yield
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        "SELECT a.user_id, a.balance, COALESCE(SUM(l.change_num), 0) AS total FROM contact_voucher_accounts a "
        "LEFT JOIN contact_voucher_ledger l ON l.user_id = a.user_id GROUP BY a.user_id, a.balance")
    assert [dict(row) for row in rows if row["balance"] != row["total"] or row["balance"] < 0] == []


@pytest.fixture
async def wechat_content(client, app):
    """The app's content checker for one test: the real provider against a fake WeChat (the session's own
    is the development one, which knows only its word list). Yields the fake."""
    fake = await FakeWeChat().start()
    api = WeChatApi(WECHAT_APPID, WECHAT_SECRET, fake.url, app.ctx.cache, timeout=2)
    development, app.ctx.content_check = app.ctx.content_check, WeChatContentCheck(api)
    yield fake
    app.ctx.content_check = development
    await api.close()
    await fake.stop()


@pytest.fixture
async def wechat_messages(client, app):
    """Subscribe messages and share codes through the real providers against a fake WeChat, with a template
    for every event (tests/fakes/wechat.py knows them). Yields the fake."""
    fake = await FakeWeChat().start()
    api = WeChatApi(WECHAT_APPID, WECHAT_SECRET, fake.url, app.ctx.cache, timeout=2)
    saved = app.ctx.messages, app.ctx.share_codes
    app.ctx.messages, app.ctx.share_codes = WeChatSubscribeMessages(api), WeChatShareCodes(api)
    messages.use_templates(MESSAGE_TEMPLATES)
    yield fake
    messages.use_templates({})
    app.ctx.messages, app.ctx.share_codes = saved
    await api.close()
    await fake.stop()


@pytest.fixture
def travel():
    """`travel(moment)` sets the app's one clock (naive Shanghai wall time); real time again afterwards."""
    yield clock.travel_to
    clock.reset()
