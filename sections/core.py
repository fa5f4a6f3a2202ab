"""`Section`: one declaration per section of the mini-program, and the registry the shared core reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from runtime.errors import DomainError
from search.section import IndexedSection


TIME = "Asia/Shanghai 时间 YYYY-MM-DD HH:MM:SS.mmm；无则为 \"\""


class Data(BaseModel):
    """An answer's `data` (or part of it), as the API document shows it. Closed (extra="forbid"): a field a
    service starts to send without declaring it here makes the document untrue, and the tests that check
    real responses against the document fail. A section's items are built from these (posting_shapes)."""

    model_config = ConfigDict(extra="forbid")


class UnknownSection(DomainError):
    """No section is registered under this biz_type or name."""


@dataclass(frozen=True, eq=False, kw_only=True)
class Section(IndexedSection):
    """Everything that differs between two sections; the rest of the house is shared.

    `model` is the Tortoise model of its postings: it has the shared posting fields (models/postings.py) and
    its own. `target` names one posting in the moderation audit and in errors ("job"); `title` is how order
    descriptions and operators call the section (招聘). `texts` are the published texts WeChat's content
    security checks (tags joined). `contact_name` is the field holding the name shown with the phone number;
    `summary` the fields a contact history item shows of a posting.
    `derived` and `exact_location` (search.section) are how a person's card shows an age and a rounded place.

    Its items, as the API document declares them: `item` (the detail; the listing's item is `listed`, built
    from the document by the shared mapper, a test keeping the two in step), `mine` ("my postings") and
    `favorite` ("my favourites"), whose items are built field by field from these models.
    """

    model: type
    target: str
    title: str
    texts: tuple[str, ...]
    item: type[Data]
    listed: type[Data]
    mine: type[Data]
    favorite: type[Data]
    contact_name: str = "contact_person_name"
    summary: Callable[[Any], dict] = field(default=lambda posting: {})
    # Where GET /pay/prices shows its top and refresh prices ("": the top level, as jobs first had them) and
    # the settings naming them (price_<key>_top, price_<key>_refresh).
    price_key: str = ""
    # A closed posting's detail stays public (a favourite can say "closed"), unless it is a person's card:
    # then it is its owner's only, as a withheld one (404 to others, unavailable in their lists).
    closed_is_private: bool = False


_BY_BIZ_TYPE: dict[int, Section] = {}
_BY_NAME: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Make a section known to the shared core; idempotent."""
    known = _BY_BIZ_TYPE.get(section.biz_type)
    if known is not None and known is not section:
        raise ValueError(f"biz_type {section.biz_type} is already the section {known.name!r}")
    _BY_BIZ_TYPE[section.biz_type] = _BY_NAME[section.name] = section
    return section


def unregister(section: Section) -> None:
    """For tests that register a section of their own."""
    _BY_BIZ_TYPE.pop(section.biz_type, None)
    _BY_NAME.pop(section.name, None)


def by_biz_type(biz_type: int) -> Section:
    try:
        return _BY_BIZ_TYPE[biz_type]
    except KeyError:
        raise UnknownSection(f"no section with biz_type {biz_type}", {"biz_type": biz_type}) from None


def served(biz_type: int) -> Section | None:
    """The section of a biz_type if this release serves it: lists of a section not open yet are empty."""
    return _BY_BIZ_TYPE.get(biz_type)


def by_name(name: str) -> Section:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownSection(f"no section named {name!r} (known: {', '.join(_BY_NAME)})") from None


def all_sections() -> list[Section]:
    return sorted(_BY_BIZ_TYPE.values(), key=lambda section: section.biz_type)
