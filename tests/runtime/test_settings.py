"""Configuration: production refuses development providers, missing secrets and unofficial gateways."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from runtime.settings import ConfigError, Settings
from server.providers.wechat_pay import build_pay_provider

PRODUCTION = {
    "app_env": "production",
    "database_url": "mysql://app:pw@db:3306/jobs",
    "redis_url": "redis://cache:6379/0",
    "elasticsearch_url": "http://es:9200",
    "wechat_appid": "wx123",
    "wechat_secret": "s3cret",
    "oss_endpoint": "oss-cn-beijing.aliyuncs.com",
    "oss_bucket": "jobs-img",
    "oss_access_key_id": "ak",
    "oss_access_key_secret": "sk",
    "wechatpay_mchid": "1900000001",
    "wechatpay_private_key_path": "/run/secrets/apiclient_key.pem",
    "wechatpay_cert_serial_no": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    "wechatpay_apiv3_key": "0123456789abcdef0123456789abcdef",
    "wechatpay_public_key_path": "/run/secrets/pub_key.pem",
    "wechatpay_public_key_id": "PUB_KEY_ID_0114232134912024",
    "wechatpay_notify_url": "https://jobs.example.com/pay/notify/wechat",
    "wechat_push_token": "push-token",
    "wechat_push_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}


@pytest.fixture(autouse=True)
def no_developer_environment(monkeypatch):
    """What these tests check comes from them alone, never from the shell that runs them."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_complete_production_configuration_starts():
    Settings(**PRODUCTION).check()


@pytest.mark.parametrize(
    "change, complaint",
    [
        ({"database_url": None}, "DATABASE_URL"),
        ({"database_url": "sqlite://x.db"}, "DATABASE_URL"),
        ({"redis_url": None}, "REDIS_URL"),
        ({"elasticsearch_url": None}, "ELASTICSEARCH_URL"),
        ({"wechat_provider": "dev"}, "development WeChat"),
        ({"wechat_secret": None}, "WECHAT_SECRET"),
        ({"wechat_api_base": "http://127.0.0.1:9999"}, "WECHAT_API_BASE"),
        ({"oss_bucket": None}, "OSS_BUCKET"),
        ({"oss_access_key_secret": None}, "OSS_ACCESS_KEY_SECRET"),
        ({"wechatpay_mchid": None}, "development pay provider"),
        ({"wechat_push_token": None}, "WECHAT_PUSH_TOKEN"),
        ({"wechat_push_aes_key": None}, "WECHAT_PUSH_AES_KEY"),
        ({"wechatpay_apiv3_key": None}, "WECHATPAY_APIV3_KEY"),
        ({"wechatpay_apiv3_key": "short"}, "32-character"),
        ({"wechatpay_public_key_id": None}, "WECHATPAY_PUBLIC_KEY_ID"),
        ({"wechatpay_api_base": "http://127.0.0.1:9999"}, "WECHATPAY_API_BASE"),
        ({"wechatpay_notify_url": "http://jobs.example.com/pay/notify/wechat"}, "WECHATPAY_NOTIFY_URL"),
    ],
)
def test_production_refuses(change, complaint):
    with pytest.raises(ConfigError, match=complaint):
        Settings(**{**PRODUCTION, **change}).check()


@pytest.mark.parametrize(
    "change, complaint",
    [
        ({"redis_url": None}, "WORKERS=2 needs REDIS_URL"),
        ({"database_url": None}, "WORKERS=2 needs a mysql:// DATABASE_URL"),
        ({"database_url": "sqlite://x.db"}, "WORKERS=2 needs a mysql:// DATABASE_URL"),
    ],
)
def test_several_workers_refuse_process_local_state_even_in_dev(change, complaint):
    shared = {"app_env": "dev", "workers": 2, "database_url": "mysql://app:pw@db:3306/jobs",
              "redis_url": "redis://cache:6379/0"}
    Settings(**shared).check()
    with pytest.raises(ConfigError, match=complaint):
        Settings(**{**shared, **change}).check()


def test_dev_defaults_use_embedded_everything():
    settings = Settings(_env_file=None)
    assert settings.resolved_database_url.startswith("sqlite://")
    assert settings.resolved_wechat_provider == "dev"
    assert settings.resolved_pay_provider == "dev"
    assert len(settings.development_fallbacks()) == 6  # database, cache, engine, WeChat, image storage, pay


def test_server_process_refuses_to_start_in_production_with_dev_providers(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "REDIS_", "ELASTIC", "WECHAT_", "WECHATPAY_"))}
    env.update(APP_ENV="production", DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--port", "0"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "refusing to start in production" in done.stderr
    assert not list(tmp_path.iterdir())  # nothing was created


@pytest.mark.parametrize("prices", [
    {"posting_prices": {"jobs": {"refresh": "1.999"}}}, {"posting_prices": {"jobs": {"refresh": "0"}}},
    {"posting_prices": {"shops": {"refresh": "-1"}}}, {"posting_prices": {"jobs": {"top": {"0": "5.00"}}}},
    {"posting_prices": {"seekers": {"top": {}}}}, {"price_contact_voucher": {"1": "3.991"}},
])
def test_a_price_that_cannot_be_charged_is_refused(prices):
    with pytest.raises(ValueError, match="price"):
        Settings(**prices)


def test_unreadable_wechat_pay_keys_stop_the_start(tmp_path):
    settings = Settings(**{**PRODUCTION, "wechatpay_private_key_path": tmp_path / "missing.pem"})
    with pytest.raises(ConfigError, match="WECHATPAY_PRIVATE_KEY_PATH"):
        build_pay_provider(settings)
    (tmp_path / "garbage.pem").write_text("not a key")
    garbage = {"wechatpay_private_key_path": tmp_path / "garbage.pem", "wechatpay_public_key_path": tmp_path / "garbage.pem"}
    with pytest.raises(ConfigError, match="cannot be used"):
        build_pay_provider(settings.model_copy(update=garbage))


@pytest.mark.parametrize(("url", "pool_size", "resolved"), [
    ("mysql://u:p@db:3306/jobs", 20, "mysql://u:p@db:3306/jobs?maxsize=20"),
    ("mysql://u:p@db:3306/jobs?charset=utf8mb4", 7, "mysql://u:p@db:3306/jobs?charset=utf8mb4&maxsize=7"),
    ("mysql://u:p@db:3306/jobs?maxsize=3", 20, "mysql://u:p@db:3306/jobs?maxsize=3"),  # the operator's own
])
def test_the_database_pool_size_reaches_the_connection_url(url, pool_size, resolved):
    assert Settings(database_url=url, database_pool_size=pool_size).resolved_database_url == resolved


def test_open_posting_caps_change_only_the_sections_named_and_refuse_a_misspelt_one(monkeypatch):
    from runtime.settings import ConfigError, Settings
    from server.app import create_app

    assert Settings(max_open_postings={"shops": 30}).max_open_postings == {"jobs": 20, "shops": 30}
    with pytest.raises(ValueError):
        Settings(max_open_postings={"jobs": -1})
    with pytest.raises(ConfigError, match="job"):
        create_app(Settings(max_open_postings={"job": 50}), embedded_engine_url="http://127.0.0.1:9")


def test_posting_prices_change_only_what_they_name():
    from sections import all_sections
    from server.services.money import PriceList

    settings = Settings(posting_prices={"jobs": {"top": {"48": "3.50"}}, "shops": {"refresh": "3.99"}})
    prices = PriceList.from_settings(settings, all_sections()).shape()
    assert prices["top"] == [{"top_hour": 48, "price": 3.5}] and prices["refresh"] == {"price": 1.99}
    assert prices["shop"]["refresh"] == {"price": 3.99} and prices["shop"]["top"][0] == {"top_hour": 24, "price": 5.0}
    assert prices["seeker"]["refresh"] == {"price": 0.99}  # not named: the section's own


def test_a_price_for_no_section_or_a_retired_price_setting_stops_the_start(monkeypatch):
    from server.app import create_app

    with pytest.raises(ConfigError, match="POSTING_PRICES names no section: job"):
        create_app(Settings(posting_prices={"job": {"refresh": "1.00"}}), embedded_engine_url="http://127.0.0.1:1")
    monkeypatch.setenv("PRICE_TOP", '{"24": "2.00"}')
    with pytest.raises(ConfigError, match="PRICE_TOP no longer exist: set POSTING_PRICES"):
        Settings().check()


@pytest.mark.parametrize("change, complaint", [
    ({"elasticsearch_replicas": "two"}, "ELASTICSEARCH_REPLICAS='two' is neither a number of replicas"),
    ({"elasticsearch_replicas": "2-1"}, "ELASTICSEARCH_REPLICAS='2-1'"),
    ({"elasticsearch_replicas": "0-"}, "ELASTICSEARCH_REPLICAS='0-'"),
    ({"elasticsearch_replicas": "all"}, "ELASTICSEARCH_REPLICAS='all'"),
    ({"elasticsearch_wait_for_status": "red"}, "ELASTICSEARCH_WAIT_FOR_STATUS='red': green or yellow"),
])
def test_replicas_or_a_health_the_cluster_cannot_take_stop_the_start(change, complaint):
    with pytest.raises(ConfigError, match=re.escape(complaint)):
        Settings(**change).check()


@pytest.mark.parametrize("replicas", ["0", "2", "0-all", "1-3", "2-2"])
def test_a_number_of_replicas_or_a_range_is_taken(replicas):
    Settings(elasticsearch_replicas=replicas, elasticsearch_wait_for_status="yellow").check()
