"""Request bodies of the 招聘 section (seed section 二): a job to post or change, and its list filter."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from sections.fields import (
    MAX_SALARY,
    AreaFields,
    Address,
    Id,
    Latitude,
    Longitude,
    PersonName,
    Positions,
    Salary,
    TagList,
    choice,
    integer,
)
from sections.posting_bodies import (
    Contact,
    Description,
    ListBody,
    PhotoUrls,
    AreaFilter,
    VerifiedFilter,
    SomethingToChange,
)


def _dedupe(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


class JobFields(AreaFields):
    """Every writable field; create requires some of them, update takes any subset."""

    blank_is_value: ClassVar[frozenset[str]] = frozenset({"photo_urls"})

    positions: Positions | None = Field(None, description="岗位，如 服务员、厨师长")
    longitude: Longitude | None = None
    latitude: Latitude | None = None
    address: Annotated[Address, StringConstraints(min_length=1)] | None = None
    contact: Contact | None = Field(None, description="联系电话：手机号或带区号的座机")
    user_name: PersonName | None = Field(None, description="联系人姓名（默认为发布者的昵称）")
    description: Description | None = None
    photo_urls: PhotoUrls | None = Field(
        None, description='图片链接：数组、含逗号拼接字符串的数组或逗号拼接的字符串；"" 为清空，最多 4 张')
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    basic_protection: TagList | None = Field(None, description="基础保障，如 社保、公积金")
    salary_benefits: TagList | None = Field(None, description="薪酬福利，如 节日福利")
    attendance_leave: TagList | None = Field(None, description="考勤休假")

    _tags = field_validator("basic_protection", "salary_benefits", "attendance_leave")(
        lambda tags: _dedupe(tags) if tags is not None else None
    )

    @model_validator(mode="after")
    def _salary_order(self):
        if self.salary_min is not None and self.salary_max is not None and self.salary_min > self.salary_max:
            raise ValueError("salary_min must not exceed salary_max")
        return self

    def changes(self) -> dict:
        """The fields the client sent, as model columns (user_name is the job's contact_person_name)."""
        sent = self.model_dump(exclude_unset=True, exclude={"id", "job_id"})
        if "user_name" in sent:
            sent["contact_person_name"] = sent.pop("user_name")
        return sent


class CreateJobBody(JobFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "positions": "服务员", "longitude": 116.397128, "latitude": 39.916527,
        "address": "北京市朝阳区三里屯太古里北区B1层XX餐厅", "contact": "13812341234",
        "description": "【工作内容】点单、上菜、收银协助；\n【要求】18-35岁，能适应晚班；\n【待遇】5000-6500元/月，包吃住，月休4天。",
        "photo_urls": ["https://cdn.xxx.com/job/1173/1.jpg,https://cdn.xxx.com/job/1173/2.jpg"],
        "first_area_id": 11, "first_area_des": "北京市", "second_area_id": 1101, "second_area_des": "北京市",
        "third_area_id": 110105, "third_area_des": "朝阳区", "four_area_id": 110105001, "four_area_des": "三里屯",
        "salary_min": 8000, "salary_max": 20000}]})

    biz_type: choice(1) = Field(1, description="1=招聘（求职卡片用 /seeker/create）")
    positions: Positions = Field(description="岗位，如 服务员、厨师长")
    longitude: Longitude
    latitude: Latitude
    address: Annotated[Address, StringConstraints(min_length=1)]
    contact: Contact = Field(description="联系电话：手机号或带区号的座机")
    salary_min: Salary
    salary_max: Salary


class UpdateJobBody(JobFields, SomethingToChange):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 39, "positions": "收银员", "longitude": 116.3974, "latitude": 39.9093, "address": "北京市朝阳区建国路88号",
        "contact": "13800138000", "description": "连锁餐饮店招聘服务员，包吃住，有经验者优先。", "photo_urls": "",
        "first_area_id": 1, "second_area_id": 101, "third_area_id": 1001, "user_name": "张老板",
        "first_area_des": "北京市", "second_area_des": "朝阳区", "third_area_des": "建外街道",
        "salary_min": 8000, "salary_max": 20000}]})

    id: Id = Field(description="必填参数：要修改的招聘信息 id")


class JobListFilter(AreaFilter, VerifiedFilter):
    ranges: ClassVar[tuple[str, ...]] = ("salary",)

    positions: Positions | None = Field(None, description="岗位（包含匹配）")
    salary_min: integer(ge=0, le=MAX_SALARY) | None = Field(None, description="期望薪资下限")
    salary_max: integer(ge=-1, le=MAX_SALARY) | None = Field(None, description="期望薪资上限，-1 时为无限大")
    basic_protection: TagList = Field([], description="基础保障：须包含每一项")
    salary_benefits: TagList = Field([], description="薪酬福利：须包含每一项")
    attendance_leave: TagList = Field([], description="考勤休假：须包含每一项")



class JobListBody(ListBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "request_id": "1234567", "query_type": 1,
        "filter": {"positions": "厨师长", "salary_min": 8000, "salary_max": 20000, "basic_protection": ["社保", "公积金"],
                   "salary_benefits": ["节日福利"], "attendance_leave": [], "longitude": 116.397128,
                   "latitude": 39.916527},
        "page_num": 1, "page_size": 2}]})

    filter: JobListFilter = Field(default_factory=JobListFilter, description="筛选：岗位、薪资范围、基础保障、薪酬福利、考勤休假、地区、关键词")
