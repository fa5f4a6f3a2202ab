"""Turning a request body into a validated pydantic object, or a 400 that says why."""

from __future__ import annotations

from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from sanic import Request

from server.errors import bad_request, validation_error

T = TypeVar("T", bound=BaseModel)


def parse_body(request: Request, schema: type[T]) -> T:
    body = request.body or b""
    limit = request.app.ctx.settings.max_json_body_bytes
    if len(body) > limit:
        raise bad_request(f"request body too large (at most {limit} bytes)")
    if not body.strip():
        body = b"{}"
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"malformed JSON body: {exc}") from None
    if not isinstance(data, dict):
        raise bad_request("the request body must be a JSON object")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None
