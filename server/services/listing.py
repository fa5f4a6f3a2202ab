"""`/jobs/list`: one search request, no database query."""

from __future__ import annotations

import logging

from elasticsearch import ApiError as EngineApiError
from elasticsearch import TransportError

from runtime import clock
from search.listing import ListingRequest, search_listing
from server.services.errors import SearchUnavailable

log = logging.getLogger("server.listing")


async def list_jobs(engine, body) -> dict:
    request = ListingRequest.from_body(body.model_dump())
    try:
        result = await search_listing(engine.client, request, clock.now())
    except (TransportError, EngineApiError) as exc:
        log.warning("listing: search engine failed: %s", type(exc).__name__)
        raise SearchUnavailable() from None
    if body.request_id is not None:
        result["request_id"] = body.request_id
    return result
