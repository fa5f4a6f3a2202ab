"""The shops section's index document and list filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


from models.shop import DEAL_RENT, DEAL_TRANSFER, RENT_NEGOTIABLE, Shop
from search.documents import AREA_IDS, area_names, posting_document, verified_document
from search.keywords import word_fields





# The deal type as the list shows it: a search for 转让 finds a transfer whatever its title says.
DEAL_WORDS = {DEAL_RENT: "出租", DEAL_TRANSFER: "转让"}


def tenths(value: int | None) -> float | None:
    """A stored length or area in tenths (1234) as the API shows it (123.4)."""
    return None if value is None else value / 10


def shop_document(shop: Shop) -> dict:
    document = posting_document(shop)
    document.update(
        **verified_document(shop),
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


