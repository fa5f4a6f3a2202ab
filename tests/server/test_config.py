"""Configuration: production refuses development providers, missing secrets and unofficial gateways."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from runtime.settings import ConfigError, Settings

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
    assert len(settings.development_fallbacks()) == 5  # database, cache, engine, WeChat, image storage


def test_server_process_refuses_to_start_in_production_with_dev_providers(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "ELASTIC", "WECHAT_"))}
    env.update(APP_ENV="production", DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "server", "--port", "0"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "refusing to start in production" in done.stderr
    assert not list(tmp_path.iterdir())  # nothing was created
