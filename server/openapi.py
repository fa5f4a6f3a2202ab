"""The OpenAPI 3.1 document, generated from the app's routes and the pydantic models that validate the bodies.

Handlers carry their documentation with `@documented(...)`; `build_document(app)` walks the app's router
and reads it. A route without it is listed by `undocumented_routes(app)` (a test keeps that list empty),
so no endpoint can be forgotten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from sanic import Sanic

from server.schemas.responses import ErrorEnvelope

REF_TEMPLATE = "#/components/schemas/{model}"
SECURITY_SCHEME = "token"
# Methods whose routes the framework adds itself (sanic-ext's automatic HEAD and CORS preflight OPTIONS).
FRAMEWORK_METHODS = frozenset({"HEAD", "OPTIONS"})

Handler = TypeVar("Handler", bound=Callable)


@dataclass(frozen=True)
class Doc:
    summary: str
    description: str = ""
    # The JSON body and the query string's arguments (GET, one parameter a field): those the handler parses
    # with `server.requests.takes` / `takes_query`, never named here, so a handler names its body once.
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # The envelope's `data` on success (None: data is null), or a function making it when the document is
    # built: a shape with one part per registered section (server/schemas/responses.py).
    data: type[BaseModel] | Callable[[], type[BaseModel]] | None = None
    auth: bool | Literal["optional"] = False
    token_in_response: bool = False  # login answers with the token in the Authorization header
    content_type: str | None = None  # a success that is not the JSON envelope (the docs themselves)
    file_field: str | None = None  # a multipart/form-data body holding one file under this name
    # The whole responses section, for a route that speaks another party's format (WeChat Pay's callback).
    responses: dict | None = None


def documented(summary: str, **details) -> Callable[[Handler], Handler]:
    """Attach documentation to a handler; the document is built from it."""
    if named := {"body", "query"} & set(details):
        raise TypeError(f"{summary}: the {' and '.join(sorted(named))} is named by @takes / @takes_query alone")
    doc = Doc(summary, **details)

    def attach(handler: Handler) -> Handler:
        handler.__openapi__ = doc
        return handler

    return attach


def _through_wrappers(handler, attribute: str):
    # Look through wrappers (login_required and others use functools.wraps).
    while handler is not None:
        if (found := getattr(handler, attribute, None)) is not None:
            return found
        handler = getattr(handler, "__wrapped__", None)
    return None


def doc_of(handler) -> Doc | None:
    """The route's documentation, its body and query the ones `server.requests.takes`/`takes_query` parse."""
    doc = _through_wrappers(handler, "__openapi__")
    if doc is None:
        return None
    parsed = {part: model for part in ("body", "query")
              if (model := _through_wrappers(handler, f"__{part}__")) is not None}
    return replace(doc, **parsed) if parsed else doc


def _api_routes(app: Sanic):
    for route in app.router.routes:
        # The operators' console (/admin) is pages for people, not the mini-program's API.
        if not route.methods <= FRAMEWORK_METHODS and not route.path.startswith("admin"):
            yield route


def undocumented_routes(app: Sanic) -> list[str]:
    return sorted(f"{'/'.join(sorted(r.methods))} /{r.path}" for r in _api_routes(app) if doc_of(r.handler) is None)


def _openapi_path(route) -> str:
    # Sanic's "<name:type>" parameters become OpenAPI's "{name}".
    return "/" + re.sub(r"<([^:>]+)(:[^>]*)?>", r"{\1}", route.path)


def _envelope(data_schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["code", "message", "data"],
        "properties": {"code": {"const": 0}, "message": {"type": "string", "description": '"ok" 或 ""'},
                       "data": data_schema},
        "additionalProperties": False,
    }


def _operation(route, method: str, doc: Doc, refs: dict[type[BaseModel], dict]) -> dict:
    blueprint = route.name.split(".")[1] if route.name.count(".") >= 2 else "default"
    operation_id = route.name.split(".", 1)[-1]  # "jobs.list_jobs": the route's name without the app's
    if len(route.methods - FRAMEWORK_METHODS) > 1:
        operation_id += f".{method.lower()}"
    operation = {
        "operationId": operation_id,
        "summary": doc.summary,
        "tags": [blueprint],
        "security": [],
        "responses": {},
    }
    if doc.description:
        operation["description"] = doc.description
    operation["parameters"] = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                               for name in re.findall(r"<([^:>]+)", route.path)]
    if doc.query is not None:
        schema = doc.query.model_json_schema()
        operation["parameters"] += [
            {"name": name, "in": "query", "required": name in schema.get("required", ()),
             "description": field.get("description", ""), "schema": {k: v for k, v in field.items()
                                                                     if k not in ("title", "description")}}
            for name, field in schema["properties"].items()]
    if doc.auth:
        operation["security"] = [{SECURITY_SCHEME: []}] if doc.auth is True else [{}, {SECURITY_SCHEME: []}]
        operation["parameters"].append({"$ref": "#/components/parameters/UserIdHeader"})
    if not operation["parameters"]:
        del operation["parameters"]
    if doc.body is not None:
        # An empty body counts as {}: it is required only when the model has a required field.
        required = any(field.is_required() for field in doc.body.model_fields.values())
        operation["requestBody"] = {"required": required,
                                    "content": {"application/json": {"schema": refs[doc.body]}}}
    if doc.file_field:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": [doc.file_field],
            "properties": {doc.file_field: {"type": "string", "format": "binary"}}}}}}
    if doc.responses is not None:
        operation["responses"] = doc.responses
        return operation
    if doc.content_type:
        success = {"description": "OK", "content": {doc.content_type: {"schema": {
            "type": "object" if doc.content_type == "application/json" else "string"}}}}
    else:
        data = refs[doc.data] if doc.data is not None else {"type": "null"}
        success = {"description": "OK", "content": {"application/json": {"schema": _envelope(data)}}}
    if doc.token_in_response:
        success["headers"] = {"Authorization": {
            "description": "Bearer <token>：登录成功后返回在响应头，之后的请求原样带上",
            "required": True, "schema": {"type": "string"}}}
    operation["responses"]["200"] = success
    operation["responses"]["default"] = {"$ref": "#/components/responses/Error"}
    return operation


def build_document(app: Sanic, *, title: str = "Catering job board API", version: str = "1") -> dict:
    routes = [(route, doc_of(route.handler)) for route in _api_routes(app)]
    routes = [(route, doc if isinstance(doc.data, type | None) else replace(doc, data=doc.data()))
              for route, doc in routes if doc is not None]
    models = {model for _, doc in routes for model in (doc.body, doc.data) if model is not None}
    models.add(ErrorEnvelope)
    models = sorted(models, key=lambda m: m.__name__)
    keys, defs = models_json_schema([(model, "validation") for model in models], ref_template=REF_TEMPLATE)
    refs = {model: keys[(model, "validation")] for model in models}

    paths: dict[str, dict] = {}
    for route, doc in sorted(routes, key=lambda pair: pair[0].path):
        for method in sorted(route.methods - FRAMEWORK_METHODS):
            paths.setdefault(_openapi_path(route), {})[method.lower()] = _operation(route, method, doc, refs)

    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "招聘小程序接口。成功：{code: 0, message, data}；出错：code 等于 HTTP 状态码。"
                                "文字字段不得含控制字符（换行、制表符除外）和不可见的格式字符（Unicode Cf：零宽空格、"
                                "U+202E 等方向控制符、BOM；表情中的零宽连接符除外），否则 400 并指出字段；"
                                "搜索关键词中的格式字符则先被删去。"},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {SECURITY_SCHEME: {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "登陆接口返回的 TOKEN：`<token>` 或 `Bearer <token>`"}},
            "parameters": {"UserIdHeader": {
                "name": "user_id", "in": "header", "required": False,
                "description": "登陆接口返回的 ID；带上时必须是 token 的用户",
                "schema": {"type": "string", "pattern": "^[0-9]{1,19}$"}}},
            "responses": {"Error": {
                "description": "出错：400 参数错误（data 列出字段）、401 未登录、402 联系券不足、403 无权、404、"
                               "408 请求体超时、429 过于频繁（Retry-After 秒后再试）、500、"
                               "502 微信（登录、支付）接口出错、503 服务暂不可用",
                "headers": {"Retry-After": {"description": "429 限流时：多少秒后可再试", "schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": refs[ErrorEnvelope]}}}},
        },
    }
