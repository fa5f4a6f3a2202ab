"""The pieces of every section's request bodies: the fields every posting has (contact, description, photos),
the paged lists and the list body every section's list starts from (the search box, the nearby point), and what
every section's posting actions read besides the posting's id (`<target>_id`): a report's reason,
a paid top's hours and price, a paid refresh's price. A section's body is its id body plus one of these."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from models.moderation import REPORT_REASONS
from search.keywords import MAX_KEYWORD_LENGTH, normalized, words_of
from search.listing import RESULT_WINDOW
from sections.fields import (
    AreaId,
    BizType,
    Body,
    HttpUrlText,
    Id,
    Latitude,
    Longitude,
    Money,
    PageNum,
    PageSize,
    choice,
    integer,
    number,
    text,
)

PRICES = "/pay/prices 中该栏目的价格（招聘：顶层 top、refresh；求职：seeker；招租：shop）"


class Reporting(Body):
    reason: Literal[REPORT_REASONS] = Field(
        description="fraud 诈骗、false_information 虚假信息、discrimination 歧视、other 其他")
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = Field(
        "", description="补充说明（可选，最多 500 字）")


class TopOrder(Body):
    top_hour: integer(ge=1, le=10_000) = Field(description="置顶时长（小时），取 " + PRICES + " 的 top 中的一项")
    price: Money = Field(description="价格（元），须等于" + PRICES)


class RefreshOrder(Body):
    price: Money = Field(description="价格（元），须等于" + PRICES)


class SomethingToChange(Body):
    """Mixed into an update body after its section's fields, whose `changes()` gives the fields to change: one
    with nothing to change besides its id is a mistake, not a no-op."""

    @model_validator(mode="after")
    def _something(self):
        if not self.changes():
            raise ValueError("give at least one field to change besides id")
        return self


MAX_PHOTOS = 4

# A mainland mobile, or a landline with area code (010-12345678, 0755 1234567, optional extension).
CONTACT_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}([- ]\d{1,6})?)$"

Contact = Annotated[str, StringConstraints(strip_whitespace=True, pattern=CONTACT_PATTERN)]
Description = Annotated[str, StringConstraints(max_length=2000)]
BIZ_TYPE_DOC = "1=招聘、2=求职、3=招租"


def split_photo_urls(value):
    """The seed sends photo_urls as a list, a list holding one comma-joined string, or a plain string."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return value  # let pydantic report the wrong type
    urls = []
    for item in value:
        if not isinstance(item, str):
            return value
        urls.extend(part.strip() for part in item.split(","))
    return [url for url in urls if url]


PhotoUrls = Annotated[list[HttpUrlText], BeforeValidator(split_photo_urls), Field(max_length=MAX_PHOTOS)]



class PageBody(Body):
    page_num: PageNum = 1
    page_size: PageSize = 10

    @property
    def offset(self) -> int:
        return (self.page_num - 1) * self.page_size


class BizPageBody(PageBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"biz_type": 1, "page_num": 1, "page_size": 2}]})

    biz_type: BizType = Field(1, description=BIZ_TYPE_DOC)


NEARBY_NEEDS = "query_type = 2 时为必须参数"


def _request_id_text(value):
    # The mini-program may send a number; a boolean is neither.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def keyword_rule(value: str) -> str:
    # The limit is the normalised keyword's: invisible characters and repeated spaces do not count.
    if len(normal := normalized(value)) > MAX_KEYWORD_LENGTH:
        raise ValueError(f"a keyword has at most {MAX_KEYWORD_LENGTH} characters")
    if not words_of(normal):
        raise ValueError("a keyword needs a letter, digit or character")
    return normal


Keyword = Annotated[text(max_length=4 * MAX_KEYWORD_LENGTH), AfterValidator(keyword_rule)]
KEYWORD_RULES = (
    f"搜索关键词（规范化后最多 {MAX_KEYWORD_LENGTH} 字；空为不搜索）。全角半角、大小写不区分，不可见字符忽略。"
    "按词匹配：不加空格也会切分成词（“长沙厨师”＝长沙 + 厨师），每个词都须匹配；词可通过行业同义词（大厨≈厨师，"
    "面点≈白案，转让≈出兑）、拼音（chushi、cs）或一字之差的错字（收营员→收银员，排在正确的词之后）匹配；"
    "单个汉字或词典外的字串按连续字匹配（“厨”可找到“厨师”）；城市/区县名只匹配地址与地区。"
    "数字表示字段：月薪8000、8k、8千 为薪资范围包含该数（招聘、求职）；50平、50㎡ 为面积 ±20%（招租）；"
    "10年、10年经验 为工作经验至少 10 年（求职）；女/男（如 女服务员）为求职者性别（求职）。排序：推荐（query_type 1）置顶在前，其后按相关度"
    "（岗位/标题 > 标签 > 描述 > 地址），再按刷新时间；附近与最新仍按距离、时间排序。有关键词时每项带 highlight。")


class PlaceFilter(Body):
    """What every section's list filter has: the search box, and the nearby list's point and radius."""

    # Zero-width spaces in "138\u200b0013..." go before any other rule sees the keyword.
    format_is_dropped: ClassVar[frozenset[str]] = frozenset({"keyword"})

    keyword: Keyword | None = Field(None, description=KEYWORD_RULES)
    longitude: Longitude | None = Field(None, description=NEARBY_NEEDS)
    latitude: Latitude | None = Field(None, description=NEARBY_NEEDS)
    distance_km: number(gt=0, le=1000) | None = Field(None, description="附近：最大距离（公里）")

    # A section's filter names its ranges: each `<range>_min` may not exceed its `<range>_max` when both are
    # given; a `salary_max` of -1 is no maximum.
    ranges: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _ranges_in_order(self):
        for name in self.ranges:
            low, high = getattr(self, f"{name}_min"), getattr(self, f"{name}_max")
            if name == "salary" and high == -1:
                continue
            if low is not None and high is not None and low > high:
                raise ValueError(f"{name}_min must not exceed {name}_max"
                                 + (" (-1 means no maximum)" if name == "salary" else ""))
        return self



class AreaFilter(PlaceFilter):
    """A list filter that also narrows to the mini-program's areas (province, city, district, street)."""

    first_area_id: AreaId | None = Field(None, description="地区（省/直辖市）id")
    second_area_id: AreaId | None = Field(None, description="地区（市）id")
    third_area_id: AreaId | None = Field(None, description="地区（区县）id")
    four_area_id: AreaId | None = Field(None, description="地区（街道/商圈）id")


class VerifiedFilter(Body):
    """The list filter of a section whose postings carry their owner's verified business (`verified_label`)."""

    verified_only: bool | None = Field(None, description="true：只看营业执照已认证的发布者")


class ListBody(PageBody):
    """What every section's list body has: the request id, the list type and the page."""

    request_id: Annotated[text(max_length=64), BeforeValidator(_request_id_text)] | None = Field(
        None, description="原样返回")
    query_type: choice(1, 2, 3) = Field(1, description="列表类型 1、推荐，2、附近、3、最新")
    filter: PlaceFilter = Field(default_factory=PlaceFilter)  # each section's list body names its own
    cursor: text(min_length=1, max_length=512) | None = Field(
        None, description=f"翻页游标：上一页响应中的 cursor（有则忽略 page_num，从上一页之后继续）。"
                          f"page_num × page_size 最多 {RESULT_WINDOW}，更深的页须用 cursor")

    @model_validator(mode="after")
    def _nearby_needs_a_place(self):
        if self.query_type == 2 and (self.filter.longitude is None or self.filter.latitude is None):
            raise ValueError("filter.longitude and filter.latitude are required for query_type 2 (nearby)")
        if self.cursor is None and self.page_num * self.page_size > RESULT_WINDOW:
            raise ValueError(f"page too deep: page_num * page_size may be at most {RESULT_WINDOW}; to go further, "
                             f"send the cursor of the previous page's answer (data.cursor) instead of page_num")
        return self


@dataclass(frozen=True)
class ActionBodies:
    """The bodies of a section's posting actions: its id alone (`{"<target>_id": 7}`: close, refresh, info,
    collect), and with a report, a paid top or a paid refresh."""

    id: type[Body]
    report: type[Body]
    top: type[Body]
    paid_refresh: type[Body]


def _body(name: str, bases: tuple[type, ...], example: dict | list[dict], **fields) -> type[Body]:
    examples = example if isinstance(example, list) else [example]
    namespace = {"__module__": __name__, "__qualname__": name, "__annotations__": {},
                 "model_config": ConfigDict(json_schema_extra={"examples": examples})}
    for field_name, (annotation, info) in fields.items():
        namespace["__annotations__"][field_name] = annotation
        namespace[field_name] = info
    return type(name, bases, namespace)


@cache
def action_bodies(target: str, id_text: str, example_id: int, top_example: tuple[int, Decimal],
                  refresh_price: Decimal, report_example: str) -> ActionBodies:
    """Made once per section from its declaration: named after its target (JobIdBody, ShopReportBody...)."""
    stem, field = target.title(), f"{target}_id"
    ident = _body(f"{stem}IdBody", (Body,), [{field: example_id}, {field: str(example_id)}],
                  **{field: (Id, Field(description=f"{id_text}（数字或数字字符串）"))})
    hours, price = top_example
    return ActionBodies(
        id=ident,
        report=_body(f"{stem}ReportBody", (ident, Reporting),
                     {field: example_id, "reason": "false_information", "text": report_example}),
        top=_body(f"{stem}TopBody", (ident, TopOrder), {field: example_id, "top_hour": hours, "price": float(price)}),
        paid_refresh=_body(f"{stem}PaidRefreshBody", (ident, RefreshOrder),
                           {field: example_id, "price": float(refresh_price)}),
    )
