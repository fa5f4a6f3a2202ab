"""`Section`: one declaration per section of the mini-program, and the registry the shared core reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runtime.errors import DomainError
from search.section import IndexedSection


TIME = "Asia/Shanghai 时间 YYYY-MM-DD HH:MM:SS.mmm；无则为 \"\""


class Data(BaseModel):
    """An answer's `data` (or part of it), as the API document shows it. Closed (extra="forbid"): a field a
    service starts to send without declaring it here makes the document untrue, and the tests that check
    real responses against the document fail. A section's items are built from these (posting_shapes)."""

    model_config = ConfigDict(extra="forbid")


class UnsignedItem(Data):
    """What every section's item (the listing's and the detail's) starts with: the fields every posting's
    document has (search/documents.py), as the shared mapper shows them, but the owner's id. A section's
    item adds its own; one whose postings are people (`Section.shows_owner` False: a worker's card) starts
    here, so its items cannot join the person's other postings by their account."""

    id: int
    biz_type: int = Field(description="1=招聘、2=求职、3=招租")
    status: int = Field(description="1 发布中、2 已关闭")
    longitude: float
    latitude: float
    address: str
    contact: str
    description: str
    photo_urls: list[str]
    first_area_id: int | None
    first_area_des: str
    second_area_id: int | None
    second_area_des: str
    third_area_id: int | None
    third_area_des: str
    four_area_id: int | None
    four_area_des: str
    create_at: str = Field(description=TIME)
    update_at: str = Field(description=TIME)
    last_refresh_time: str = Field(description=TIME)
    top_start_time: str = Field(description=TIME)
    top_end_time: str = Field(description=TIME)
    is_top: int = Field(description="1 置顶中（top_end_time 未到）、0 否")
    contact_unlocked: bool = Field(description="contact 是否完整：自己发布的、已用联系券解锁的为 true，其余打码")


class PostingItem(UnsignedItem):
    """An item that names its owner's account, as the seed's jobs do."""

    user_id: int


HIGHLIGHT = Field(None, description=(
    "仅当有搜索关键词时出现：匹配到的公开字段 → 该字段中匹配的文字，匹配处以 <em>…</em> 标出，其余 HTML 转义"
    "（描述为匹配处前后的片段，列表字段为匹配的各项）。如 {\"positions\": [\"<em>厨师</em>\"]}"))


class MinePosting(Data):
    """What every section's "my postings" item (`/jobs/my`) starts with; the seed's example names the owner,
    the contact name and number purpose_user_*."""

    id: int
    biz_type: int
    address: str
    purpose_user_id: int = Field(description="发布者 id")
    purpose_user_name: str = Field(description="联系人")
    purpose_user_phone: str = Field(description="联系电话")
    status: int
    is_top: int
    create_at: str = Field(description=TIME)
    update_at: str = Field(description=TIME)
    last_refresh_time: str = Field(description=TIME)
    top_start_time: str = Field(description=TIME)
    top_end_time: str = Field(description=TIME)
    moderation: str = Field(description='"" 正常；"hidden" 被多人举报（或内容安全检测），暂时下架待处理；"taken_down" 被运营下架')
    moderation_reason: str = Field(description='下架原因（moderation 非空时），如 "reported by 3 users"、运营填写的理由')
    photo_held: bool = Field(description="图片未通过内容安全检测已被移除：修改后重新上架")


class SavedPosting(Data):
    """What every section's favourite item (`/collect/my`) has besides its `<target>_id` and its own fields."""

    first_area_des: str
    second_area_des: str
    third_area_des: str
    address: str
    create_at: str = Field(description=TIME)
    is_top: int
    last_refresh_time: str = Field(description=TIME)
    status: int
    collect_at: str = Field(description="收藏时间，" + TIME)
    unavailable: bool = Field(description="已关闭而不公开，或已被下架（举报隐藏或运营下架）：只保留 id、时间与状态，内容不再展示")


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
    # Where GET /pay/prices shows its top and refresh prices ("": the top level, as jobs first had them) and
    # the settings naming them (price_<key>_top, price_<key>_refresh).
    price_key: str = ""
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
