"""The operators' console (/admin): server-rendered pages in Chinese over the same services as the
`jobboard moderation` command. guard.py decides who may see what; pages.py shows, actions.py changes,
login.py lets operators in and out."""

from __future__ import annotations

from server.admin import actions, login, pages  # noqa: F401  the routes, on guard.bp
from server.admin.guard import bp

__all__ = ["bp"]
