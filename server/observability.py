"""A request id per request and one structured access-log line per response (formatting: runtime.logs)."""

from __future__ import annotations

import logging
import time
import uuid

from runtime.logs import request_id_var

access_log = logging.getLogger("server.access")


def install(app) -> None:
    @app.on_request(priority=100)
    async def _start(request):
        # A caller-provided id (a proxy's) is kept if it is sane, else we make one.
        incoming = request.headers.get("x-request-id", "")
        request.ctx.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        request.ctx.started = time.perf_counter()
        request_id_var.set(request.ctx.request_id)

    @app.on_response(priority=100)
    async def _finish(request, response):
        request_id = getattr(request.ctx, "request_id", None) or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        started = getattr(request.ctx, "started", None)
        status = response.status
        if request.conn_info is not None and request.conn_info.lost:
            # The client left before the answer (Sanic then cancels the handler and makes a 500 nobody
            # receives): nginx's 499 "client closed request", not an error of ours.
            status = 499
        access_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,  # the path only: query strings may carry codes
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            },
        )
