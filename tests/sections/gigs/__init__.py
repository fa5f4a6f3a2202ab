"""零工 gigs (biz_type 9): a section that exists only in tests, kept outside sections/ and loaded by the setting
SECTION_PACKAGES=tests.sections.gigs, to prove that a section is its own package and nothing else: its model
and migration (model.py, migrations/: a database app of its own), mapping (mapping.json), document, filter,
bodies, items, prices, texts and the words of its routes are all here, and no shared file names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from search.documents import area_names, posting_document
from search.keywords import word_fields
from sections.fields import Address, AreaFields, Id, Latitude, Longitude, PersonName, integer, one_line
from sections.items import HIGHLIGHT, MinePosting, PostingItem, SavedPosting
from sections.posting_bodies import Contact, Description, ListBody, PlaceFilter, SomethingToChange
from sections.registry import Prices, Section, SectionApi, register
from tests.sections.gigs.model import BIZ_GIG, Gig

Pay = integer(ge=1, le=10_000)


def gig_document(gig: Gig) -> dict:
    return {**posting_document(gig), "title": gig.title, "pay": gig.pay, "contact_name": gig.contact_name,
            **word_fields(title=[gig.title], tags=[], text=[gig.description],
                          place=[gig.address, *area_names(gig)])}


def gig_filters(wanted: Mapping[str, Any], now_iso: str) -> list[dict]:
    return [{"range": {"pay": {"gte": wanted["min_pay"]}}}] if wanted.get("min_pay") is not None else []


class GigFields(AreaFields):
    title: one_line(max_length=40) | None = Field(None, description="标题，如 周末宴席帮厨")
    pay: Pay | None = Field(None, description="日薪（元）")
    description: Description | None = None
    contact: Contact | None = None
    contact_name: PersonName | None = None
    longitude: Longitude | None = None
    latitude: Latitude | None = None
    address: Annotated[Address, StringConstraints(min_length=1)] | None = None

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude={"id"})


class CreateGigBody(GigFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "周末宴席帮厨", "pay": 300, "description": "周六中午，管一顿饭。", "contact": "13812341234",
        "contact_name": "王师傅", "longitude": 121.47, "latitude": 31.23, "address": "上海市静安区南京西路1号"}]})

    title: one_line(max_length=40) = Field(description="标题，如 周末宴席帮厨")
    pay: Pay = Field(description="日薪（元）")
    contact: Contact
    contact_name: PersonName
    longitude: Longitude
    latitude: Latitude
    address: Annotated[Address, StringConstraints(min_length=1)]


class UpdateGigBody(GigFields, SomethingToChange):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 5, "pay": 350}]})

    id: Id = Field(description="要修改的零工 id")


class GigListFilter(PlaceFilter):
    min_pay: Pay | None = Field(None, description="日薪下限（元，含）")


class GigListBody(ListBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"query_type": 3, "filter": {"min_pay": 200}}]})

    filter: GigListFilter = Field(default_factory=GigListFilter, description="筛选：日薪下限；附近：经纬度与距离")


class GigItem(PostingItem):
    title: str
    pay: int
    contact_name: str


class ListedGig(GigItem):
    distance: int | None = Field(None, description="附近列表（query_type 2）：距离，米")
    highlight: dict[str, list[str]] | None = HIGHLIGHT


class MyGig(MinePosting):
    title: str
    pay: int


class GigFavorite(SavedPosting):
    gig_id: int
    title: str
    pay: int


GIGS = register(Section(
    name="gigs",
    share_letter="g",  # share codes' scenes: g42
    biz_type=BIZ_GIG,
    mapping=Path(__file__).with_name("mapping.json"),
    document=gig_document,
    filters=gig_filters,
    model=Gig,
    migrations="tests.sections.gigs.migrations",
    target="gig",
    title="零工",
    texts=("title", "description", "address", "contact_name"),
    contact_name="contact_name",
    summary=lambda gig: {"title": gig.title, "address": gig.address},
    item=GigItem,
    listed=ListedGig,
    mine=MyGig,
    favorite=GigFavorite,
    price_key="gig",
    highlighted=("title", "description", "address"),
    api=SectionApi(
        create=CreateGigBody, update=UpdateGigBody, listing=GigListBody,
        noun="零工信息", owner="发布者", browser="用户", id_text="零工 id", example_id=5,
        create_summary="发布零工", update_summary="修改零工", list_summary="零工列表"),
    prices=Prices(top={12: Decimal("0.50"), 24: Decimal("0.90")}, refresh=Decimal("0.30")),
))
