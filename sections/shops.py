"""招租 (biz_type 3): shops to let (出租) or to transfer (转让). The whole declaration of the section; its routes
are server/routes/shops.py, its bodies server/schemas/shops.py, its rules server/services/shops.py.

A shop is a business, not a person: its place is published exact (as a job's), and a closed shop's detail stays
public (a favourite can say it is gone), its number its owner's only.

面议 (rent_month 0) is "ask", not "free": a rent filter keeps 面议 shops in whatever its bounds (they may well
fit), and no list sorts by rent. A transfer fee of 0 is truly none, so `transfer_fee_max` counts it as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from pydantic import Field

from models.shop import BIZ_SHOP, DEAL_RENT, DEAL_TRANSFER, RENT_NEGOTIABLE, Shop
from sections.core import HIGHLIGHT, MinePosting, PostingItem, SavedPosting, Section, register
from search.documents import AREA_DES, AREA_IDS, area_names, posting_document
from search.keywords import word_fields



# The deal type as the list shows it: a search for 转让 finds a transfer whatever its title says.
DEAL_WORDS = {DEAL_RENT: "出租", DEAL_TRANSFER: "转让"}


def tenths(value: int | None) -> float | None:
    """A stored length or area in tenths (1234) as the API shows it (123.4)."""
    return None if value is None else value / 10


def shop_document(shop: Shop) -> dict:
    document = posting_document(shop)
    document.update(
        title=shop.title,
        deal_type=shop.deal_type,
        area_m2=tenths(shop.area_tenths),
        rent_month=shop.rent_month,
        transfer_fee=shop.transfer_fee,
        industry=list(shop.industry or []),
        floor=shop.floor,
        frontage_m=tenths(shop.frontage_tenths),
        facilities=list(shop.facilities or []),
        contact_name=shop.contact_name,
        # The search box's words: every published text and tag but the contact's name.
        **word_fields(title=[shop.title], tags=[DEAL_WORDS.get(shop.deal_type), *(shop.industry or []),
                                                *(shop.facilities or [])],
                      text=[shop.description], place=[shop.address, shop.floor, *area_names(shop)]),
    )
    return document


def shop_filters(wanted: Mapping[str, Any], now_iso: str) -> list[dict]:
    """`/shops/list`'s filter: deal type; rent a month within the bounds (面议 shops always in); area in m²
    within the bounds; a transfer fee of at most the given (0, none, included); suited to the trade; every
    facility asked for; in the given areas. Every bound is inclusive."""
    clauses: list[dict] = []
    if (deal_type := wanted.get("deal_type")) is not None:
        clauses.append({"term": {"deal_type": deal_type}})
    rent: dict[str, int] = {}
    if (rent_min := wanted.get("rent_min")) is not None:
        rent["gte"] = rent_min
    if (rent_max := wanted.get("rent_max")) is not None:
        rent["lte"] = rent_max
    if rent:
        clauses.append({"bool": {"should": [{"range": {"rent_month": rent}},
                                            {"term": {"rent_month": RENT_NEGOTIABLE}}],
                                 "minimum_should_match": 1}})
    area: dict[str, float] = {}
    if (area_min := wanted.get("area_min")) is not None:
        area["gte"] = area_min
    if (area_max := wanted.get("area_max")) is not None:
        area["lte"] = area_max
    if area:
        clauses.append({"range": {"area_m2": area}})
    if (fee_max := wanted.get("transfer_fee_max")) is not None:
        clauses.append({"range": {"transfer_fee": {"lte": fee_max}}})
    if industry := wanted.get("industry"):
        clauses.append({"term": {"industry": industry}})
    for facility in wanted.get("facilities") or ():
        clauses.append({"term": {"facilities": facility}})
    for area_id in AREA_IDS:
        if (value := wanted.get(area_id)) is not None:
            clauses.append({"term": {area_id: value}})
    return clauses


RENT_DOC = "月租金（元/月，整数）；0 为面议（不是免费）"
FEE_DOC = "转让费（元，整数）；0 为无转让费"
AREA_DOC = "面积（平方米，一位小数）"


class ShopItem(PostingItem):
    """A shop as the listing and the detail show it."""

    biz_type: int = Field(description="3=招租")
    status: int = Field(description="1 招租中、2 已关闭")
    title: str = Field(description="标题")
    deal_type: int = Field(description="1 出租、2 转让")
    area_m2: float = Field(description=AREA_DOC)
    rent_month: int = Field(description=RENT_DOC)
    transfer_fee: int = Field(description=FEE_DOC)
    industry: list[str] = Field(description="适合业态（1–5 个）")
    floor: str = Field(description="楼层，如 1层、B1；未填为 \"\"")
    frontage_m: float | None = Field(description="门宽（米，一位小数）；未填为 null")
    facilities: list[str] = Field(description="配套设施")
    contact_name: str = Field(description="联系人")
    address: str = Field(description="店铺地址")


class ListedShop(ShopItem):
    distance: int | None = Field(None, description="附近列表（query_type 2）：距离，米")
    highlight: dict[str, list[str]] | None = HIGHLIGHT


class MyShop(MinePosting):
    """One of my shops in `/jobs/my` (biz_type 3)."""

    title: str
    deal_type: int = Field(description="1 出租、2 转让")
    rent_month: int = Field(description=RENT_DOC)
    transfer_fee: int = Field(description=FEE_DOC)


class ShopFavorite(SavedPosting):
    """A saved shop in `/collect/my` (biz_type 3)."""

    shop_id: int
    title: str
    deal_type: int = Field(description="1 出租、2 转让")
    rent_month: int = Field(description=RENT_DOC)
    transfer_fee: int = Field(description=FEE_DOC)
    unavailable: bool = Field(description="已被下架（举报隐藏或运营下架）：只保留 shop_id、时间与状态，内容不再展示")


SHOPS = register(Section(
    name="shops",
    biz_type=BIZ_SHOP,
    mapping=files("es_mappings") / "shops.json",
    document=shop_document,
    filters=shop_filters,
    model=Shop,
    target="shop",
    title="招租",
    # Every text a shop publishes (industry and facilities are tags of a fixed vocabulary: nothing to check).
    texts=("title", "floor", "description", "address", "contact_name", "first_area_des", "second_area_des",
           "third_area_des", "four_area_des"),
    contact_name="contact_name",
    # A contact history item names a shop by its title (no positions): see ShopContactHistoryItem.
    summary=lambda shop: {"title": shop.title, "address": shop.address},
    item=ShopItem,
    listed=ListedShop,
    mine=MyShop,
    favorite=ShopFavorite,
    price_key="shop",
    keyword_numbers=("area",),
    suggested="industry",
    highlighted=("title", "industry", "facilities", "description", "address", "floor", *AREA_DES),
))
