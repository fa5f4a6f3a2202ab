"""`POST /shops/list` against brute force over a seeded set of shops: every list type × every filter, ranges at
their edges (rows sit exactly on the bounds) and 面议."""

from __future__ import annotations

import pytest
import pytest_asyncio

from sections.shops.samples import (
    SHOP_AREA_EDGES_TENTHS,
    SHOP_FEE_EDGES,
    SHOP_RENT_EDGES,
    SHOP_THIRD_AREAS,
    random_shops,
)
from models.shop import Shop
from runtime import clock
from sections.shops import SHOPS
from tests.helpers.boards import seeded_board
from tests.helpers.api import reset_state
from tests.helpers.reference import brute_force_shops, listing_agrees

SEEDED_SHOPS = 400
PAGE = 50

FILTERS = [
    {},
    {"deal_type": 1},
    {"deal_type": 2},
    {"rent_min": 8000},
    {"rent_max": 8000},
    {"rent_min": 8000, "rent_max": 20000},
    {"rent_min": 20000, "rent_max": 20000},
    {"area_min": 80.5, "area_max": 120},
    {"area_max": 50},
    {"area_min": 120},
    {"area_min": 50.1, "area_max": 80.4},  # just inside the rows on 50 and 80.5: both out
    {"transfer_fee_max": 0},
    {"transfer_fee_max": 100000},
    {"industry": "火锅"},
    {"facilities": ["明火", "排烟"]},
    {"third_area_id": SHOP_THIRD_AREAS[1]},
    {"deal_type": 2, "rent_max": 20000, "area_min": 50.5, "transfer_fee_max": 100000, "industry": "中餐",
     "facilities": ["明火"], "first_area_id": 11},
    # The search box: a character of the title, a trade (industry tag), two words, a word nowhere.
    {"keyword": "转"},
    {"keyword": "火锅"},
    {"keyword": "旺铺 出租", "rent_max": 20000},
    {"keyword": "不存在"},
]
HERE = {"longitude": 116.397128, "latitude": 39.916527}
BOUNDS = {"rent_min": "rent_month", "rent_max": "rent_month", "transfer_fee_max": "transfer_fee"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def seeded(server):
    async with seeded_board(server, SHOPS, random_shops, SEEDED_SHOPS, "shop-owner") as board:
        yield board
    await reset_state(server[0])


async def walk(http, query_type: int, filt: dict) -> tuple[list[int], int, list[dict]]:
    ids, items, page, total = [], [], 1, None
    while True:
        response = await http.post("/shops/list", json={"query_type": query_type, "filter": filt,
                                                         "page_num": page, "page_size": PAGE})
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        total = data["total"]
        items += data["shops"]
        ids += [shop["id"] for shop in data["shops"]]
        if len(data["shops"]) < PAGE:
            return ids, total, items
        page += 1


def on_the_edges(shops: list[Shop], expected: list[int], filt: dict) -> None:
    """The seeded data exercises the filter: where a bound is one of the values the samples put rows on,
    those rows are expected; 面议 shops are in a rent-filtered list."""
    chosen = [shop for shop in shops if shop.id in set(expected)]
    for bound, column in BOUNDS.items():
        if filt.get(bound) in (*SHOP_RENT_EDGES, *SHOP_FEE_EDGES, 0):
            assert any(getattr(shop, column) == filt[bound] for shop in chosen), bound
    for bound in ("area_min", "area_max"):
        if filt.get(bound) is not None and round(filt[bound] * 10) in SHOP_AREA_EDGES_TENTHS:
            assert any(shop.area_tenths == round(filt[bound] * 10) for shop in chosen), bound
    if "rent_min" in filt or "rent_max" in filt:
        assert any(shop.rent_month == 0 for shop in chosen)


@pytest.mark.parametrize("filt", FILTERS)
@pytest.mark.parametrize("query_type", [1, 3])
async def test_recommended_and_latest_match_brute_force(seeded, query_type, filt):
    http, shops = seeded
    expected = brute_force_shops(shops, query_type, filt, clock.now())
    assert bool(expected) != (filt == {"keyword": "不存在"})  # the seeded shops exercise the filter
    on_the_edges(shops, expected, filt)
    ids, total, _ = await walk(http, query_type, filt)
    assert total == len(expected)
    assert listing_agrees(ids, expected, query_type, filt.get("keyword"), shops, clock.now())


@pytest.mark.parametrize("filt", [{}, {"distance_km": 5}, {"distance_km": 4, "rent_min": 8000, "rent_max": 20000},
                                  {"area_max": 120, "facilities": ["排烟"], "transfer_fee_max": 0},
                                  {"distance_km": 5, "keyword": "转让"}])
async def test_nearby_matches_brute_force_with_distances(seeded, filt):
    http, shops = seeded
    filt = {**filt, **HERE}
    expected = brute_force_shops(shops, 2, filt, clock.now())
    assert expected
    ids, total, items = await walk(http, 2, filt)
    assert total == len(expected)
    assert ids == expected
    distances = [item["distance"] for item in items]
    assert distances == sorted(distances)
    if filt.get("distance_km"):
        assert all(d <= filt["distance_km"] * 1000 + 1 for d in distances)


async def test_items_show_the_stored_values(seeded):
    http, shops = seeded
    by_id = {shop.id: shop for shop in shops}
    _, _, items = await walk(http, 3, {})
    for item in items:
        shop = by_id[item["id"]]
        assert (item["area_m2"], item["rent_month"], item["transfer_fee"]) == \
            (shop.area_tenths / 10, shop.rent_month, shop.transfer_fee)
        assert item["frontage_m"] == (None if shop.frontage_tenths is None else shop.frontage_tenths / 10)
        assert item["create_at"] == clock.fmt(shop.create_at)
        assert "location" not in item and "rank_time" not in item and "held" not in item
