"""Settings from the environment, and the guards that keep production honest."""

from __future__ import annotations

import ipaddress
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.errors import DomainError

OFFICIAL_WECHAT_API = "https://api.weixin.qq.com"
OFFICIAL_WECHATPAY_API = "https://api.mch.weixin.qq.com"


class ConfigError(DomainError):
    """The configuration cannot be used (production guard or unusable value)."""


def _check_price(price: Decimal) -> Decimal:
    # WeChat charges whole fen: a price with a third decimal could not be charged as shown.
    if not price.is_finite() or price <= 0 or price != price.quantize(Decimal("0.01")) or price > 100_000:
        raise ValueError(f"{price}: a price is a positive amount in yuan with at most 2 decimals")
    return price


# A section's open postings per account (MAX_OPEN_POSTINGS names only those it changes).
OPEN_POSTINGS_DEFAULT = {"jobs": 20, "shops": 10}


def _check_price_list(prices: dict[int, Decimal]) -> dict[int, Decimal]:
    if not prices:
        raise ValueError("the price list needs at least one entry")
    for quantity, price in prices.items():
        if quantity < 1:
            raise ValueError(f"{quantity}: the quantity must be at least 1")
        _check_price(price)
    return dict(sorted(prices.items()))


class PostingPriceSetting(BaseModel):
    """One section's prices in POSTING_PRICES: either or both."""

    model_config = ConfigDict(extra="forbid")

    top: dict[int, Decimal] | None = None
    refresh: Decimal | None = None

    _top = field_validator("top")(lambda prices: None if prices is None else _check_price_list(prices))
    _refresh = field_validator("refresh")(lambda price: None if price is None else _check_price(price))


_TEMPLATE_ID = r"^[A-Za-z0-9_-]{1,64}$"


class TemplateSetting(BaseModel):
    """One event's subscribe message in SUBSCRIBE_TEMPLATES: the template, the page a tap opens and each of
    the template's keys filled from the event's fields (`{posting}`), e.g.
    {"template_id": "AbC...", "page": "pages/detail/index?id={posting_id}", "data": {"thing1": "{posting}"}}."""

    model_config = ConfigDict(extra="forbid")

    template_id: str = Field(pattern=_TEMPLATE_ID)
    page: str = Field(default="", max_length=255)
    data: dict[str, str] = Field(min_length=1)


# Settings of earlier releases that a start refuses rather than ignores: a price silently back at its default.
RETIRED = {name: "POSTING_PRICES" for name in (
    "PRICE_TOP", "PRICE_REFRESH", "PRICE_SEEKER_TOP", "PRICE_SEEKER_REFRESH", "PRICE_SHOP_TOP", "PRICE_SHOP_REFRESH")}


# ELASTICSEARCH_REPLICAS: a number of replicas, or a range whose top may be `all` (Elasticsearch's own form).
_REPLICAS = re.compile(r"(?P<low>[0-9]+)(-(?P<top>[0-9]+|all))?")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    app_env: Literal["dev", "production"] = "dev"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    # Connections each process may open to MySQL. Tortoise's default (5) under more concurrent requests
    # makes waiters starve behind newcomers at the pool: p99 of /jobs/info was 25x its median.
    database_pool_size: int = Field(default=20, ge=1, le=1000)
    # How long a start waits while another process applies migrations (MySQL/MariaDB lock), then exits.
    database_migration_lock_seconds: float = Field(default=600.0, gt=0)
    # How long a job's row read for its public detail may serve other viewers (0: read every time). Its
    # owner always reads the row as it is; this process's own writes drop it at once.
    job_detail_cache_seconds: float = Field(default=1.0, ge=0, le=60)
    # How long the engine's answer to one listing page serves identical requests (0: ask every time).
    listing_cache_seconds: float = Field(default=1.0, ge=0, le=60)
    # Nearby pages kept for one caller serve others within about this many metres (0: the exact point only);
    # each item's distance is still measured from each caller's own point.
    nearby_share_metres: float = Field(default=100.0, ge=0, le=1000)
    # The search box's synonym table (search/vocabulary.py): unset, the shipped one. Re-read when it changes.
    search_synonyms_path: Path | None = None
    redis_url: str | None = None
    elasticsearch_url: str | None = None
    # A cluster's credentials (SecretStr: never printed with the settings) and the CA of its certificate.
    elasticsearch_api_key: SecretStr | None = None
    elasticsearch_username: str | None = None
    elasticsearch_password: SecretStr | None = None
    elasticsearch_ca_certs: Path | None = None
    # Replicas of every index the app and the indexer make: a number ("1": that many whatever the cluster's
    # size) or a range the engine fits to its data nodes ("0-all": a copy on every node; "0-2").
    elasticsearch_replicas: str = "0-all"
    # The health a rebuilt index must reach before its alias switches to it: green (every copy placed) or
    # yellow (the primaries). Unset: green on a cluster, yellow on the embedded engine (one node).
    elasticsearch_wait_for_status: str | None = None
    elasticsearch_wait_for_status_seconds: float = Field(default=300.0, gt=0)
    # Connections the search client keeps to each node, per process. elastic_transport's default (10) made a
    # worker's 11th concurrent search wait for a connection, as Tortoise's pool of 5 did (DATABASE_POOL_SIZE):
    # a worker serves as many requests at once as its clients send (Sanic sets no cap; 64 per client address).
    elasticsearch_connections_per_node: int = Field(default=64, ge=1, le=1000)

    # WeChat mini-program login. Without an appid the development provider is used.
    wechat_provider: Literal["dev", "wechat"] | None = None
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_api_base: str = OFFICIAL_WECHAT_API
    wechat_timeout_seconds: float = 5.0
    # Content checks use WeChat with the login provider; the development checker refuses text with one of
    # these words (so the mini-program team can try a refusal) and passes every image.
    content_check_dev_words: list[str] = ["违禁测试"]
    # Message push (POST /wechat/push): the token of the push configuration and, in safe mode, its
    # 43-character EncodingAESKey.
    wechat_push_token: str | None = None
    wechat_push_aes_key: SecretStr | None = None

    # WeChat Pay API v3 in public-key mode. Without WECHATPAY_MCHID the development pay provider is used
    # (orders confirmed with POST /dev/pay/confirm), which production refuses.
    wechatpay_mchid: str | None = None
    wechatpay_appid: str | None = None  # the mini-program's appid: WECHAT_APPID when unset
    wechatpay_private_key_path: Path | None = None
    wechatpay_cert_serial_no: str | None = None
    wechatpay_apiv3_key: SecretStr | None = None
    wechatpay_public_key_path: Path | None = None
    wechatpay_public_key_id: str | None = None
    wechatpay_notify_url: str | None = None
    wechatpay_api_base: str = OFFICIAL_WECHATPAY_API
    wechatpay_timeout_seconds: float = Field(default=10.0, gt=0)
    # Prices in yuan (at most 2 decimals), as JSON: count → price, hours → price. Amounts are fen inside.
    price_contact_voucher: dict[int, Decimal] = {1: Decimal("3.99"), 5: Decimal("17.99"), 10: Decimal("29.90")}
    # Each section's paid top and refresh, by section name; what is not named keeps the section's own default
    # (its declaration's `prices`): {"jobs": {"top": {"24": "2.50", "72": "6.00"}}, "shops": {"refresh": "3.99"}}.
    posting_prices: dict[str, PostingPriceSetting] = {}
    # Section packages kept outside sections/ (comma-separated module names), registered at start after the
    # built-in ones: a section is its package (tests/sections/gigs is one).
    section_packages: str = ""
    # An unpaid order lives as long as WeChat keeps a prepay id (2 hours), then the sweeper closes it.
    order_ttl_minutes: int = Field(default=120, ge=5, le=120)
    order_sweep_seconds: float = Field(default=60.0, gt=0)
    # A posting moderation takes down (takedown, ban) gets its running top's unused whole hours refunded
    # (`prorata`), or keeps nothing (`none`). Its owner closing it refunds nothing either way.
    refund_top_on_takedown: Literal["prorata", "none"] = "prorata"
    # Contacts: numbers are masked until a voucher unlocks them (off for deployments that sell no contacts).
    mask_contacts: bool = True
    free_contact_vouchers: int = Field(default=0, ge=0, le=100)  # a new user's gift
    # Reports from this many distinct users take a job out of the listing until an operator decides.
    report_hide_threshold: int = Field(default=3, ge=1, le=1000)
    # Only reports that could be genuine count toward it: made while the job was listed, by an account this
    # old at the time and (unless false) with a phone. The others are kept for the operator.
    report_min_account_age_hours: float = Field(default=24.0, ge=0)
    report_requires_phone: bool = True
    # How often jobs stored while WeChat's content check gave no verdict are checked again.
    content_recheck_seconds: float = Field(default=60.0, gt=0)
    # How often each process looks at each section's alias (a lost or broken index is rebuilt).
    index_check_seconds: float = Field(default=30.0, gt=0)
    # Index outbox rows older than this (or from before the process started) make /readyz say search: degraded.
    index_outbox_max_age_seconds: float = Field(default=10.0, gt=0)
    # How often each process counts its users' searches into the hot-search list (GET /search/hot).
    hot_search_count_seconds: float = Field(default=10.0, gt=0)
    # ...and how many people must have searched a keyword (within 7 days) before it is shown to everyone.
    hot_search_min_users: int = Field(default=3, ge=1, le=1000)
    # The operators' console (/admin): a session ends this long after its last request; a login name or
    # address is locked for admin_lockout_minutes after admin_login_max_failures wrong attempts within them.
    admin_session_idle_minutes: int = Field(default=30, ge=1, le=720)
    admin_login_max_failures: int = Field(default=5, ge=1, le=100)
    admin_lockout_minutes: int = Field(default=15, ge=1, le=1440)
    # Every operator needs a TOTP code at login (each operator's is set with `moderation operator totp`).
    admin_require_totp: bool = False
    # Only these client networks reach the console (comma-separated CIDRs, e.g. "10.8.0.0/16,203.0.113.7/32");
    # empty: any. Behind a proxy, the client address is the one SANIC_PROXIES_COUNT / REAL_IP_HEADER give.
    admin_allowed_networks: str = ""

    # Subscribe messages (一次性订阅), by event name (server/services/messages.py lists them): an event without
    # one is not sent. Which version of the mini-program a tap opens: formal, trial or developer.
    subscribe_templates: dict[str, TemplateSetting] = {}
    subscribe_miniprogram_state: Literal["formal", "trial", "developer"] = "formal"
    # How often each process sends what the outbox holds, how long a failing send is retried (then its
    # credit is given back), and how often top ends are looked for.
    message_send_seconds: float = Field(default=5.0, gt=0)
    message_retry_hours: float = Field(default=24.0, gt=0)
    top_notice_seconds: float = Field(default=60.0, gt=0)
    # Share codes (wxa/getwxacodeunlimit): the page a code opens (its scene in the query), the version of the
    # mini-program (release, trial, develop: WeChat checks the page exists in a release only) and the width.
    share_code_page: str = Field(default="pages/index/index", min_length=1, max_length=255,
                                 pattern=r"^[A-Za-z0-9_/-]+$")
    share_code_env_version: Literal["release", "trial", "develop"] = "release"
    share_code_width: int = Field(default=430, ge=280, le=1280)
    rate_limit_share_codes_per_user: int = Field(default=20, ge=0)

    # Users one account may block at once (POST /user/block past it: 400).
    max_blocks_per_user: int = Field(default=500, ge=1, le=1000)
    # What a posting did (views, favourites, contacts, impressions): noted off the request path in each
    # process's memory, pushed to Redis every POSTING_STATS_PUSH_SECONDS, flushed to MySQL every
    # POSTING_STATS_FLUSH_SECONDS. False stops the counting (not the figures shown).
    posting_stats: bool = True
    posting_stats_flush_seconds: float = Field(default=60.0, gt=0)
    # How often each process pushes what it noted to Redis (what a crash of the process may lose).
    posting_stats_push_seconds: float = Field(default=1.0, gt=0, le=60)

    token_ttl_days: int = Field(default=30, ge=1, le=365)
    max_json_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # A client that stalls mid-body gets 408 after this long instead of holding a connection.
    request_body_timeout_seconds: float = Field(default=10.0, gt=0)
    # The whole request head (request line and headers) must arrive within this, however it is dribbled:
    # Sanic's own REQUEST_TIMEOUT restarts at every byte, so one header line a second held a connection.
    request_header_timeout_seconds: float = Field(default=10.0, gt=0)
    # Open connections one client address may hold in one process (0: no limit). Off where Sanic is told
    # it sits behind a proxy (SANIC_PROXIES_COUNT, SANIC_REAL_IP_HEADER, SANIC_FORWARDED_SECRET): every
    # connection then comes from the proxy, whose own limit (nginx limit_conn) does this job.
    max_connections_per_client: int = Field(default=64, ge=0)
    # Image uploads (POST /img/upload): Aliyun OSS when OSS_BUCKET is set, else $DATA_DIR/uploads served by
    # the app under UPLOADS_BASE_URL (development only).
    oss_endpoint: str | None = None
    oss_bucket: str | None = None
    oss_access_key_id: str | None = None
    oss_access_key_secret: str | None = None
    oss_public_base_url: str | None = None
    oss_timeout_seconds: float = Field(default=10.0, gt=0)
    uploads_base_url: str = "http://127.0.0.1:16789"
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # A 20 MB photo over a weak mobile connection takes a while; a stalled one still ends.
    upload_timeout_seconds: float = Field(default=120.0, gt=0)
    rate_limit_uploads_per_user: int = Field(default=30, ge=0)
    # Decoding is what costs memory (up to 4 bytes a pixel): the header's size is judged before it. 40 Mpx
    # is any phone photo the mini-program sends; a longest side of 10,000 px keeps every camera frame and
    # panorama under that, and refuses 40 Mpx strips (40,000 x 1,000) that no screen can show.
    max_image_pixels: int = Field(default=40_000_000, ge=1)
    max_image_side: int = Field(default=10_000, ge=1)
    # Images decoding at once per process (each up to max_image_pixels x 4 bytes); the next ones wait
    # up to image_decode_wait_seconds for a slot, then get 503 with Retry-After.
    image_decode_concurrency: int = Field(default=2, ge=1, le=64)
    image_decode_wait_seconds: float = Field(default=10.0, ge=0)
    # Business licence photos are private: an operator's signed URL to one works this long.
    licence_url_seconds: int = Field(default=300, ge=10, le=86400)
    # How often licences the OCR could not read (quota) are read again, and expired licences unlabelled.
    verification_round_seconds: float = Field(default=300.0, gt=0)
    # Besides the storage's own URLs, photo_urls and avatar may point under these prefixes (comma-separated,
    # e.g. "https://cdn.example.com/,https://img.example.com/"); "https://" allows any https URL.
    image_url_prefixes: str = ""
    # Redis down or hung must cost a request about a second (then 503), not the client's patience.
    redis_connect_timeout_seconds: float = Field(default=1.0, gt=0)
    redis_socket_timeout_seconds: float = Field(default=1.0, gt=0)
    free_refreshes_per_day: int = Field(default=1, ge=0, le=100)
    # Posting caps, one number for every account (0: no cap). Open postings at once per section (JSON, by
    # section name; one not named has 10; a 求职 card is one per worker whatever this says), and new postings
    # per section and Shanghai day, closed ones counted: one account posted 59 shops in a minute.
    max_open_postings: dict[str, int] = OPEN_POSTINGS_DEFAULT
    max_new_postings_per_day: int = Field(default=10, ge=0)
    # Requests a minute; 0 turns a limit off. One IP can hide many real users (carrier-grade NAT).
    rate_limit_login_per_code: int = Field(default=10, ge=0)
    rate_limit_login_per_ip: int = Field(default=120, ge=0)
    rate_limit_writes_per_user: int = Field(default=60, ge=0)
    # Lists and searches that reach the engine (a kept page is free), a minute: per client address for
    # anonymous callers (off behind a declared proxy, as MAX_CONNECTIONS_PER_CLIENT), per account otherwise.
    rate_limit_reads_per_ip: int = Field(default=600, ge=0)
    rate_limit_reads_per_user: int = Field(default=600, ge=0)
    max_tokens_per_user: int = Field(default=10, ge=1, le=1000)
    # The app drains the index outbox itself after each write; the indexer daemon is the safety net.
    background_index_sync: bool = True
    workers: int = Field(default=1, ge=1, le=64)

    @field_validator("max_open_postings")
    @classmethod
    def _open_caps(cls, value: dict[str, int]) -> dict[str, int]:
        # {"shops": 20} changes the shops' cap only; a misspelt section ("job") is caught at start (check()).
        if any(cap < 0 for cap in value.values()):
            raise ValueError("a cap is a whole number of postings, 0 for none")
        return {**OPEN_POSTINGS_DEFAULT, **value}

    @field_validator("wechat_api_base", "wechatpay_api_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("price_contact_voucher")
    @classmethod
    def _price_list(cls, prices: dict[int, Decimal]) -> dict[int, Decimal]:
        return _check_price_list(prices)

    @property
    def admin_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(part.strip(), strict=False)
                for part in self.admin_allowed_networks.split(",") if part.strip()]

    @property
    def extra_sections(self) -> list[str]:
        return [name.strip() for name in self.section_packages.split(",") if name.strip()]

    @property
    def resolved_database_url(self) -> str:
        if not self.database_url:
            return f"sqlite://{self.data_dir / 'jobboard.sqlite3'}"
        if self.database_url.startswith("mysql://") and "maxsize=" not in self.database_url:
            separator = "&" if "?" in self.database_url else "?"
            return f"{self.database_url}{separator}maxsize={self.database_pool_size}"
        return self.database_url

    @property
    def resolved_wechat_provider(self) -> str:
        if self.wechat_provider:
            return self.wechat_provider
        return "wechat" if self.wechat_appid else "dev"

    @property
    def resolved_pay_provider(self) -> str:
        return "wechatpay" if self.wechatpay_mchid else "dev"

    @property
    def resolved_wechatpay_appid(self) -> str | None:
        return self.wechatpay_appid or self.wechat_appid

    def development_fallbacks(self) -> list[str]:
        """What this configuration would run on that is only fit for development."""
        gaps = []
        if self.resolved_database_url.startswith("sqlite"):
            gaps.append("DATABASE_URL is unset or SQLite (set a mysql:// URL)")
        if not self.redis_url:
            gaps.append("REDIS_URL is unset (in-process cache)")
        if not self.elasticsearch_url:
            gaps.append("ELASTICSEARCH_URL is unset (embedded search engine)")
        if self.resolved_wechat_provider == "dev":
            gaps.append("the development WeChat login provider is selected")
        if not self.oss_bucket:
            gaps.append("OSS_BUCKET is unset (images stored in DATA_DIR/uploads)")
        if self.resolved_pay_provider == "dev":
            gaps.append("WECHATPAY_MCHID is unset (development pay provider: orders are paid without money)")
        return gaps

    def _check_index_policy(self) -> None:
        shape = _REPLICAS.fullmatch(self.elasticsearch_replicas)
        if shape is None or (shape["top"] not in (None, "all") and int(shape["top"]) < int(shape["low"])):
            raise ConfigError(f"ELASTICSEARCH_REPLICAS={self.elasticsearch_replicas!r} is neither a number of "
                              'replicas ("1") nor a range ("0-all", "0-2")')
        if self.elasticsearch_wait_for_status not in (None, "green", "yellow"):
            raise ConfigError(f"ELASTICSEARCH_WAIT_FOR_STATUS={self.elasticsearch_wait_for_status!r}: green or "
                              "yellow (the health a rebuilt index must reach before it serves)")

    def check(self) -> None:
        """Raise ConfigError when this configuration must not start."""
        if retired := sorted(name for name in RETIRED if name in os.environ):
            raise ConfigError(f"{', '.join(retired)} no longer exist: set {RETIRED[retired[0]]} instead "
                              '(by section name: {"jobs": {"top": {"24": "2.00"}, "refresh": "1.99"}})')
        self._check_index_policy()
        try:
            _ = self.admin_networks
        except ValueError as exc:
            raise ConfigError(f"ADMIN_ALLOWED_NETWORKS={self.admin_allowed_networks!r}: {exc}") from None
        if self.resolved_wechat_provider == "wechat" and not (self.wechat_appid and self.wechat_secret):
            raise ConfigError("WECHAT_APPID and WECHAT_SECRET are required by the wechat login provider")
        if self.wechat_push_aes_key and len(self.wechat_push_aes_key.get_secret_value()) != 43:
            raise ConfigError("WECHAT_PUSH_AES_KEY must be the 43-character EncodingAESKey")
        if self.oss_bucket and not (self.oss_endpoint and self.oss_access_key_id and self.oss_access_key_secret):
            raise ConfigError("OSS_ENDPOINT, OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET are required with OSS_BUCKET")
        if self.resolved_pay_provider == "wechatpay":
            missing = [name.upper() for name in (
                "wechatpay_private_key_path", "wechatpay_cert_serial_no", "wechatpay_apiv3_key",
                "wechatpay_public_key_path", "wechatpay_public_key_id", "wechatpay_notify_url")
                if not getattr(self, name)]
            if not self.resolved_wechatpay_appid:
                missing.append("WECHATPAY_APPID (or WECHAT_APPID)")
            if missing:
                raise ConfigError("WeChat Pay (WECHATPAY_MCHID is set) also needs " + ", ".join(missing))
            if len(self.wechatpay_apiv3_key.get_secret_value()) != 32:
                raise ConfigError("WECHATPAY_APIV3_KEY must be the 32-character APIv3 key")
        if self.workers > 1:
            # Each worker is its own process: an in-process cache (tokens, locks) is seen by one worker
            # only, and several processes writing one SQLite file fail with "database is locked".
            if not self.redis_url:
                raise ConfigError(f"WORKERS={self.workers} needs REDIS_URL: the in-process cache is not "
                                  "shared between worker processes (a token from one would fail on another)")
            if self.resolved_database_url.startswith("sqlite"):
                raise ConfigError(f"WORKERS={self.workers} needs a mysql:// DATABASE_URL: several processes "
                                  "writing one SQLite file fail with 'database is locked'")
        if self.app_env != "production":
            return
        problems = self.development_fallbacks()
        if self.wechat_api_base != OFFICIAL_WECHAT_API:
            problems.append(f"WECHAT_API_BASE must be {OFFICIAL_WECHAT_API} in production")
        if not (self.wechat_push_token and self.wechat_push_aes_key):
            problems.append("WECHAT_PUSH_TOKEN and WECHAT_PUSH_AES_KEY are required in production: without "
                            "WeChat's message push no image check verdict can arrive")
        if self.wechatpay_api_base != OFFICIAL_WECHATPAY_API:
            problems.append(f"WECHATPAY_API_BASE must be {OFFICIAL_WECHATPAY_API} in production")
        if self.wechatpay_notify_url and not self.wechatpay_notify_url.startswith("https://"):
            problems.append("WECHATPAY_NOTIFY_URL must be an https:// URL in production")
        if problems:
            raise ConfigError("refusing to start in production: " + "; ".join(problems))


def load_settings(**overrides) -> Settings:
    settings = Settings(**overrides)
    settings.check()
    return settings
