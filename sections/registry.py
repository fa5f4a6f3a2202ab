"""`Section`: one declaration per section of the mini-program, and the registry the shared core reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from models.db import add_models, drop_models
from runtime.errors import DomainError
from search.section import IndexedSection
from sections.items import Data


class UnknownSection(DomainError):
    """No section is registered under this biz_type or name."""


@dataclass(frozen=True, kw_only=True)
class SectionApi:
    """A section's HTTP face, from which server/routes/postings.py makes every route of the section:
    `/<target>/create`, `/<name>/update`, `/<name>/list` with these bodies, and the posting actions (close,
    refresh, top, paid refresh, info, collect, cancel_collect, report) with bodies made from the target
    (sections/posting_bodies.py). The texts are its API document's words."""

    create: type[BaseModel]
    update: type[BaseModel]
    listing: type[BaseModel]
    noun: str  # 招聘信息, 求职卡片: in every summary
    owner: str  # who acts on their own posting (商家, 求职者)
    browser: str  # who saves and reports it (用户, 商家)
    id_text: str  # how the id field describes the id (招聘信息 id)
    example_id: int
    create_summary: str
    update_summary: str
    list_summary: str
    create_note: str = ""
    update_note: str = "只改带上的字段；\"\" 或 null 表示不修改（photo_urls 为 \"\" 时清空照片）。"
    list_note: str = ""
    detail_note: str = ""
    report_example: str = "信息与实际不符"
    cancel_paths: tuple[str, ...] = ()  # /<target>/cancel_collect, unless the seed spells it otherwise


@dataclass(frozen=True)
class Prices:
    """A section's default prices in yuan (settings' POSTING_PRICES may change them): hours → top, one paid refresh."""

    top: dict[int, Decimal]
    refresh: Decimal


@dataclass(frozen=True, eq=False, kw_only=True)
class Section(IndexedSection):
    """Everything that differs between two sections; the rest of the house is shared.

    `model` is the Tortoise model of its postings: it has the shared posting fields (models/postings.py) and
    its own. `target` names one posting in the moderation audit and in errors ("job"); `title` is how order
    descriptions and operators call the section (招聘). `texts` are the published texts WeChat's content
    security checks (tags joined). `contact_name` is the field holding the name shown with the phone number;
    `summary` the fields a contact history item shows of a posting.
    `derived` (search.section) is how a person's card shows an age.

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
    api: SectionApi
    prices: Prices
    # Where GET /pay/prices shows its prices ("": the top level, as jobs first had them).
    price_key: str = ""
    # Its own rules beyond its bodies': `prepare(user_id, fields)` completes or refuses a new posting's fields
    # (PostingRuleBroken), `check_edit(posting, changes)` an edit of one.
    prepare: Callable[[int, dict], Awaitable[None]] | None = None
    check_edit: Callable[[Any, dict], None] | None = None
    # Seeded random postings, unsaved (tests, benchmarks, the demo board): (count, owner ids, seed) → rows.
    samples: Callable[[int, Sequence[int], int], list] | None = None
    # The migrations package of a section whose table is not in models/migrations: its model is then a
    # database app of its own, named after the section (models/db.py).
    migrations: str | None = None
    # The field an order's answer (/order/info) names its posting by besides posting_id, if the seed has one.
    order_field: str | None = None
    # A closed posting's detail stays public (a favourite can say "closed"), unless it is a person's card:
    # then it is its owner's only, as a withheld one (404 to others, unavailable in their lists).
    closed_is_private: bool = False
    # One open posting per user (a worker's one card): a second is refused naming the first, and an operator's
    # restore cannot make two.
    one_open_per_user: bool = False
    # Whether others see the owner's account id (the seed's `user_id`, `purpose_user_id`). Not on a person's
    # card: the sequential id would join it to that person's shop post, address and name included.
    shows_owner: bool = True
    # Stored fields shown to others in another form, as (posting) → {field: shown value}: a card's typed
    # address is its owner's, others see its area names. The index holds the shown form only.
    shown_to_others: Callable[[Any], dict] = field(default=lambda posting: {})
    # The letter a share code's scene names the section by (`j42`: job 42); "": its postings are not shared.
    share_letter: str = ""


_BY_BIZ_TYPE: dict[int, Section] = {}
_BY_NAME: dict[str, Section] = {}
_BY_SHARE_LETTER: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Make a section known to the shared core; idempotent."""
    known = _BY_BIZ_TYPE.get(section.biz_type)
    if known is not None and known is not section:
        raise ValueError(f"biz_type {section.biz_type} is already the section {known.name!r}")
    known = _BY_NAME.get(section.name)
    if known is not None and known is not section:
        raise ValueError(f"a section named {section.name!r} is already registered (biz_type {known.biz_type})")
    if section.share_letter:
        if len(section.share_letter) != 1 or not section.share_letter.isascii() or not section.share_letter.islower():
            raise ValueError(f"{section.name}: a share letter is one lowercase ASCII letter")
        known = _BY_SHARE_LETTER.get(section.share_letter)
        if known is not None and known is not section:
            raise ValueError(f"share letter {section.share_letter!r} is already the section {known.name!r}")
        _BY_SHARE_LETTER[section.share_letter] = section
    _BY_BIZ_TYPE[section.biz_type] = _BY_NAME[section.name] = section
    add_models(section.model.__module__, app=section.name if section.migrations else None,
               migrations=section.migrations)
    return section


def unregister(section: Section) -> None:
    """For tests that register a section of their own."""
    _BY_BIZ_TYPE.pop(section.biz_type, None)
    _BY_NAME.pop(section.name, None)
    if _BY_SHARE_LETTER.get(section.share_letter) is section:
        del _BY_SHARE_LETTER[section.share_letter]
    drop_models(section.model.__module__)


def by_biz_type(biz_type: int) -> Section:
    try:
        return _BY_BIZ_TYPE[biz_type]
    except KeyError:
        raise UnknownSection(f"no section with biz_type {biz_type}", {"biz_type": biz_type}) from None


def served(biz_type: int) -> Section | None:
    """The section of a biz_type if this release serves it: lists of a section not open yet are empty."""
    return _BY_BIZ_TYPE.get(biz_type)


def by_share_letter(letter: str) -> Section | None:
    """The section a share code's scene names by `letter`, if any."""
    return _BY_SHARE_LETTER.get(letter)


def by_name(name: str) -> Section:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownSection(f"no section named {name!r} (known: {', '.join(_BY_NAME)})") from None


def all_sections() -> list[Section]:
    return sorted(_BY_BIZ_TYPE.values(), key=lambda section: section.biz_type)
