"""The database configuration of the `tortoise` CLI (makemigrations, migrate, history: pyproject.toml), with
every registered section's model."""

from __future__ import annotations

import os

import sections  # noqa: F401  (registers every section, and so its model)
from models.db import tortoise_config

TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or "sqlite://var/jobboard.sqlite3")
