"""Database set-up: the Tortoise configuration, connecting, and applying migrations."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise, connections

from models import migrating

# The shared models; each section adds its model's module when it is registered (add_models).
MODEL_MODULES = ["models.user", "models.outbox", "models.order", "models.refund", "models.vouchers",
                 "models.contacts", "models.moderation", "models.favorites", "models.operator", "models.verification",
                 "models.messages", "models.blocks", "models.posting_stats"]
CORE_APP = "models"
# Module → (database app, its migrations package): the core app's migrations are models/migrations.
_SECTION_MODELS: dict[str, tuple[str, str | None]] = {}


def add_models(module: str, app: str | None = None, migrations: str | None = None) -> None:
    """A section's model module: in the core app (its tables made by models/migrations), or in an app of its
    own with its own migrations package (a section kept out of this repository's migrations)."""
    _SECTION_MODELS[module] = (app or CORE_APP, migrations)


def drop_models(module: str) -> None:
    _SECTION_MODELS.pop(module, None)


def _apps() -> dict[str, dict]:
    apps = {CORE_APP: {"models": [*MODEL_MODULES], "default_connection": "default", "migrations": "models.migrations"}}
    for module, (app, migrations) in _SECTION_MODELS.items():
        found = apps.setdefault(app, {"models": [], "default_connection": "default", "migrations": migrations})
        found["models"].append(module)
    return apps

# Datetimes are stored naive, as Asia/Shanghai wall time (the time the API speaks):
# Tortoise's use_tz=True mis-stores aware non-UTC datetimes on MySQL.
USE_TZ = False
TIMEZONE = "Asia/Shanghai"


def tortoise_config(database_url: str) -> dict:
    if database_url.startswith("sqlite://"):
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": database_url},
        "apps": _apps(),
        "use_tz": USE_TZ,
        "timezone": TIMEZONE,
    }


# How long a start waits for another process applying migrations (DATABASE_MIGRATION_LOCK_SECONDS).
MIGRATION_LOCK_SECONDS = 600.0


async def apply_migrations(database_url: str, lock_timeout: float = MIGRATION_LOCK_SECONDS) -> None:
    """Apply pending migrations and close the connections they used (`connect` opens fresh ones).

    Safe to run from several processes at once and after a kill at any point (models/migrating.py);
    raises migrating.MigrationLockTimeout when another process held the migration lock too long."""
    try:
        await migrating.migrate(tortoise_config(database_url), database_url, lock_timeout)
    finally:
        await close()


async def connect(database_url: str) -> None:
    # Global fallback: Sanic serves requests in tasks that do not inherit the listener's context.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close() -> None:
    await Tortoise.close_connections()


async def ping() -> None:
    await connections.get("default").execute_query("SELECT 1")


def is_deadlock(exc: BaseException) -> bool:
    """MySQL chose this statement's transaction as a deadlock victim (1213): safe to run again."""
    cause = exc.args[0] if exc.args else None
    return bool(getattr(cause, "args", None)) and cause.args[0] == 1213
