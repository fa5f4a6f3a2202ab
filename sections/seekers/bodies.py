"""Request bodies of the 求职 section (a worker's card) and its list."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

from models.seeker import AVAILABLE, SALARY_NEGOTIABLE
from runtime import clock
from sections.fields import (
    one_line,
    split_list,
    AreaFields,
    MAX_SALARY,
    Address,
    Id,
    Latitude,
    Longitude,
    Positions,
    choice,
    integer,
)
from sections.posting_bodies import (
    Contact,
    ListBody,
    PhotoUrls,
    AreaFilter,
    SomethingToChange,
)

MIN_AGE, MAX_AGE = 16, 80  # the legal working age in China; a bound for typos above
MAX_POSITIONS = 3


PositionList = Annotated[list[Positions], BeforeValidator(split_list),
                         Field(min_length=1, max_length=MAX_POSITIONS)]
SeekerSalary = integer(ge=SALARY_NEGOTIABLE, le=MAX_SALARY)
SALARY_DOC = "期望月薪（元）；-1 为面议（两项须同为 -1）"


def _birth_year(age: int) -> int:
    return clock.now().year - age


class SeekerFields(AreaFields):
    """Every writable field of a card; create requires some, update takes any subset."""

    blank_is_value: ClassVar[frozenset[str]] = frozenset({"photo_urls"})

    name: one_line(max_length=20) | None = Field(None, description="称呼，如 王师傅（展示给商家）")
    sex: choice(1, 2) | None = Field(None, description="1 男、2 女")
    birth_year: integer(ge=1900, le=9999) | None = Field(None, description=f"出生年份（或填 age）；年龄须在 {MIN_AGE}–{MAX_AGE} 岁")
    age: integer(ge=MIN_AGE, le=MAX_AGE) | None = Field(None, description="年龄（换算为出生年份保存）")
    positions: PositionList | None = Field(
        None, description="期望岗位 1–3 个：数组，或用逗号、顿号分隔的字符串，如 服务员、厨师")
    salary_min: SeekerSalary | None = Field(None, description=SALARY_DOC)
    salary_max: SeekerSalary | None = Field(None, description=SALARY_DOC)
    experience_years: integer(ge=0, le=50) | None = Field(None, description="工作经验（年）")
    description: Annotated[str, StringConstraints(max_length=1000)] | None = Field(None, description="自我介绍")
    contact: Contact | None = Field(None, description="联系电话：手机号或带区号的座机（解锁前打码）")
    photo_urls: PhotoUrls | None = Field(
        None, description='照片链接（本站上传的）：数组或逗号拼接的字符串；"" 为清空，最多 4 张')
    longitude: Longitude | None = Field(None, description="位置（仅用于附近搜索；对外只显示约 500 米精度）")
    latitude: Latitude | None = None
    address: Annotated[Address, StringConstraints(min_length=1)] | None = Field(None, description="所在区域（文字），如 静安区南京西路")
    available: Literal[AVAILABLE] | None = Field(None, description="到岗时间：随时、一周内、一月内")

    @field_validator("birth_year")
    @classmethod
    def _working_age(cls, year: int | None) -> int | None:
        if year is not None and not _birth_year(MAX_AGE) <= year <= _birth_year(MIN_AGE):
            raise ValueError(f"the age this birth year gives must be {MIN_AGE}-{MAX_AGE}")
        return year

    @model_validator(mode="after")
    def _consistent(self):
        if self.age is not None and self.birth_year is not None and _birth_year(self.age) != self.birth_year:
            raise ValueError("age and birth_year disagree: give one of them")
        negotiable = [v == SALARY_NEGOTIABLE for v in (self.salary_min, self.salary_max) if v is not None]
        if len(negotiable) == 2 and negotiable[0] != negotiable[1]:
            raise ValueError("面议 is salary_min = salary_max = -1: both or neither")
        if not any(negotiable) and len(negotiable) == 2 and self.salary_min > self.salary_max:
            raise ValueError("salary_min must not exceed salary_max")
        return self

    def changes(self) -> dict:
        """The fields the client sent, as model columns (an age becomes the birth year)."""
        sent = self.model_dump(exclude_unset=True, exclude={"id", "age"})
        if self.age is not None:
            sent["birth_year"] = _birth_year(self.age)
        return sent


class CreateSeekerBody(SeekerFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "王师傅", "sex": 1, "birth_year": 1988, "positions": ["厨师", "面点师"],
        "salary_min": 7000, "salary_max": 9000, "experience_years": 8,
        "description": "川菜热菜八年，会面点，能吃苦。", "contact": "13812341234",
        "photo_urls": [], "longitude": 121.4737, "latitude": 31.2304, "address": "上海市静安区",
        "first_area_id": 31, "first_area_des": "上海市", "second_area_id": 3101, "second_area_des": "上海市",
        "third_area_id": 310106, "third_area_des": "静安区", "available": "一周内"}]})

    name: one_line(max_length=20) = Field(description="称呼，如 王师傅（展示给商家）")
    sex: choice(1, 2) = Field(description="1 男、2 女")
    positions: PositionList = Field(description="期望岗位 1–3 个：数组，或用逗号、顿号分隔的字符串")
    contact: Contact = Field(description="联系电话：手机号或带区号的座机（解锁前打码）")
    longitude: Longitude = Field(description="位置（仅用于附近搜索；对外只显示约 500 米精度）")
    latitude: Latitude
    address: Annotated[Address, StringConstraints(min_length=1)] = Field(description="所在区域（文字）")

    @model_validator(mode="after")
    def _age_and_salary_given(self):
        if self.age is None and self.birth_year is None:
            raise ValueError("give birth_year or age")
        if (self.salary_min is None) != (self.salary_max is None):
            raise ValueError("give both salary_min and salary_max (or neither: 面议)")
        return self

    def changes(self) -> dict:
        fields = super().changes()
        if "salary_min" not in fields:
            fields["salary_min"] = fields["salary_max"] = SALARY_NEGOTIABLE
        return fields


class UpdateSeekerBody(SeekerFields, SomethingToChange):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 12, "salary_min": 8000, "salary_max": 10000,
                                                               "available": "随时"}]})

    id: Id = Field(description="必填参数：要修改的求职卡片 id")


class SeekerListFilter(AreaFilter):
    ranges: ClassVar[tuple[str, ...]] = ("salary", "age")

    positions: Positions | None = Field(None, description="期望岗位（包含匹配，任一期望岗位）")
    salary_min: integer(ge=0, le=MAX_SALARY) | None = Field(
        None, description="提供的月薪下限：期望范围与之有交集的卡片（面议的卡片总在内）")
    salary_max: integer(ge=-1, le=MAX_SALARY) | None = Field(None, description="提供的月薪上限，-1 为无限大")
    sex: choice(1, 2) | None = Field(None, description="1 男、2 女")
    age_min: integer(ge=0, le=120) | None = Field(None, description="年龄下限（含；年龄 = 今年 - 出生年份）")
    age_max: integer(ge=0, le=120) | None = Field(None, description="年龄上限（含）")
    experience_min: integer(ge=0, le=50) | None = Field(None, description="最少工作经验（年）")



class SeekerListBody(ListBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "request_id": "1", "query_type": 2,
        "filter": {"positions": "厨师", "salary_min": 6000, "salary_max": 9000, "sex": 1, "age_min": 20,
                   "age_max": 45, "experience_min": 2, "third_area_id": 310106, "longitude": 121.4737,
                   "latitude": 31.2304, "distance_km": 5},
        "page_num": 1, "page_size": 10}]})

    filter: SeekerListFilter = Field(default_factory=SeekerListFilter,
                                     description="筛选：期望岗位、月薪、性别、年龄、经验、区域；附近：经纬度与距离")
