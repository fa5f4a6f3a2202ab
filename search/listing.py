"""`/jobs/list` as Elasticsearch DSL, and hits mapped back to the seed's item shape.

Works on plain values: no database, no models. Only standard DSL, so a real Elasticsearch and the
embedded engine answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from elasticsearch import AsyncElasticsearch

from search import recent_pages
from search.index import ALIAS, doc_time, load_definition

RECOMMENDED, NEARBY, LATEST = 1, 2, 3
WELFARE_GROUPS = ("basic_protection", "salary_benefits", "attendance_leave")
RESULT_WINDOW = load_definition()["settings"]["max_result_window"]
STATUS_OPEN = 1
BIZ_RECRUIT = 1
_DATE_FIELDS = ("create_at", "update_at", "last_refresh_time", "top_start_time", "top_end_time")
_INTERNAL_FIELDS = ("location", "rank_time", "held")


@dataclass
class ListingRequest:
    query_type: int = RECOMMENDED
    positions: str | None = None
    salary_min: int | None = None
    salary_max: int | None = None  # -1 or None: unbounded
    welfare: dict[str, list[str]] = field(default_factory=dict)
    longitude: float | None = None
    latitude: float | None = None
    distance_km: float | None = None
    page_num: int = 1
    page_size: int = 10


    @classmethod
    def from_body(cls, body: dict) -> "ListingRequest":
        """From a `/jobs/list` body (already validated by the API, or as an operator typed it)."""
        f = body.get("filter") or {}
        return cls(
            query_type=body.get("query_type", RECOMMENDED), positions=f.get("positions") or None,
            salary_min=f.get("salary_min"), salary_max=f.get("salary_max"),
            welfare={group: f.get(group) or [] for group in WELFARE_GROUPS}, longitude=f.get("longitude"),
            latitude=f.get("latitude"), distance_km=f.get("distance_km"), page_num=body.get("page_num", 1),
            page_size=body.get("page_size", 10))


def _wildcard_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def listing_dsl(req: ListingRequest, now_iso: str = "now") -> dict:
    """The search body for one listing page. The app passes its own clock's time (`doc_time(now)`), so
    ranking and `is_top` agree on one "now"; the CLI leaves the engine's `now` for Kibana."""
    filters: list[dict] = [{"term": {"status": STATUS_OPEN}}, {"term": {"biz_type": BIZ_RECRUIT}}]
    if req.positions:
        filters.append({"wildcard": {"positions": {"value": f"*{_wildcard_escape(req.positions)}*"}}})
    # Salary ranges overlap: the job pays at least the asked minimum somewhere in its range...
    if req.salary_min is not None:
        filters.append({"range": {"salary_max": {"gte": req.salary_min}}})
    # ...and starts no higher than the asked maximum.
    if req.salary_max is not None and req.salary_max != -1:
        filters.append({"range": {"salary_min": {"lte": req.salary_max}}})
    for group in WELFARE_GROUPS:
        for tag in req.welfare.get(group, []):
            filters.append({"term": {group: tag}})
    here = None
    if req.longitude is not None and req.latitude is not None:
        here = {"lat": req.latitude, "lon": req.longitude}
    if req.query_type == NEARBY and req.distance_km and here:
        filters.append({"geo_distance": {"distance": f"{req.distance_km}km", "location": here}})

    # must_not, not a filter on held=false: a document written before the field existed still lists.
    query: dict = {"bool": {"filter": filters, "must_not": [{"term": {"held": True}}]}}
    if req.query_type == RECOMMENDED:
        # Jobs on top (top_end_time still ahead) score 1, every other job 0: filters do not score, and a
        # constant_score clause needs no function scoring (about half the engine's time per query).
        query["bool"]["should"] = [{"constant_score": {"filter": {"range": {"top_end_time": {"gt": now_iso}}}}}]
        sort = [{"_score": {"order": "desc"}}, {"rank_time": {"order": "desc"}}, {"id": {"order": "desc"}}]
    elif req.query_type == NEARBY:
        sort = [{"_geo_distance": {"location": here, "order": "asc", "unit": "m"}}, {"id": {"order": "asc"}}]
    else:
        sort = [{"create_at": {"order": "desc"}}, {"id": {"order": "desc"}}]
    return {
        "query": query,
        "sort": sort,
        "from": (req.page_num - 1) * req.page_size,
        "size": req.page_size,
        "track_total_hits": True,
    }


def _seed_time(value: str | None) -> str:
    # "2026-01-15T23:21:09.641+08:00" → "2026-01-15 23:21:09.641"
    return f"{value[:10]} {value[11:23]}" if value else ""


def hit_to_item(hit: dict, now_iso: str, nearby: bool) -> dict:
    source = hit["_source"]
    item = {key: value for key, value in source.items() if key not in _INTERNAL_FIELDS}
    top_end = source.get("top_end_time")
    item["is_top"] = int(bool(top_end) and top_end > now_iso)
    for key in _DATE_FIELDS:
        item[key] = _seed_time(source.get(key))
    if nearby:
        item["distance"] = round(hit["sort"][0])
    return item


async def _engine_page(client: AsyncElasticsearch, req: ListingRequest, now_iso: str) -> tuple[list[dict], int]:
    response = await client.search(index=ALIAS, **listing_dsl(req, now_iso))
    hits = response["hits"]
    return hits["hits"], hits["total"]["value"]


async def search_listing(client: AsyncElasticsearch, req: ListingRequest, now: datetime) -> dict:
    """One engine request, or the same page's answer from a moment ago (`recent_pages`) → {"jobs": [...],
    "total": n}. `is_top` is always this instant's; a kept page's order is the one the engine gave then.
    `client` carries the listing's timeout (`SearchEngine.listing_client`)."""
    now_iso = doc_time(now)
    hits, total = await recent_pages.page(repr(req), lambda: _engine_page(client, req, now_iso))
    return {"jobs": [hit_to_item(hit, now_iso, req.query_type == NEARBY) for hit in hits], "total": total}
