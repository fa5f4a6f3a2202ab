"""`/jobs/list`: one search request, no database query."""

from __future__ import annotations

import logging

from elasticsearch import ApiError as EngineApiError
from elasticsearch import TransportError

from search.listing import WELFARE_GROUPS, ListingRequest, search_listing
from server import clock
from server.errors import ApiError

log = logging.getLogger("server.listing")


async def list_jobs(engine, body) -> dict:
    f = body.filter
    request = ListingRequest(
        query_type=body.query_type, positions=f.positions, salary_min=f.salary_min, salary_max=f.salary_max,
        welfare={group: getattr(f, group) for group in WELFARE_GROUPS}, longitude=f.longitude,
        latitude=f.latitude, distance_km=f.distance_km, page_num=body.page_num, page_size=body.page_size)
    try:
        result = await search_listing(engine.client, request, clock.now())
    except (TransportError, EngineApiError) as exc:
        log.warning("listing: search engine failed: %s", type(exc).__name__)
        raise ApiError(503, "Service Unavailable", "job search is temporarily unavailable, try again") from None
    if body.request_id is not None:
        result["request_id"] = body.request_id
    return result
