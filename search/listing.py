"""A section's list body as Elasticsearch DSL, and hits mapped back to the seed's item shape.

Shared by every section: open postings of its biz_type that no hold keeps out, the three sorts (recommended
with postings on top first, nearby by distance, latest), paging, the page cache; the section adds its own
filter clauses (`IndexedSection.filters`). Works on plain values: no database, no models. Only standard DSL,
so a real Elasticsearch and the embedded engine answer alike.

No query scores or counts every open posting: the recommended list without a keyword is two sorted queries
in one `msearch` (the live tops, few, then the rest by refresh time), counts stop at COUNT_LIMIT (the answer
says when `total` is a lower bound), and deep pages continue from a `cursor` (`search_after`) rather than
from an offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from cachetools import TTLCache
from elasticsearch import ApiError, AsyncElasticsearch
from elasticsearch.exceptions import HTTP_EXCEPTIONS

from runtime import clock
from search import recent_pages
from search.cursors import ALL, OFFSET, REST, TOPS, BadCursor, Cursor, list_digest
from search.documents import DATE_FIELDS, INTERNAL_FIELDS, VERIFIED_FIELD
from search.geo import arc_distance_m, grid_cell
from search.index import AliasWatch, check_served, doc_time
from search.keywords import KEYWORD_FIELD, Keyword, highlight, keyword_clauses, normalized_words, parse, words_of
from search.section import IndexedSection

RECOMMENDED, NEARBY, LATEST = 1, 2, 3
# Deepest page `page_num` reaches (page_num * page_size): every section's index allows this `max_result_window`.
# Past it a list continues from its answer's `cursor`.
RESULT_WINDOW = 10_000
# Hits counted at most: past it `total` is a lower bound (`total_relation` "gte"), as a search engine counts.
COUNT_LIMIT = 10_000
STATUS_OPEN = 1
TOP_BOOST = 10_000.0  # above any keyword's relevance score: a paid top stays first
_SHARED = ("longitude", "latitude", "distance_km", "keyword")  # every section's filter fields
NEWEST_FIRST = [{"rank_time": {"order": "desc"}}, {"id": {"order": "desc"}}]


_owners_digest = lru_cache(maxsize=4096)(list_digest)  # a blocker's set is digested once, not at every list


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
    cursor: str | None = None  # the previous page's answer's `cursor`: page_num is then not read
    # Owners the viewer blocks (sorted, bounded by MAX_BLOCKS_PER_USER): their postings are left out.
    blocked_owners: tuple[int, ...] = ()

    @classmethod
    def from_body(cls, body: dict, *, keyword_normalised: bool = False) -> "ListingRequest":
        """From a list body: validated by the API (`keyword_normalised`: its keyword is taken as is), or as an
        operator typed it."""
        f = body.get("filter") or {}
        keyword = f.get("keyword")
        return cls(
            query_type=body.get("query_type", RECOMMENDED),
            # An empty value asks for nothing: left out, so such a body shares its page with one without it.
            wanted={name: value for name, value in f.items() if name not in _SHARED and value not in (None, "", [])},
            longitude=f.get("longitude"), latitude=f.get("latitude"), distance_km=f.get("distance_km"),
            keyword=" ".join(words_of(keyword or "") if keyword_normalised else normalized_words(keyword)) or None,
            page_num=body.get("page_num", 1), page_size=body.get("page_size", 10), cursor=body.get("cursor"))

    def parsed(self, section: IndexedSection) -> Keyword:
        return parse(self.keyword, section.keyword_numbers)

    def here(self) -> dict | None:
        if self.longitude is None or self.latitude is None:
            return None
        return {"lat": self.latitude, "lon": self.longitude}

    def _wanted(self) -> tuple:
        return tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                            for name, value in self.wanted.items()))

    def digest(self, section: IndexedSection) -> str:
        """The list this request pages through, whatever its page: what a cursor belongs to."""
        return list_digest((section.name, self.query_type, self._wanted(), self.distance_km, self.keyword))

    def key(self, share_metres: float = 0) -> tuple:
        """Requests of one section that may share one answer (the page cache's key). A nearby list is keyed
        on the grid cell of about `share_metres` its point falls in; recommended and latest lists ignore it."""
        cell = (grid_cell(self.latitude, self.longitude, share_metres)
                if self.query_type == NEARBY and self.here() and not self.cursor else None)
        key = (self.query_type, self._wanted(), cell, self.distance_km, self.keyword,
               None if self.cursor else self.page_num, self.page_size, self.cursor)
        # A viewer who blocks nobody shares pages with everyone, as an anonymous one; a blocker with those
        # who block the same owners only.
        return (*key, _owners_digest(self.blocked_owners)) if self.blocked_owners else key

    def read_cursor(self, section: IndexedSection) -> Cursor | None:
        """The cursor it continues from; raises `BadCursor` for one this list did not give."""
        if not self.cursor:
            return None
        cursor = Cursor.decode(self.cursor, self.digest(section))
        # A relevance list continues at an offset; any other from its last item's two sort values.
        if not (cursor.part == OFFSET if _scored(self) else cursor.part == OFFSET or len(cursor.after) == 2):
            raise BadCursor("cursor is not one this list gave: start again from page_num 1 without a cursor")
        return cursor

    @property
    def offset(self) -> int:
        return (self.page_num - 1) * self.page_size


@dataclass
class _Query:
    """One list's clauses before paging: `tops` set when the recommended list pages its tops apart."""

    filters: list[dict]
    must_not: list[dict]
    sort: list[dict]
    must: list[dict] = field(default_factory=list)
    should: list[dict] = field(default_factory=list)
    tops: dict | None = None  # the live-top clause (a range on top_end_time)

    def body(self, *, part: str = ALL, start: int | list = 0, size: int, count: int | bool | None = None) -> dict:
        """A search body: the whole list (ALL), or a recommended list's live tops or the rest after them;
        `start` an offset or a `search_after`."""
        query: dict = {"filter": list(self.filters), "must_not": list(self.must_not)}
        if self.must:
            query["must"] = self.must
        if self.should:
            query["should"] = self.should
        if part == TOPS:
            query["filter"].append(self.tops)
        elif part == REST:
            query["must_not"].append(self.tops)
        body = {"query": {"bool": query}, "sort": self.sort, "size": size,
                "track_total_hits": COUNT_LIMIT if count is None else count}
        if isinstance(start, list):
            body["search_after"] = start
        else:
            body["from"] = start
        return body


def _query(section: IndexedSection, req: ListingRequest, now_iso: str, here: dict | None) -> _Query:
    # A keyword's words score in the recommended list (relevance order) and only filter in the others (distance
    # and time order); the numbers it holds are filters.
    scored, numbers = keyword_clauses(req.parsed(section)) if req.keyword else ([], [])
    if req.keyword and not (scored or numbers):
        # Nothing the box can read (another script, a number of a field the section lacks): the text as
        # typed, as characters in a row, so a keyword narrows the list rather than being ignored.
        scored = [{"match_phrase": {KEYWORD_FIELD: req.keyword}}]
    filters: list[dict] = [{"term": {"status": STATUS_OPEN}}, {"term": {"biz_type": section.biz_type}},
                           *section.filters(req.wanted, now_iso), *numbers]
    if section.verified_label and req.wanted.get("verified_only"):  # owners with an approved licence only
        filters.append({"exists": {"field": VERIFIED_FIELD}})
    # must_not, not a filter on held=false: a document written before the field existed still lists.
    must_not = [{"term": {"held": True}}]
    if req.blocked_owners:
        must_not.append({"terms": {"user_id": list(req.blocked_owners)}})
    live_top = {"range": {"top_end_time": {"gt": now_iso}}}
    if req.query_type == RECOMMENDED and req.keyword:
        # Every word must match and scores; a live top scores TOP_BOOST more, so tops stay first whatever
        # their relevance, then the most relevant. Only the matching postings are scored.
        return _Query(filters, must_not, [{"_score": {"order": "desc"}}, *NEWEST_FIRST], must=scored,
                      should=[{"constant_score": {"filter": live_top, "boost": TOP_BOOST}}])
    filters += scored
    if req.query_type == RECOMMENDED:
        # Live tops, then the rest, each newest refresh first: two sorted queries, no posting scored.
        return _Query(filters, must_not, NEWEST_FIRST, tops=live_top)
    if req.query_type == NEARBY:
        if req.distance_km and here:
            filters.append({"geo_distance": {"distance": f"{req.distance_km}km", "location": here}})
        return _Query(filters, must_not, [{"_geo_distance": {"location": here, "order": "asc", "unit": "m"}},
                                          {"id": {"order": "asc"}}])
    return _Query(filters, must_not, [{"create_at": {"order": "desc"}}, {"id": {"order": "desc"}}])


def _point(req: ListingRequest, cursor: Cursor | None) -> dict | None:
    """Where a nearby list measures from: the cursor's point (its sort values are distances from there)."""
    if req.query_type != NEARBY:
        return None
    if cursor is not None and cursor.point is not None:
        return {"lat": cursor.point[0], "lon": cursor.point[1]}
    return req.here()


def listing_searches(section: IndexedSection, req: ListingRequest, now_iso: str = "now",
                     cursor: Cursor | None = None, tops_before: int = 0) -> list[dict]:
    """The search bodies one page sends together, in one `msearch`: the recommended list without a keyword
    asks for its live tops and for the rest after them (`tops_before`: how many tops the rest's offset
    assumes come first); any other list is one body. The CLI's `dsl` prints them; bench/growth.py measures
    them. `now_iso`: the app's clock (`doc_time(now)`), so ranking and `is_top` agree on one "now"; the CLI
    leaves the engine's `now` for Kibana."""
    query = _query(section, req, now_iso, _point(req, cursor))
    size = req.page_size
    if query.tops is None:
        start = _start(req, cursor)
        if isinstance(start, int):  # never past the window, whatever an offset cursor says
            start = min(start, RESULT_WINDOW)
            size = min(size, RESULT_WINDOW - start)
        return [query.body(start=start, size=size)]
    if cursor is None:
        return [query.body(part=TOPS, start=req.offset, size=size, count=True),
                query.body(part=REST, start=max(0, req.offset - tops_before), size=size)]
    if cursor.part == TOPS:
        return [query.body(part=TOPS, start=cursor.after, size=size, count=True),
                query.body(part=REST, size=size)]
    return [query.body(part=TOPS, size=0, count=True), query.body(part=REST, start=cursor.after, size=size)]


def _start(req: ListingRequest, cursor: Cursor | None) -> int | list:
    """Where one body starts: an offset (page_num, or an OFFSET cursor's) or a `search_after`."""
    if cursor is None:
        return req.offset
    return cursor.after[0] if cursor.part == OFFSET else cursor.after


def _scored(req: ListingRequest) -> bool:
    return req.query_type == RECOMMENDED and bool(req.keyword)


@dataclass
class Page:
    """What the engine answered for one page: kept a moment for identical requests."""

    hits: list[dict]
    total: int
    exact: bool  # False: `total` is a lower bound (COUNT_LIMIT reached)
    next: str | None  # the cursor where the next page starts (encoded); None at the end


def _seed_time(value: str | None) -> str:
    # "2026-01-15T23:21:09.641+08:00" → "2026-01-15 23:21:09.641"
    return f"{value[:10]} {value[11:23]}" if value else ""


def hit_to_item(section: IndexedSection, hit: dict, now_iso: str, here: dict | None = None) -> dict:
    """An item as the seed shows it; `here` (the nearby list's caller) adds its `distance` in metres from that
    point to the indexed (published) one, measured as the engine does."""
    source = hit["_source"]
    item = {key: value for key, value in source.items() if key not in INTERNAL_FIELDS}
    top_end = source.get("top_end_time")
    item["is_top"] = int(bool(top_end) and top_end > now_iso)
    for key in DATE_FIELDS:
        item[key] = _seed_time(source.get(key))
    if here is not None:
        at = source["location"]
        item["distance"] = round(arc_distance_m(here["lat"], here["lon"], at["lat"], at["lon"]))
    if section.derived is not None:
        item.update(section.derived(source, now_iso))
    if section.verified_label:  # a document written before the field existed: no label
        item.setdefault("verified", None)
    return item


# How many live tops a recommended list had when last asked (by list): a page past the first assumes as
# many, so it needs one round trip unless that number changed meanwhile.
_tops_seen: TTLCache = TTLCache(maxsize=1000, ttl=60, timer=clock.monotonic)


async def _engine_page(client: AsyncElasticsearch, section: IndexedSection, req: ListingRequest,
                       cursor: Cursor | None, now_iso: str, aliases: AliasWatch | None) -> Page:
    digest = req.digest(section)
    point = _point(req, cursor)
    guess = _tops_seen.get(digest, 0)
    searches = listing_searches(section, req, now_iso, cursor, tops_before=guess)
    responses = await _msearch(client, section, searches)
    if len(searches) == 1:
        hits, total, exact = _hits(responses[0])
        parts = [ALL] * len(hits)
    else:
        tops, tops_total, _ = _hits(responses[0])
        _tops_seen[digest] = tops_total
        rest, rest_total, exact = _hits(responses[1])
        rest_from = max(0, req.offset - tops_total)
        if cursor is None and len(tops) < req.page_size and rest_from != max(0, req.offset - guess):
            # Tops began or ended since the guess: the rest's page from the right offset.
            searches = listing_searches(section, req, now_iso, None, tops_before=tops_total)[1:]
            rest, rest_total, exact = _hits((await _msearch(client, section, searches))[0])
        rest = rest[: req.page_size - len(tops)]
        hits, total = tops + rest, tops_total + rest_total
        parts = [TOPS] * len(tops) + [REST] * len(rest)
    for hit in hits:
        # Only the section's versioned indices are served: a concrete index squatting the alias's name never is.
        check_served(section, hit["_index"])
    if not hits and aliases is not None:  # an empty page asks this process's recent look at the alias
        state = await aliases.state(section)
        for index in (state.squatter, *state.foreign):
            if index:
                check_served(section, index)
    if req.keyword:  # marked once per kept page, in the posting's own published texts, never in anything else
        found = req.parsed(section)
        for hit in hits:
            hit["highlight"] = highlight(hit["_source"], section.highlighted, found)
    start = _start(req, cursor)
    shown = (start if isinstance(start, int) else cursor.shown) + len(hits)
    if len(hits) < req.page_size or (exact and shown >= total):
        return Page(hits, total, exact, None)
    if _scored(req):
        after = Cursor(OFFSET, [shown], shown=shown) if shown < RESULT_WINDOW else None
    else:
        after = Cursor(parts[-1], hits[-1]["sort"], (point["lat"], point["lon"]) if point else None, shown)
    # Encoded once per kept page: every request sharing it gives the same cursor (it names no caller).
    return Page(hits, total, exact, after.encode(digest) if after else None)


async def _msearch(client: AsyncElasticsearch, section: IndexedSection, searches: list[dict]) -> list[dict]:
    if len(searches) == 1:  # a plain search: an error comes back as the engine's own exception
        return [(await client.search(index=section.name, **searches[0])).body]
    lines: list[dict] = []
    for body in searches:
        lines += [{"index": section.name}, body]
    answer = await client.msearch(searches=lines)
    for response in answer.body["responses"]:
        if "error" in response:  # raised as one search would have raised it
            error = response["error"]
            status = response.get("status", 500)
            raise HTTP_EXCEPTIONS.get(status, ApiError)(
                message=error.get("type", str(error)) if isinstance(error, dict) else str(error),
                meta=replace(answer.meta, status=status), body=response)
    return answer.body["responses"]


def _hits(response: dict) -> tuple[list[dict], int, bool]:
    hits = response["hits"]
    return hits["hits"], hits["total"]["value"], hits["total"].get("relation", "eq") == "eq"


@dataclass
class Listing:
    items: list[dict]
    total: int
    exact: bool
    cursor: str | None  # the next page's, opaque


async def search_listing(client: AsyncElasticsearch, section: IndexedSection, req: ListingRequest,
                         now: datetime, aliases: AliasWatch | None = None, share_metres: float = 0) -> Listing:
    """One engine round trip (rarely two), or the same page's answer from a moment ago (`recent_pages`).
    `is_top` is always this instant's, a nearby item's `distance` always from the caller's own point; a kept
    page's order is the one the engine gave then (a nearby page: for a caller within `share_metres`).
    `client` carries the listing's timeout (`SearchEngine.listing_client`). Raises `BadCursor` for a cursor
    this list did not give, `NotServed` when the section's name resolves to a squatting index."""
    cursor = req.read_cursor(section)  # a bad cursor is the caller's error, before anything is kept or asked
    now_iso = doc_time(now)
    page = await recent_pages.page(section.name, req.key(share_metres),
                                   lambda: _engine_page(client, section, req, cursor, now_iso, aliases))
    here = req.here() if req.query_type == NEARBY else None
    items = [hit_to_item(section, hit, now_iso, here) for hit in page.hits]
    if req.keyword:
        for item, hit in zip(items, page.hits, strict=True):
            item["highlight"] = hit["highlight"]
    if here is not None:  # the kept page's order was measured from a point up to a cell away: put it right
        items.sort(key=lambda item: item["distance"])
    return Listing(items, page.total, page.exact, page.next)
