"""Receiving a request body within bounds, and turning it into a validated pydantic object or a 400."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from sanic import Request
from sanic.exceptions import RequestTimeout

from server.errors import bad_request, validation_error

T = TypeVar("T", bound=BaseModel)


class BoundedBodyRequest(Request):
    """Sanic's request, with a deadline for receiving the body (app.config.REQUEST_BODY_TIMEOUT seconds).

    Sanic reads the body of a non-streaming route after routing, in its handler stage, where only
    RESPONSE_TIMEOUT applies: a client that stopped mid-body got a 503 and a traceback after 60 s.
    Its size is bounded before reading by REQUEST_MAX_SIZE (server/app.py).
    """

    async def receive_body(self):
        timeout = self.app.config.REQUEST_BODY_TIMEOUT
        try:
            async with asyncio.timeout(timeout):
                await super().receive_body()
        except TimeoutError:
            # Part of the body is still on its way: answer, then close rather than read the rest.
            self.stream.keep_alive = False
            self.stream.request_body = None
            raise RequestTimeout(f"request body not received within {timeout:g} s") from None


def parse_query(request: Request, schema: type[T]) -> T:
    """The query string's arguments (each once) as the schema, or a 400."""
    try:
        return schema.model_validate({name: values[-1] for name, values in request.args.items()})
    except ValidationError as exc:
        raise validation_error(exc) from None


def parse_body(request: Request, schema: type[T]) -> T:
    body = request.body or b""  # at most max_json_body_bytes: Sanic refused a larger one before reading it
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


def _passing(schema: type[T], parse: Callable[[Request, type[T]], T], attribute: str) -> Callable:
    def wrap(handler: Callable) -> Callable:
        @functools.wraps(handler)
        async def parsed(request: Request, *args, **kwargs):
            return await handler(request, parse(request, schema), *args, **kwargs)

        setattr(parsed, attribute, schema)
        return parsed

    return wrap


def takes(schema: type[T]) -> Callable:
    """The handler's JSON body: parsed into `schema` (or a 400) and passed as the handler's second argument,
    and the body the API document shows for the route (server/openapi.py reads `__body__`). Put it
    right above the handler, under the guards: a refused login or write limit answers before any parsing."""
    return _passing(schema, parse_body, "__body__")


def takes_query(schema: type[T]) -> Callable:
    """As `takes`, for a GET's query string: its arguments as `schema`, and the route's query parameters
    in the API document (`__query__`)."""
    return _passing(schema, parse_query, "__query__")
