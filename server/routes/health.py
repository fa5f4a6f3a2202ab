"""Liveness and readiness probes."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.responses import envelope, ok
from server.schemas.responses import Alive, Readiness
from server.services import health

bp = Blueprint("health")


@bp.get("/healthz")
@documented("存活探针", data=Alive)
async def healthz(request: JobBoardRequest):
    return ok({"status": "alive"})


@bp.get("/readyz")
@documented("就绪探针", data=Readiness, description="数据库、缓存、搜索引擎（多 worker 时还有各 worker）逐项报告；任一不可用时 503，data 同样列出各项。")
async def readyz(request: JobBoardRequest):
    checks = await health.readiness(request.app.ctx)
    if all(state == "ok" for state in checks.values()):
        return ok(checks)
    return envelope(503, "Service Unavailable", checks, status=503)
