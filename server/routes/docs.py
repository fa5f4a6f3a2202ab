"""The API document: OpenAPI 3.1 at /docs/openapi.json and a page that renders it (Redoc, loaded by the browser)."""

from __future__ import annotations

import orjson
from sanic import Blueprint
from sanic.response import HTTPResponse, html

from server.context import JobBoardRequest
from server.openapi import build_document, documented

bp = Blueprint("docs")

PAGE = """<!doctype html>
<html lang="zh">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>招聘小程序接口文档</title>
</head>
<body>
  <redoc spec-url="/docs/openapi.json"></redoc>
  <script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"></script>
</body>
</html>
"""


@bp.get("/docs")
@documented("接口文档（本页）", description="Renders /docs/openapi.json.", content_type="text/html")
async def page(request: JobBoardRequest):
    return html(PAGE)


@bp.get("/docs/openapi.json")
@documented("OpenAPI 3.1 document", content_type="application/json")
async def document(request: JobBoardRequest):
    # The routes do not change once the app runs: build the document once.
    cached = request.app.ctx.openapi_json
    if cached is None:
        cached = request.app.ctx.openapi_json = orjson.dumps(build_document(request.app))
    return HTTPResponse(cached, content_type="application/json")
