"""The listing's search body as it was before issue 33 (`listing_dsl` at 992b5f5), frozen: bench/growth.py sends
it next to today's `search.listing.listing_searches` to compare the two on the same index in the same run.

Copied, not imported: search/listing.py changes under the bench. Its constants are frozen with it.
"""

from __future__ import annotations

from search.keywords import KEYWORD_FIELD, keyword_clauses
from search.listing import ListingRequest
from search.section import IndexedSection

RECOMMENDED, NEARBY = 1, 2
STATUS_OPEN = 1
TOP_BOOST = 10_000.0


def listing_dsl_before(section: IndexedSection, req: ListingRequest, now_iso: str) -> dict:
    """One page's single search body: every matching posting scored (tops 1, the rest 0), sorted by score,
    rank_time and id, with an exact total."""
    scored, numbers = keyword_clauses(req.parsed(section)) if req.keyword else ([], [])
    if req.keyword and not (scored or numbers):
        scored = [{"match_phrase": {KEYWORD_FIELD: req.keyword}}]
    filters: list[dict] = [{"term": {"status": STATUS_OPEN}}, {"term": {"biz_type": section.biz_type}},
                           *section.filters(req.wanted, now_iso), *numbers]
    if req.query_type != RECOMMENDED:
        filters += scored
    here = req.here()
    if req.query_type == NEARBY and req.distance_km and here:
        filters.append({"geo_distance": {"distance": f"{req.distance_km}km", "location": here}})
    query: dict = {"bool": {"filter": filters, "must_not": [{"term": {"held": True}}]}}
    if req.query_type == RECOMMENDED:
        top = {"constant_score": {"filter": {"range": {"top_end_time": {"gt": now_iso}}}}}
        if scored:
            query["bool"]["must"] = scored
            top["constant_score"]["boost"] = TOP_BOOST
        query["bool"]["should"] = [top]
        sort = [{"_score": {"order": "desc"}}, {"rank_time": {"order": "desc"}}, {"id": {"order": "desc"}}]
    elif req.query_type == NEARBY:
        sort = [{"_geo_distance": {"location": here, "order": "asc", "unit": "m"}}, {"id": {"order": "asc"}}]
    else:
        sort = [{"create_at": {"order": "desc"}}, {"id": {"order": "desc"}}]
    return {"query": query, "sort": sort, "from": (req.page_num - 1) * req.page_size, "size": req.page_size,
            "track_total_hits": True}
