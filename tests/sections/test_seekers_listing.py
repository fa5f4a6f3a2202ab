"""`POST /seekers/list` against brute force over a seeded set of 求职 cards, walked page by page through the API:
every list type × each documented filter alone (at the cards' own edges), in combinations, and matching nothing."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
import pytest_asyncio

from indexer.reindex import reindex
from sections.seekers.samples import random_seekers
from models.seeker import Seeker
from models.user import User
from runtime import clock
from sections.seekers import SEEKERS
from tests.helpers.api import reset_state
from tests.helpers.reference import arc_distance_m, brute_force_seekers, listing_agrees, published_point

SEEDED_CARDS = 300
PAGE = 20
# Pinned: ages are this year's, and the data is the same every run.
NOW = datetime(2026, 3, 2, 10, 0)

NOTHING = [{"positions": "不存在的岗位"}, {"first_area_id": 32, "third_area_id": 310106}, {"keyword": "王师傅"}]
FILTERS = [
    {},
    {"positions": "厨师"},  # contained in 厨师长 and 厨师助理 too
    {"positions": "面点师"},
    {"salary_min": 8000},  # a card's salary_max is 8000 (test_the_seeded_cards_reach_every_edge)
    {"salary_max": 6000},  # a card's salary_min is 6000
    {"salary_min": 7000, "salary_max": 9000},
    {"salary_min": 12000, "salary_max": -1},
    {"salary_max": -1},  # no maximum: no salary filter at all
    {"sex": 1},
    {"sex": 2},
    {"age_min": 40},  # cards of exactly 40, 25 and 33 exist
    {"age_max": 25},
    {"age_min": 33, "age_max": 33},
    {"age_min": 16, "age_max": 80},
    {"experience_min": 10},  # cards of exactly 10 years exist
    {"experience_min": 50},
    {"first_area_id": 32},
    {"second_area_id": 3101},
    {"third_area_id": 310106},
    {"four_area_id": 310104003},
    {"positions": "厨师", "salary_min": 6000, "salary_max": 10000, "age_min": 25, "age_max": 50},
    {"sex": 2, "experience_min": 5, "third_area_id": 310106},
    {"positions": "服务员", "sex": 1, "age_max": 40, "first_area_id": 31, "salary_max": -1},
    # The search box: a character, an area name, two words, a text only in the name (never searched).
    {"keyword": "面"},
    {"keyword": "天平路"},
    {"keyword": "静安 厨师", "sex": 1},
    {"keyword": "吃苦"},
    {"keyword": "王师傅"},
    *NOTHING,
]
HERE = {"longitude": 121.4737, "latitude": 31.2304}
# Radii whose circle splits cards whose exact point and published point lie on either side of it: the list
# must go by the published one.
RADII = [3, 5]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def seeded(server):
    app, base_url = server
    await reset_state(app)
    clock.travel_to(NOW)
    try:
        now = clock.now()
        await User.bulk_create([User(openid=f"seeker-{i}", create_at=now, update_at=now)
                                for i in range(SEEDED_CARDS)])
        owners = await User.filter(openid__startswith="seeker-").order_by("id").values_list("id", flat=True)
        await Seeker.bulk_create(random_seekers(SEEDED_CARDS, owners, now=now), batch_size=500)
        await reindex(app.ctx.search.client, SEEKERS)
        cards = await Seeker.all()
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            yield http, cards
    finally:
        clock.reset()


async def walk(http, query_type: int, filt: dict) -> tuple[list[int], list[dict]]:
    """Every page of one list, checking each page's total against the first one's."""
    ids, items, totals, page = [], [], set(), 1
    while True:
        response = await http.post("/seekers/list", json={"query_type": query_type, "filter": filt,
                                                           "page_num": page, "page_size": PAGE})
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        totals.add(data["total"])
        items += data["seekers"]
        ids += [card["id"] for card in data["seekers"]]
        if len(data["seekers"]) < PAGE:
            break
        page += 1
    [total] = totals
    assert total == len(ids) == len(set(ids))
    return ids, items


def listable(cards: list[Seeker]) -> list[Seeker]:
    return [card for card in cards if card.status == 1 and not card.photo_held]


@pytest.mark.parametrize("filt", FILTERS)
@pytest.mark.parametrize("query_type", [1, 3])
async def test_recommended_and_latest_match_brute_force(seeded, query_type, filt):
    http, cards = seeded
    expected = brute_force_seekers(cards, query_type, filt, clock.now())
    assert bool(expected) != (filt in NOTHING)  # the seeded cards exercise the filter
    ids, items = await walk(http, query_type, filt)
    assert listing_agrees(ids, expected, query_type, filt.get("keyword"), cards, clock.now())
    by_id = {card.id: card for card in cards}
    assert [item["age"] for item in items] == [NOW.year - by_id[i].birth_year for i in ids]


@pytest.mark.parametrize("filt", FILTERS + [{"distance_km": km} for km in RADII]
                         + [{"distance_km": 4, "positions": "厨师", "salary_min": 8000, "age_max": 45}])
async def test_nearby_matches_brute_force_with_the_published_distance(seeded, filt):
    http, cards = seeded
    nothing = filt in NOTHING
    filt = {**filt, **HERE}
    expected = brute_force_seekers(cards, 2, filt, clock.now())
    assert bool(expected) != nothing
    ids, items = await walk(http, 2, filt)
    assert ids == expected
    by_id = {card.id: card for card in cards}
    for item in items:
        longitude, latitude = published_point(by_id[item["id"]])
        assert (item["longitude"], item["latitude"]) == (longitude, latitude)
        assert item["distance"] == round(arc_distance_m(HERE["latitude"], HERE["longitude"], latitude, longitude))


async def test_the_seeded_cards_reach_every_edge(seeded):
    """The filters above sit on the cards' own values, so an off-by-one or a lost 面议 card shows."""
    _, cards = seeded
    shown = listable(cards)
    ages = {NOW.year - card.birth_year for card in shown}
    assert {16, 25, 33, 40, 80} <= ages
    assert 8000 in {c.salary_max for c in shown} and 6000 in {c.salary_min for c in shown}
    assert {7000, 9000} <= {c.salary_min for c in shown} | {c.salary_max for c in shown}
    assert 10 in {c.experience_years for c in shown}
    assert any(c.salary_min == -1 for c in shown)
    assert any("厨师" not in c.positions and any("厨师" in p for p in c.positions) for c in shown)
    assert any(c.four_area_id is None for c in shown)
    # A card halfway between two grid lines (the published point's rounding tie).
    assert any(c.longitude * 400 % 2 == 1 and c.latitude * 400 % 2 == 1 for c in shown)
    assert any(c.status != 1 for c in cards) and any(c.photo_held and c.status == 1 for c in cards)


@pytest.mark.parametrize("km", RADII)
async def test_the_radius_splits_exact_and_published_points(seeded, km):
    """Some card is in by its exact point and out by its published one, and one the other way round: a
    filter on the exact point would list other cards (and let a narrowing radius measure the exact point)."""
    _, cards = seeded

    def within(longitude, latitude) -> bool:
        return arc_distance_m(HERE["latitude"], HERE["longitude"], float(latitude), float(longitude)) <= km * 1000

    sides = {(within(c.longitude, c.latitude), within(*published_point(c))) for c in listable(cards)}
    assert {(True, False), (False, True)} <= sides
