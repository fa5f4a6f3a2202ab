"""The listing DSL, shape by shape (each is also run against the engine in tests/sections/test_jobs_listing.py)."""

from __future__ import annotations

from sections.jobs import JOBS
from tests.fakes.expensive_queries import expensive_clause
from search.cursors import REST, TOPS, Cursor
from search.listing import COUNT_LIMIT, LATEST, NEARBY, RECOMMENDED, ListingRequest, hit_to_item, listing_searches


def listing_dsl(section, req) -> dict:
    """The one search body of a list that sends one."""
    (dsl,) = listing_searches(section, req)
    return dsl


def filters_of(dsl: dict) -> list[dict]:
    query = dsl["query"]
    return query["bool"]["filter"]


NEWEST = [{"rank_time": {"order": "desc"}}, {"id": {"order": "desc"}}]
LIVE_TOP = {"range": {"top_end_time": {"gt": "now"}}}  # `now`: the CLI's default


def test_recommended_asks_for_live_tops_and_for_the_rest_each_newest_first_and_scores_nothing():
    tops, rest = listing_searches(JOBS, ListingRequest(query_type=RECOMMENDED))
    assert LIVE_TOP in filters_of(tops) and LIVE_TOP in rest["query"]["bool"]["must_not"]
    assert tops["sort"] == rest["sort"] == NEWEST
    assert "should" not in tops["query"]["bool"] and "should" not in rest["query"]["bool"]
    assert {"term": {"status": 1}} in filters_of(rest)
    assert tops["track_total_hits"] is True and rest["track_total_hits"] == COUNT_LIMIT


def test_a_later_recommended_page_starts_the_rest_after_the_tops_before_it():
    request = ListingRequest(query_type=RECOMMENDED, page_num=3, page_size=10)
    tops, rest = listing_searches(JOBS, request, tops_before=4)
    assert (tops["from"], rest["from"]) == (20, 16)
    tops, rest = listing_searches(JOBS, request, tops_before=25)
    assert (tops["from"], rest["from"]) == (20, 0)


def test_a_cursor_continues_with_search_after_in_its_part():
    request = ListingRequest(query_type=RECOMMENDED, page_size=10)
    tops, rest = listing_searches(JOBS, request, cursor=Cursor(TOPS, [1700000000000, 9]))
    assert tops["search_after"] == [1700000000000, 9] and "from" not in tops and rest["from"] == 0
    tops, rest = listing_searches(JOBS, request, cursor=Cursor(REST, [1700000000000, 9]))
    assert tops["size"] == 0 and rest["search_after"] == [1700000000000, 9]


def test_a_keyword_scores_only_the_postings_it_matches_with_tops_first():
    dsl = listing_dsl(JOBS, ListingRequest(query_type=RECOMMENDED, keyword="厨师"))
    assert dsl["query"]["bool"]["must"]
    assert dsl["sort"] == [{"_score": {"order": "desc"}}, *NEWEST]
    assert dsl["query"]["bool"]["should"] == [{"constant_score": {"filter": LIVE_TOP, "boost": 10_000.0}}]
    assert dsl["track_total_hits"] == COUNT_LIMIT


def test_nearby_sorts_by_distance_and_filters_the_radius():
    dsl = listing_dsl(JOBS, ListingRequest(query_type=NEARBY, longitude=116.4, latitude=39.9, distance_km=3))
    assert dsl["sort"][0] == {"_geo_distance": {"location": {"lat": 39.9, "lon": 116.4}, "order": "asc", "unit": "m"}}
    assert {"geo_distance": {"distance": "3km", "location": {"lat": 39.9, "lon": 116.4}}} in filters_of(dsl)


def test_latest_sorts_by_creation():
    dsl = listing_dsl(JOBS, ListingRequest(query_type=LATEST, page_num=3, page_size=20))
    assert dsl["sort"] == [{"create_at": {"order": "desc"}}, {"id": {"order": "desc"}}]
    assert (dsl["from"], dsl["size"]) == (40, 20)


def test_filters_positions_salary_overlap_and_every_welfare_tag():
    dsl = listing_dsl(JOBS, ListingRequest(query_type=LATEST, wanted={
        "positions": "厨*师", "salary_min": 8000, "salary_max": 20000, "basic_protection": ["社保", "公积金"],
        "attendance_leave": []}))
    filters = filters_of(dsl)
    assert {"term": {"positions_parts": "厨*师"}} in filters
    assert {"range": {"salary_max": {"gte": 8000}}} in filters
    assert {"range": {"salary_min": {"lte": 20000}}} in filters
    assert {"term": {"basic_protection": "社保"}} in filters and {"term": {"basic_protection": "公积金"}} in filters


def test_unbounded_salary_max_adds_no_upper_bound():
    filters = filters_of(listing_dsl(JOBS, ListingRequest(query_type=LATEST, wanted={"salary_min": 0, "salary_max": -1})))
    assert not any("salary_min" in f.get("range", {}) for f in filters)


def test_hit_maps_to_the_seed_item():
    hit = {"_source": {"id": 1, "location": {"lat": 1, "lon": 2}, "rank_time": "x",
                       "create_at": "2026-01-15T23:21:09.641+08:00", "update_at": "2026-01-15T23:21:09.641+08:00",
                       "top_end_time": "2026-01-16T23:38:54.166+08:00", "top_start_time": None,
                       "last_refresh_time": None}, "sort": [1234.56, 1]}
    # The distance from the caller's own point (not the kept page's sort value): 0.01° of latitude, 1112 m.
    item = hit_to_item(JOBS, hit, "2026-01-16T00:00:00.000+08:00", here={"lat": 1.01, "lon": 2})
    assert item["create_at"] == "2026-01-15 23:21:09.641" and item["top_start_time"] == ""
    assert item["is_top"] == 1 and item["distance"] == 1112
    assert "location" not in item and "rank_time" not in item
    assert hit_to_item(JOBS, hit, "2026-01-17T00:00:00.000+08:00")["is_top"] == 0


def test_an_operator_body_without_type_or_page_gets_the_listing_defaults():
    # What `python -m indexer dsl '{}'` prints is what the home page asks for: recommended, first page.
    tops, rest = listing_searches(JOBS, ListingRequest.from_body({"filter": {"positions": ""}}))
    assert (tops["from"], tops["size"], rest["from"], rest["size"]) == (0, 10, 0, 10)
    assert filters_of(rest) == [{"term": {"status": 1}}, {"term": {"biz_type": 1}}]


def test_positions_match_literally_even_with_wildcard_characters():
    # The text as typed, and no wildcard (an expensive query: tests/search/test_positions_contains.py).
    dsl = listing_dsl(JOBS, ListingRequest(query_type=LATEST, wanted={"positions": "厨\\*师? 长"}))
    assert {"term": {"positions_parts": "厨\\*师? 长"}} in filters_of(dsl)
    assert expensive_clause(dsl) is None


def test_a_top_ends_at_its_end_time():
    now = "2026-03-01T12:00:00.000+08:00"
    item = hit_to_item(JOBS, {"_source": {"id": 1, "top_end_time": now}}, now)
    assert item["is_top"] == 0
    item = hit_to_item(JOBS, {"_source": {"id": 1, "top_end_time": "2026-03-01T12:00:00.001+08:00"}}, now)
    assert item["is_top"] == 1
