"""A section's list body as Elasticsearch DSL, and hits mapped back to the seed's item shape.

Shared by every section: open postings of its biz_type that no hold keeps out, the three sorts (recommended
with postings on top first, nearby by distance, latest), paging, the page cache; the section adds its own
filter clauses (`IndexedSection.filters`). Works on plain values: no database, no models. Only standard DSL,
so a real Elasticsearch and the embedded engine answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from search import recent_pages
from search.documents import DATE_FIELDS, INTERNAL_FIELDS
from search.index import AliasWatch, check_served, doc_time
from search.keywords import KEYWORD_FIELD, Keyword, highlight, keyword_clauses, normalized_words, parse, words_of
from search.section import IndexedSection

RECOMMENDED, NEARBY, LATEST = 1, 2, 3
# Deepest page any list serves (page_num * page_size): every section's index allows this `max_result_window`.
RESULT_WINDOW = 10_000
STATUS_OPEN = 1
TOP_BOOST = 10_000.0  # above any keyword's relevance score: a paid top stays first
_SHARED = ("longitude", "latitude", "distance_km", "keyword")  # every section's filter fields


@dataclass
class ListingRequest:
    query_type: int = RECOMMENDED
    wanted: dict[str, Any] = field(default_factory=dict)  # the section's own filters, by name
    longitude: float | None = None
    latitude: float | None = None
    distance_km: float | None = None
    keyword: str | None = None  # the search box (search/keywords.py), normalised
    page_num: int = 1
    page_size: int = 10

    @classmethod
    def from_body(cls, body: dict, *, keyword_normalised: bool = False) -> "ListingRequest":
        """From a list body: validated by the API (`keyword_normalised`: its keyword is taken as is), or as an
        operator typed it."""
        f = body.get("filter") or {}
        keyword = f.get("keyword")
        return cls(
            query_type=body.get("query_type", RECOMMENDED),
            wanted={name: value for name, value in f.items() if name not in _SHARED and value is not None},
            longitude=f.get("longitude"), latitude=f.get("latitude"), distance_km=f.get("distance_km"),
            keyword=" ".join(words_of(keyword or "") if keyword_normalised else normalized_words(keyword)) or None,
            page_num=body.get("page_num", 1), page_size=body.get("page_size", 10))

    def parsed(self, section: IndexedSection) -> Keyword:
        return parse(self.keyword, section.keyword_numbers)

    def here(self) -> dict | None:
        if self.longitude is None or self.latitude is None:
            return None
        return {"lat": self.latitude, "lon": self.longitude}

    def key(self, section: IndexedSection) -> tuple:
        """Identical requests of one section, one key (the page cache's)."""
        wanted = tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                              for name, value in self.wanted.items()))
        return (section.name, self.query_type, wanted, self.longitude, self.latitude, self.distance_km,
                self.keyword, self.page_num, self.page_size)


def wildcard_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def listing_dsl(section: IndexedSection, req: ListingRequest, now_iso: str = "now") -> dict:
    """The search body for one listing page. The app passes its own clock's time (`doc_time(now)`), so
    ranking and `is_top` agree on one "now"; the CLI leaves the engine's `now` for Kibana."""
    # A keyword's words score in the recommended list (relevance order) and only filter in the others (distance
    # and time order); the numbers it holds are filters.
    scored, numbers = keyword_clauses(req.parsed(section)) if req.keyword else ([], [])
    if req.keyword and not (scored or numbers):
        # Nothing the box can read (another script, a number of a field the section lacks): the text as
        # typed, as characters in a row, so a keyword narrows the list rather than being ignored.
        scored = [{"match_phrase": {KEYWORD_FIELD: req.keyword}}]
    filters: list[dict] = [{"term": {"status": STATUS_OPEN}}, {"term": {"biz_type": section.biz_type}},
                           *section.filters(req.wanted, now_iso), *numbers]
    if req.query_type != RECOMMENDED:
        filters += scored
    here = req.here()
    if req.query_type == NEARBY and req.distance_km and here:
        filters.append({"geo_distance": {"distance": f"{req.distance_km}km", "location": here}})

    # must_not, not a filter on held=false: a document written before the field existed still lists.
    query: dict = {"bool": {"filter": filters, "must_not": [{"term": {"held": True}}]}}
    if req.query_type == RECOMMENDED:
        # Postings on top (top_end_time still ahead) score 1, every other 0: filters do not score, and a
        # constant_score clause needs no function scoring (about half the engine's time per query).
        top = {"constant_score": {"filter": {"range": {"top_end_time": {"gt": now_iso}}}}}
        if scored:
            # Every word must match; tops stay first whatever their relevance, then the most relevant.
            query["bool"]["must"] = scored
            top["constant_score"]["boost"] = TOP_BOOST
        query["bool"]["should"] = [top]
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


def listing_searches(section: IndexedSection, req: ListingRequest, now_iso: str = "now") -> list[dict]:
    """The search bodies one listing page sends, together in one `msearch` (bench/growth.py measures them)."""
    return [listing_dsl(section, req, now_iso)]


def _seed_time(value: str | None) -> str:
    # "2026-01-15T23:21:09.641+08:00" → "2026-01-15 23:21:09.641"
    return f"{value[:10]} {value[11:23]}" if value else ""


def hit_to_item(section: IndexedSection, hit: dict, now_iso: str, here: dict | None = None) -> dict:
    """An item as the seed shows it; `here` (the nearby list's point) adds its `distance` in metres."""
    source = hit["_source"]
    item = {key: value for key, value in source.items() if key not in INTERNAL_FIELDS}
    top_end = source.get("top_end_time")
    item["is_top"] = int(bool(top_end) and top_end > now_iso)
    for key in DATE_FIELDS:
        item[key] = _seed_time(source.get(key))
    if here is not None:
        item["distance"] = round(hit["sort"][0])  # the engine's distance to the indexed (published) point
    if section.derived is not None:
        item.update(section.derived(source, now_iso))
    return item


async def _engine_page(client: AsyncElasticsearch, section: IndexedSection, req: ListingRequest,
                       now_iso: str, aliases: AliasWatch | None) -> tuple[list[dict], int]:
    response = await client.search(index=section.name, **listing_dsl(section, req, now_iso))
    hits = response["hits"]
    # Only the section's versioned indices are served: a concrete index squatting the alias's name never is.
    # A hit names its index; an empty page asks this process's recent look at the alias.
    for hit in hits["hits"]:
        check_served(section, hit["_index"])
    if not hits["hits"] and aliases is not None:
        state = await aliases.state(section)
        for index in (state.squatter, *state.foreign):
            if index:
                check_served(section, index)
    if req.keyword:  # marked once per kept page, in the posting's own published texts, never in anything else
        found = req.parsed(section)
        for hit in hits["hits"]:
            hit["highlight"] = highlight(hit["_source"], section.highlighted, found)
    return hits["hits"], hits["total"]["value"]


async def search_listing(client: AsyncElasticsearch, section: IndexedSection, req: ListingRequest,
                         now: datetime, aliases: AliasWatch | None = None) -> tuple[list[dict], int]:
    """One engine request, or the same page's answer from a moment ago (`recent_pages`) → (items, total).
    `is_top` is always this instant's; a kept page's order is the one the engine gave then.
    `client` carries the listing's timeout (`SearchEngine.listing_client`). Raises `NotServed` when the
    section's name resolves to a squatting index."""
    now_iso = doc_time(now)
    hits, total = await recent_pages.page(req.key(section),
                                          lambda: _engine_page(client, section, req, now_iso, aliases))
    here = req.here() if req.query_type == NEARBY else None
    items = [hit_to_item(section, hit, now_iso, here) for hit in hits]
    if req.keyword:
        for item, hit in zip(items, hits):
            item["highlight"] = hit["highlight"]
    return items, total
