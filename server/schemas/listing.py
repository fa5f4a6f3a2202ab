"""The body of `POST /jobs/list`."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from search.keywords import MAX_KEYWORD_LENGTH, normalized, words_of
from search.listing import RESULT_WINDOW
from server.schemas.fields import (
    MAX_SALARY,
    AreaId,
    Body,
    BizType,
    Latitude,
    Longitude,
    Positions,
    TagList,
    choice,
    integer,
    number,
    text,
)
from server.schemas.jobs import PageBody

NEARBY_NEEDS = "query_type = 2 时为必须参数"


def _request_id_text(value):
    # The mini-program may send a number; a boolean is neither.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _keyword(value: str) -> str:
    # The limit is the normalised keyword's: invisible characters and repeated spaces do not count.
    if len(normal := normalized(value)) > MAX_KEYWORD_LENGTH:
        raise ValueError(f"a keyword has at most {MAX_KEYWORD_LENGTH} characters")
    if not words_of(normal):
        raise ValueError("a keyword needs a letter, digit or character")
    return normal


Keyword = Annotated[text(max_length=4 * MAX_KEYWORD_LENGTH), AfterValidator(_keyword)]
KEYWORD_RULES = (
    f"搜索关键词（规范化后最多 {MAX_KEYWORD_LENGTH} 字；空为不搜索）。全角半角、大小写不区分，不可见字符忽略。"
    "按词匹配：不加空格也会切分成词（“长沙厨师”＝长沙 + 厨师），每个词都须匹配；词可通过行业同义词（大厨≈厨师，"
    "面点≈白案，转让≈出兑）、拼音（chushi、cs）或一字之差的错字（收营员→收银员，排在正确的词之后）匹配；"
    "单个汉字或词典外的字串按连续字匹配（“厨”可找到“厨师”）；城市/区县名只匹配地址与地区。"
    "数字表示字段：月薪8000、8k、8千 为薪资范围包含该数（招聘、求职）；50平、50㎡ 为面积 ±20%（招租）；"
    "10年、10年经验 为工作经验至少 10 年（求职）；女/男（如 女服务员）为求职者性别（求职）。排序：推荐（query_type 1）置顶在前，其后按相关度"
    "（岗位/标题 > 标签 > 描述 > 地址），再按刷新时间；附近与最新仍按距离、时间排序。有关键词时每项带 highlight。")


class SuggestQuery(Body):
    """`GET /search/suggest`'s query string."""

    format_is_dropped: ClassVar[frozenset[str]] = frozenset({"prefix"})  # as the keyword's

    biz_type: BizType = Field(description="栏目：1 招聘、2 求职、3 招租")
    prefix: Annotated[text(min_length=1, max_length=4 * MAX_KEYWORD_LENGTH), AfterValidator(_keyword)] = Field(
        description=f"搜索框里已输入的文字（规范化后最多 {MAX_KEYWORD_LENGTH} 字）；也可以是拼音或拼音首字母（chu、cs）")


class PlaceFilter(Body):
    """What every section's list filter has: the search box, and the nearby list's point and radius."""

    # Zero-width spaces in "138\u200b0013..." go before any other rule sees the keyword.
    format_is_dropped: ClassVar[frozenset[str]] = frozenset({"keyword"})

    keyword: Keyword | None = Field(None, description=KEYWORD_RULES)
    longitude: Longitude | None = Field(None, description=NEARBY_NEEDS)
    latitude: Latitude | None = Field(None, description=NEARBY_NEEDS)
    distance_km: number(gt=0, le=1000) | None = Field(None, description="附近：最大距离（公里）")


def salary_in_order(salary_min: int | None, salary_max: int | None) -> None:
    if salary_min is not None and salary_max not in (None, -1) and salary_min > salary_max:
        raise ValueError("salary_min must not exceed salary_max (-1 means no maximum)")


class ListFilter(PlaceFilter):
    positions: Positions | None = Field(None, description="岗位（包含匹配）")
    salary_min: integer(ge=0, le=MAX_SALARY) | None = Field(None, description="期望薪资下限")
    salary_max: integer(ge=-1, le=MAX_SALARY) | None = Field(None, description="期望薪资上限，-1 时为无限大")
    basic_protection: TagList = Field([], description="基础保障：须包含每一项")
    salary_benefits: TagList = Field([], description="薪酬福利：须包含每一项")
    attendance_leave: TagList = Field([], description="考勤休假：须包含每一项")
    first_area_id: AreaId | None = Field(None, description="地区（省/直辖市）id")
    second_area_id: AreaId | None = Field(None, description="地区（市）id")
    third_area_id: AreaId | None = Field(None, description="地区（区县）id")
    four_area_id: AreaId | None = Field(None, description="地区（街道/商圈）id")

    @model_validator(mode="after")
    def _salary_order(self):
        salary_in_order(self.salary_min, self.salary_max)
        return self


class ListBody(PageBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "request_id": "1234567", "query_type": 1,
        "filter": {"positions": "厨师长", "salary_min": 8000, "salary_max": 20000, "basic_protection": ["社保", "公积金"],
                   "salary_benefits": ["节日福利"], "attendance_leave": [], "longitude": 116.397128,
                   "latitude": 39.916527},
        "page_num": 1, "page_size": 2}]})

    request_id: Annotated[text(max_length=64), BeforeValidator(_request_id_text)] | None = Field(
        None, description="原样返回")
    query_type: choice(1, 2, 3) = Field(1, description="列表类型 1、推荐，2、附近、3、最新")
    filter: ListFilter = Field(default_factory=ListFilter, description="筛选：岗位、薪资范围、基础保障、薪酬福利、考勤休假、地区、关键词")

    @model_validator(mode="after")
    def _nearby_needs_a_place(self):
        if self.query_type == 2 and (self.filter.longitude is None or self.filter.latitude is None):
            raise ValueError("filter.longitude and filter.latitude are required for query_type 2 (nearby)")
        if self.page_num * self.page_size > RESULT_WINDOW:
            raise ValueError(f"page too deep: page_num * page_size may be at most {RESULT_WINDOW}")
        return self
