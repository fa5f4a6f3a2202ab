"""A section is a declaration, not a fork: one registered by a test (tests/helpers/gig_section.py) is written,
indexed, listed, shown, unlocked, favourited, reindexed and checked by the shared core as it stands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indexer.check import check
from indexer.reindex import reindex
from indexer.sync import drain
from models.job import Job
from models.posting_writes import create_posting
from runtime import clock
from sections import all_sections, by_biz_type
from sections.core import register, unregister
from search.index import ensure_alias
from search.listing import LATEST, NEARBY, RECOMMENDED, ListingRequest, search_listing
from search.recent_pages import forget_pages
from server.services import contacts, favorites, postings
from tests.helpers.api import login_as
from tests.helpers.gig_section import GIGS


@pytest.fixture
async def gigs(app):
    """The gigs section registered for one test, with a fresh index; gone afterwards."""
    register(GIGS)
    engine = app.ctx.search.client
    await engine.indices.delete(index="gigs_v*", allow_no_indices=True, expand_wildcards="all")
    await ensure_alias(engine, GIGS)
    try:
        yield GIGS
    finally:
        unregister(GIGS)
        await engine.indices.delete(index="gigs_v*", allow_no_indices=True, expand_wildcards="all")


async def post_gig(owner_id: int, pay: int, longitude: float = 121.47) -> Job:
    return await create_posting(Job, clock.now(), biz_type=GIGS.biz_type, user_id=owner_id, positions="",
                                longitude=Decimal(str(longitude)), latitude=Decimal("31.23"), address=f"{pay} 号",
                                contact="13800138000", description="搬家帮手", salary_min=0, salary_max=pay)


async def listed(app, req: ListingRequest) -> list[dict]:
    forget_pages()
    items, _ = await search_listing(app.ctx.search.listing_client, GIGS, req, clock.now())
    return items


async def test_a_section_registered_by_a_test_is_served_by_the_shared_core(client, app, gigs):
    assert by_biz_type(9) is GIGS and GIGS in all_sections()
    owner = int((await login_as(client, "gig-owner"))["user_id"])
    worker = int((await login_as(client, "gig-worker"))["user_id"])
    high, low = await post_gig(owner, 300, longitude=121.48), await post_gig(owner, 100)
    engine = app.ctx.search.client
    await drain(engine)  # the outbox rows of biz_type 9 go to the gigs alias

    # Listed by the shared sorts with the section's own filter; items in the section's declared shape.
    assert [item["id"] for item in await listed(app, ListingRequest(query_type=LATEST))] == [low.id, high.id]
    (only,) = await listed(app, ListingRequest(query_type=RECOMMENDED, wanted={"min_pay": 200}))
    assert only["id"] == high.id and only["pay"] == 300 and only["biz_type"] == 9
    assert set(only) | {"contact_unlocked"} == set(GIGS.item.model_fields)
    nearby = await listed(app, ListingRequest(query_type=NEARBY, longitude=121.47, latitude=31.23, distance_km=5))
    assert [item["id"] for item in nearby] == [low.id, high.id] and nearby[0]["distance"] == 0
    # Never in another section's listing.
    assert (await client.post("/jobs/list", json={"query_type": 3})).json()["data"]["total"] == 0

    # The detail, masked until unlocked, then unlocked by a contact of purpose_type 9.
    shown = await postings.detail(GIGS, high.id, worker, masking=True)
    assert set(shown) == set(GIGS.item.model_fields) and shown["contact"] == "138****8000"
    assert (await contacts.contact(worker, 9, high.id, charge=False))["phone"] == "13800138000"
    assert (await postings.detail(GIGS, high.id, worker, masking=True))["contact"] == "13800138000"
    (called,) = (await contacts.contacted_by_me(worker, 9, 0, 10))["list"]
    assert called["id"] == high.id and called["purpose_user_phone"] == "13800138000"

    # Favourited by (biz_type, id), shaped by the section's favourite model.
    await favorites.collect(GIGS, worker, high.id)
    (saved,) = (await favorites.my_favorites(worker, 9, 0, 10))["list"]
    assert set(saved) == set(GIGS.favorite.model_fields) and saved["gig_id"] == high.id
    assert (await favorites.my_favorites(worker, 1, 0, 10))["total"] == 0
    (mine,) = [item for item in (await postings.my_postings(owner, 9, 0, 10))["contacts"] if item["id"] == high.id]
    assert set(mine) == set(GIGS.mine.model_fields)

    # Closed through the shared write path: the drainer takes it out of the listing.
    await postings.close(GIGS, owner, low.id)
    await drain(engine)
    assert [item["id"] for item in await listed(app, ListingRequest(query_type=LATEST))] == [high.id]

    # The operator's tools work on it: a reindex into gigs_v2, and a check that finds no drift.
    assert await reindex(engine, GIGS) == "gigs_v2"
    drift = await check(engine, GIGS)
    assert drift.clean and (await engine.count(index="gigs"))["count"] == 2
    assert (await engine.count(index="jobs"))["count"] == 0
