"""The API document: OpenAPI 3.1 at /docs/openapi.json and a page that renders it (Redoc, loaded by the browser
from a CDN at one exact version, with Subresource Integrity: a changed or replaced file is not run)."""

from __future__ import annotations

import orjson
from sanic import Blueprint
from sanic.response import HTTPResponse, html

from server.context import JobBoardRequest
from server.openapi import build_document, documented

bp = Blueprint("docs")

# The integrity is the SHA-384 of bundles/redoc.standalone.js in the npm package redoc@REDOC_VERSION, which
# the CDN serves as published. To move to another version:
#   npm pack redoc@X.Y.Z && tar xzf redoc-X.Y.Z.tgz
#   echo sha384-$(openssl dgst -sha384 -binary package/bundles/redoc.standalone.js | openssl base64 -A)
# (No PyPI package ships Redoc's bundle without pulling in a web framework (Django, FastAPI, Flask).)
REDOC_VERSION = "2.5.4"
REDOC_INTEGRITY = "sha384-w447zOpYfw/1Tv/5AK9NfHTlQIqE3RVR6KY62jCyy9zNDgO64cMwGGP1Fj0zJVf5"

PAGE = f"""<!doctype html>
<html lang="zh">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>招聘小程序接口文档</title>
</head>
<body>
  <redoc spec-url="/docs/openapi.json"></redoc>
  <script src="https://cdn.jsdelivr.net/npm/redoc@{REDOC_VERSION}/bundles/redoc.standalone.js"
          integrity="{REDOC_INTEGRITY}" crossorigin="anonymous"></script>
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
