"""求职 (biz_type 2): workers' own cards. The whole declaration of the section; its routes are
server/routes/seekers.py, its bodies server/schemas/seekers.py, its rules server/services/seekers.py.

A card is a person, not a shop (PIPL): its place is indexed and published rounded to a grid of about 500 m, and
the nearby list filters, sorts and measures its distance on that point alone. The exact point stays in the
database: were it in the index, a radius search (distance_km narrowed step by step) would measure it to the
metre. A closed card is its owner's only (`closed_is_private`). Others never see the owner's account id
(`shows_owner`), nor the typed address: the index and every item shown to others hold the card's area names
(province, city, district) in its place; the text stays the owner's ("my postings", their own detail).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from importlib.resources import files
from typing import Any

from pydantic import Field

from models.seeker import BIZ_SEEKER, SALARY_NEGOTIABLE, Seeker
from runtime import clock
from sections.core import HIGHLIGHT, MinePosting, SavedPosting, Section, UnsignedItem, register
from search.documents import AREA_DES, AREA_IDS, area_names, posting_document
from search.keywords import word_fields
from search.listing import wildcard_escape

# The published point's grid: 0.005° is 556 m of latitude (and 430-500 m of longitude in mainland China).
GRID_DEGREES = Decimal("0.005")


def rounded(degrees: Decimal | float) -> float:
    """A coordinate on the published grid: the nearest multiple of GRID_DEGREES."""
    cells = (Decimal(str(degrees)) / GRID_DEGREES).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(cells * GRID_DEGREES)


def _area_text(names) -> str:
    return "".join(dict.fromkeys(name for name in list(names)[:3] if name))


def card_area(card: Seeker) -> str:
    """What a card publishes of where the worker is: its area names, province to district (上海市静安区)."""
    return _area_text(area_names(card))


def shown_to_others(card: Seeker) -> dict:
    return {"address": card_area(card)}


def seeker_document(card: Seeker) -> dict:
    document = posting_document(card)
    published = {"lat": rounded(card.latitude), "lon": rounded(card.longitude)}
    # user_id stays in the document (it recognises the owner's own card in a list) but no item shows it.
    document.update(shown_to_others(card))
    document.update(
        location=published,  # the nearby list's filter and sort: never the exact point
        longitude=published["lon"],
        latitude=published["lat"],
        name=card.name,
        sex=card.sex,
        birth_year=card.birth_year,
        positions=list(card.positions or []),
        salary_min=card.salary_min,
        salary_max=card.salary_max,
        experience_years=card.experience_years,
        available=card.available,
        # The search box's words: what the worker wants and says, and the area names; never name or phone.
        **word_fields(title=card.positions or [], tags=[card.available], text=[card.description],
                      place=area_names(card)),
    )
    return document


def _year(now_iso: str) -> int:
    # The app passes its clock's time; an operator's `dsl` command leaves the engine's "now".
    return int(now_iso[:4]) if now_iso[:4].isdigit() else clock.now().year


def seeker_filters(wanted: Mapping[str, Any], now_iso: str) -> list[dict]:
    """`/seekers/list`'s filter. A card wants a position containing the text; its expected salary range
    overlaps the offered one (a 面议 card stays in: it negotiates); sex; age in whole years (this year minus
    the birth year) between the bounds; at least `experience_min` years; in the given areas."""
    clauses: list[dict] = []
    if positions := wanted.get("positions"):
        clauses.append({"wildcard": {"positions": {"value": f"*{wildcard_escape(positions)}*"}}})
    salary: list[dict] = []
    if (salary_min := wanted.get("salary_min")) is not None:
        salary.append({"range": {"salary_max": {"gte": salary_min}}})
    if (salary_max := wanted.get("salary_max")) is not None and salary_max != -1:
        salary.append({"range": {"salary_min": {"lte": salary_max}}})
    if salary:
        clauses.append({"bool": {"should": [{"bool": {"filter": salary}},
                                            {"term": {"salary_min": SALARY_NEGOTIABLE}}],
                                 "minimum_should_match": 1}})
    if (sex := wanted.get("sex")) is not None:
        clauses.append({"term": {"sex": sex}})
    year = _year(now_iso)
    born: dict[str, int] = {}
    if (age_min := wanted.get("age_min")) is not None:
        born["lte"] = year - age_min
    if (age_max := wanted.get("age_max")) is not None:
        born["gte"] = year - age_max
    if born:
        clauses.append({"range": {"birth_year": born}})
    if (experience_min := wanted.get("experience_min")) is not None:
        clauses.append({"range": {"experience_years": {"gte": experience_min}}})
    for area in AREA_IDS:
        if (area_id := wanted.get(area)) is not None:
            clauses.append({"term": {area: area_id}})
    return clauses


def seeker_derived(source: Mapping[str, Any], now_iso: str) -> dict:
    """The age from the birth year, and the place from the area names: a card indexed before cards stopped
    publishing their typed address still shows only its area until it is reindexed."""
    return {"age": _year(now_iso) - source["birth_year"],
            "address": _area_text(source.get(name) for name in AREA_DES)}


SALARY_DOC = "期望月薪（元）；salary_min 与 salary_max 均为 -1 时为面议"


class SeekerItem(UnsignedItem):
    """A card as the listing and the detail show it: no owner's account id."""

    biz_type: int = Field(description="2=求职")
    status: int = Field(description="1 求职中、2 已关闭（已关闭的卡片只有本人能看到）")
    name: str = Field(description="称呼（本人填写，如 王师傅）")
    sex: int = Field(description="1 男、2 女")
    birth_year: int
    age: int = Field(description="今年减出生年份")
    positions: list[str] = Field(description="期望岗位（1–3 个）")
    salary_min: int = Field(description=SALARY_DOC)
    salary_max: int = Field(description=SALARY_DOC)
    experience_years: int = Field(description="工作经验（年）")
    available: str = Field(description="到岗时间：随时、一周内、一月内")
    longitude: float = Field(description="约 500 米精度的位置（不公开精确位置）")
    latitude: float = Field(description="约 500 米精度的位置（不公开精确位置）")
    address: str = Field(description="所在区域：省、市、区名（如 上海市静安区）；本人填写的地址文字只在本人的详情中显示")


class ListedSeeker(SeekerItem):
    distance: int | None = Field(None, description="附近列表（query_type 2）：到卡片公开位置（约 500 米精度）的距离，米")
    highlight: dict[str, list[str]] | None = HIGHLIGHT


class MySeekerCard(MinePosting):
    """One of my cards in `/jobs/my` (biz_type 2)."""

    name: str
    positions: list[str]
    purpose_user_name: str = Field(description="称呼")
    salary_min: int = Field(description=SALARY_DOC)
    salary_max: int = Field(description=SALARY_DOC)


class SeekerFavorite(SavedPosting):
    """A saved card in `/collect/my` (biz_type 2)."""

    seeker_id: int
    address: str = Field(description="所在区域：省、市、区名（不显示本人填写的地址文字）")
    name: str
    positions: list[str]
    salary_min: int = Field(description=SALARY_DOC)
    salary_max: int = Field(description=SALARY_DOC)
    experience_years: int
    unavailable: bool = Field(description="已关闭或已被下架：只保留 seeker_id、时间与状态，内容不再展示")


SEEKERS = register(Section(
    name="seekers",
    biz_type=BIZ_SEEKER,
    mapping=files("es_mappings") / "seekers.json",
    document=seeker_document,
    filters=seeker_filters,
    derived=seeker_derived,
    model=Seeker,
    target="seeker",
    title="求职",
    # Everything a card publishes (the positions joined into one text).
    texts=("name", "positions", "description", "address", "first_area_des", "second_area_des",
           "third_area_des", "four_area_des"),
    contact_name="name",
    summary=lambda card: {"positions": "、".join(card.positions or []), **shown_to_others(card)},
    item=SeekerItem,
    listed=ListedSeeker,
    mine=MySeekerCard,
    favorite=SeekerFavorite,
    price_key="seeker",
    closed_is_private=True,
    one_open_per_user=True,
    shows_owner=False,
    shown_to_others=shown_to_others,
    keyword_numbers=("salary", "experience", "sex"),
    suggested="positions",
    highlighted=("positions", "description", *AREA_DES),
))
