"""The seekers section's index document and list filters."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.seeker import SALARY_NEGOTIABLE, Seeker
from runtime import clock
from search.contains import contains, substrings_of
from search.documents import AREA_DES, AREA_IDS, POSITION_PARTS, area_names, posting_document
from search.keywords import word_fields

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
        **{POSITION_PARTS: substrings_of(card.positions or [])},  # the positions filter's field
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
        clauses.append(contains(POSITION_PARTS, positions))
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


