"""Settings from the environment, and the guards that keep production honest."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.errors import DomainError

OFFICIAL_WECHAT_API = "https://api.weixin.qq.com"


class ConfigError(DomainError):
    """The configuration cannot be used (production guard or unusable value)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    app_env: Literal["dev", "production"] = "dev"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    redis_url: str | None = None
    elasticsearch_url: str | None = None
    # A cluster's credentials (SecretStr: never printed with the settings) and the CA of its certificate.
    elasticsearch_api_key: SecretStr | None = None
    elasticsearch_username: str | None = None
    elasticsearch_password: SecretStr | None = None
    elasticsearch_ca_certs: Path | None = None

    # WeChat mini-program login. Without an appid the development provider is used.
    wechat_provider: Literal["dev", "wechat"] | None = None
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_api_base: str = OFFICIAL_WECHAT_API
    wechat_timeout_seconds: float = 5.0

    token_ttl_days: int = Field(default=30, ge=1, le=365)
    max_json_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # A client that stalls mid-body gets 408 after this long instead of holding a connection.
    request_body_timeout_seconds: float = Field(default=10.0, gt=0)
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
    # Besides the storage's own URLs, photo_urls and avatar may point under these prefixes (comma-separated,
    # e.g. "https://cdn.example.com/,https://img.example.com/"); "https://" allows any https URL.
    image_url_prefixes: str = ""
    # Redis down or hung must cost a request about a second (then 503), not the client's patience.
    redis_connect_timeout_seconds: float = Field(default=1.0, gt=0)
    redis_socket_timeout_seconds: float = Field(default=1.0, gt=0)
    free_refreshes_per_day: int = Field(default=1, ge=0, le=100)
    # Requests a minute; 0 turns a limit off. One IP can hide many real users (carrier-grade NAT).
    rate_limit_login_per_code: int = Field(default=10, ge=0)
    rate_limit_login_per_ip: int = Field(default=120, ge=0)
    rate_limit_writes_per_user: int = Field(default=60, ge=0)
    max_tokens_per_user: int = Field(default=10, ge=1, le=1000)
    # The app drains the index outbox itself after each write; the indexer daemon is the safety net.
    background_index_sync: bool = True
    workers: int = Field(default=1, ge=1, le=64)

    @field_validator("wechat_api_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite://{self.data_dir / 'jobboard.sqlite3'}"

    @property
    def resolved_wechat_provider(self) -> str:
        if self.wechat_provider:
            return self.wechat_provider
        return "wechat" if self.wechat_appid else "dev"

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
        return gaps

    def check(self) -> None:
        """Raise ConfigError when this configuration must not start."""
        if self.resolved_wechat_provider == "wechat" and not (self.wechat_appid and self.wechat_secret):
            raise ConfigError("WECHAT_APPID and WECHAT_SECRET are required by the wechat login provider")
        if self.oss_bucket and not (self.oss_endpoint and self.oss_access_key_id and self.oss_access_key_secret):
            raise ConfigError("OSS_ENDPOINT, OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET are required with OSS_BUCKET")
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
        if problems:
            raise ConfigError("refusing to start in production: " + "; ".join(problems))


def load_settings(**overrides) -> Settings:
    settings = Settings(**overrides)
    settings.check()
    return settings
