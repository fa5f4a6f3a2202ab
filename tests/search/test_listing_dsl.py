"""The listing DSL, shape by shape (each is also run against the engine in tests/sections/test_jobs_listing.py)."""

from __future__ import annotations

from search.listing import LATEST, NEARBY, RECOMMENDED, ListingRequest, hit_to_item, listing_dsl
from sections.jobs import JOBS
from tests.fakes.expensive_queries import expensive_clause


def filters_of(dsl: dict) -> list[dict]:
    query = dsl["query"]
    return query["bool"]["filter"]


def test_recommended_puts_live_tops_first_then_refresh_time_then_id():
    dsl = listing_dsl(JOBS, ListingRequest(query_type=RECOMMENDED))
    top = {"constant_score": {"filter": {"range": {"top_end_time": {"gt": "now"}}}}}  # `now`: the CLI's default
    assert dsl["query"]["bool"]["should"] == [top]
    assert dsl["sort"] == [{"_score": {"order": "desc"}}, {"rank_time": {"order": "desc"}}, {"id": {"order": "desc"}}]
    assert {"term": {"status": 1}} in filters_of(dsl) and dsl["track_total_hits"] is True


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
    item = hit_to_item(JOBS, hit, "2026-01-16T00:00:00.000+08:00", here={"lat": 1, "lon": 2})
    assert item["create_at"] == "2026-01-15 23:21:09.641" and item["top_start_time"] == ""
    assert item["is_top"] == 1 and item["distance"] == 1235
    assert "location" not in item and "rank_time" not in item
    assert hit_to_item(JOBS, hit, "2026-01-17T00:00:00.000+08:00")["is_top"] == 0


def test_an_operator_body_without_type_or_page_gets_the_listing_defaults():
    # What `python -m indexer dsl '{}'` prints is what the home page asks for: recommended, first page.
    dsl = listing_dsl(JOBS, ListingRequest.from_body({"filter": {"positions": ""}}))
    assert "should" in dsl["query"]["bool"] and (dsl["from"], dsl["size"]) == (0, 10)
    assert filters_of(dsl) == [{"term": {"status": 1}}, {"term": {"biz_type": 1}}]


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
