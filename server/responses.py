"""Success and error bodies in the seed's envelope, serialised with orjson."""

from __future__ import annotations

from decimal import Decimal

import orjson
from sanic.response import HTTPResponse


def _default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def envelope(code: int, message: str, data, status: int = 200, headers: dict | None = None) -> HTTPResponse:
    body = orjson.dumps({"code": code, "message": message, "data": data}, default=_default)
    return HTTPResponse(body, status=status, headers=headers, content_type="application/json")


def ok(data=None, message: str = "ok", headers: dict | None = None) -> HTTPResponse:
    """Success. The seed answers "ok" on reads and "" on most writes: pass message="" there."""
    return envelope(0, message, data, headers=headers)
