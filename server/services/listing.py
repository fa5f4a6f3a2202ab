"""A section's list (`/jobs/list`): one search request; for a logged-in viewer, one query of their unlocked
numbers. The answer's list is under the section's name (`jobs`), as the seed names it."""

from __future__ import annotations

import logging

from elasticsearch import ApiError as EngineApiError
from elasticsearch import TransportError

from runtime import clock
from sections import Section
from search.engine import CREDENTIALS_REFUSED, refused_credentials
from search import recent_pages
from search.index import NotServed
from search.cursors import BadCursor
from search.listing import ListingRequest, search_listing
from server.services import posting_shapes
from server.services.blocks import BlockSets
from server.services.contacts import show_contacts
from server.services.errors import CursorInvalid, SearchUnavailable
from server.services.hot_searches import HotSearches
from server.services.posting_stats import PostingCounter
from server.services.rate_limits import ReadBudget

log = logging.getLogger("server.listing")


async def list_postings(section: Section, engine, body, viewer_id: int | None, masking: bool,
                        hot: HotSearches | None = None, budget: ReadBudget | None = None,
                        share_metres: float = 0, blocks: BlockSets | None = None,
                        stats: PostingCounter | None = None) -> dict:
    """The page; one the engine must answer (not kept a moment ago) is spent from the caller's `budget`.
    Nearby pages are shared by callers within about `share_metres` (NEARBY_SHARE_METRES). The postings of
    owners the viewer blocks are not in it (`blocks`); its items count as shown (`stats`)."""
    request = ListingRequest.from_body(body.model_dump(), keyword_normalised=True)
    if blocks is not None and viewer_id is not None:
        request.blocked_owners = tuple(sorted(await blocks.of(viewer_id)))
    if budget is not None and not recent_pages.kept(section.name, request.key(share_metres)):
        await budget.spend(viewer_id)
    try:
        found = await search_listing(engine.listing_client, section, request, clock.now(), engine.aliases,
                                     share_metres)
    except BadCursor as exc:
        raise CursorInvalid(str(exc)) from None
    except NotServed:  # a squatting index: the index healer logs it once and /readyz names it
        raise SearchUnavailable() from None
    except TransportError as exc:  # unreachable or timed out: an outage, answered quickly
        log.warning("listing: search engine unreachable: %s", type(exc).__name__)
        raise SearchUnavailable() from None
    except EngineApiError as exc:
        if status := refused_credentials(exc):  # the operator's to fix, and said so: never blamed on the query
            log.error("listing: " + CREDENTIALS_REFUSED.format(status=status))
            raise SearchUnavailable() from None
        # Overloaded, failing, or its index not there yet (a restarted engine being refilled): an outage.
        if exc.meta.status >= 500 or exc.meta.status == 429 or exc.error == "index_not_found_exception":
            log.warning("listing: search engine answered %s %s", exc.meta.status, exc.error)
            raise SearchUnavailable() from None
        # A 4xx is our query's fault (a DSL bug, expensive queries disabled...): a 500 with the reason.
        log.error("listing: search engine refused the query: %s %s", exc.meta.status, exc.message)
        raise
    # 热门搜索 counts a logged-in user's first page, and only a search that found something.
    items = found.items
    if hot is not None and request.keyword and viewer_id is not None and request.offset == 0 and not request.cursor \
            and found.total:
        hot.record(section.name, request.keyword, viewer_id)
    if stats is not None:
        stats.shown(section.biz_type, [item["id"] for item in items])
    await show_contacts(section, items, viewer_id, masking)
    posting_shapes.without_owner(section, items)
    result = {section.name: items, "total": found.total, "total_relation": "eq" if found.exact else "gte",
              "cursor": found.cursor}
    if body.request_id is not None:
        result["request_id"] = body.request_id
    return result
