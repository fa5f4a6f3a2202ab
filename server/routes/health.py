"""Liveness and readiness probes."""

from __future__ import annotations

from sanic import Blueprint, Request

from server.responses import envelope, ok
from server.services import health

bp = Blueprint("health")


@bp.get("/healthz")
async def healthz(request: Request):
    return ok({"status": "alive"})


@bp.get("/readyz")
async def readyz(request: Request):
    checks = await health.readiness(request.app.ctx)
    if all(state == "ok" for state in checks.values()):
        return ok(checks)
    return envelope(503, "Service Unavailable", checks, status=503)
