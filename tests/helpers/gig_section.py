"""A section that exists only in tests (零工 gigs, biz_type 9): declared the way sections/jobs.py declares 招聘,
to show that a new section plugs into the shared core without changing it.

It keeps its postings in the jobs table under its own biz_type (a test cannot add a table to the migrated
schema); everything else is its own: alias `gigs`, mapping (tests/helpers/gigs.json), document, filter
(`min_pay`), texts and item shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from models.job import Job
from sections.core import Data, PostingItem, Section
from search.documents import posting_document


def gig_document(gig: Job) -> dict:
    return {**posting_document(gig), "pay": gig.salary_max}


def gig_filters(wanted: Mapping[str, Any], now_iso: str) -> list[dict]:
    return [{"range": {"pay": {"gte": wanted["min_pay"]}}}] if wanted.get("min_pay") is not None else []


class GigItem(PostingItem):
    pay: int


class ListedGig(GigItem):
    distance: int | None = None


class MyGig(Data):
    id: int
    address: str
    status: int
    is_top: int
    purpose_user_name: str
    create_at: str


class FavoriteGig(Data):
    gig_id: int
    address: str
    description: str
    status: int
    is_top: int
    create_at: str
    collect_at: str
    unavailable: bool


GIGS = Section(
    name="gigs",
    biz_type=9,
    mapping=Path(__file__).with_name("gigs.json"),
    document=gig_document,
    filters=gig_filters,
    model=Job,
    target="gig",
    title="零工",
    texts=("description", "address"),
    item=GigItem,
    listed=ListedGig,
    mine=MyGig,
    favorite=FavoriteGig,
    summary=lambda gig: {"positions": gig.description[:10], "address": gig.address},
)
