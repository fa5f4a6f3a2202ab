"""Request bodies of seed section 二 (jobs) and the paged "my" lists."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator

from server.schemas.fields import Address, AreaDes, AreaId, Body, HttpUrlText, Latitude, Longitude

MAX_PHOTOS = 4
MAX_SALARY = 10_000_000

# A mainland mobile, or a landline with area code (010-12345678, 0755 1234567, optional extension).
CONTACT_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}([- ]\d{1,6})?)$"

Positions = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, pattern=CONTACT_PATTERN)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Salary = Annotated[int, Field(ge=0, le=MAX_SALARY)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
TagList = Annotated[list[Tag], Field(max_length=20)]
BizType = Literal[1, 2, 3]


def _split_photo_urls(value):
    """The seed sends photo_urls as a list, a list holding one comma-joined string, or a plain string."""
    if value is None:
        return []
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


PhotoUrls = Annotated[list[HttpUrlText], BeforeValidator(_split_photo_urls), Field(max_length=MAX_PHOTOS)]


def _job_id(value):
    # The seed sends job_id both as a number and as a numeric string.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a job id (a positive integer)")
    return value


JobId = Annotated[int, BeforeValidator(_job_id), Field(ge=1, le=2**63 - 1)]


def _dedupe(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


class JobFields(Body):
    """Every writable field; create requires some of them, update takes any subset."""

    positions: Positions | None = None
    longitude: Longitude | None = None
    latitude: Latitude | None = None
    address: Annotated[Address, StringConstraints(min_length=1)] | None = None
    contact: Contact | None = None
    user_name: PersonName | None = None
    description: Description | None = None
    photo_urls: PhotoUrls | None = None
    first_area_id: AreaId | None = None
    first_area_des: AreaDes | None = None
    second_area_id: AreaId | None = None
    second_area_des: AreaDes | None = None
    third_area_id: AreaId | None = None
    third_area_des: AreaDes | None = None
    four_area_id: AreaId | None = None
    four_area_des: AreaDes | None = None
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    basic_protection: TagList | None = None
    salary_benefits: TagList | None = None
    attendance_leave: TagList | None = None

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
        sent = {key: value for key, value in sent.items() if value is not None or key == "photo_urls"}
        if "photo_urls" in sent and sent["photo_urls"] is None:
            sent["photo_urls"] = []
        if "user_name" in sent:
            sent["contact_person_name"] = sent.pop("user_name")
        return sent


class CreateJobBody(JobFields):
    biz_type: Literal[1] = 1
    positions: Positions
    longitude: Longitude
    latitude: Latitude
    address: Annotated[Address, StringConstraints(min_length=1)]
    contact: Contact
    salary_min: Salary
    salary_max: Salary


class UpdateJobBody(JobFields):
    id: JobId

    @model_validator(mode="after")
    def _something(self):
        if not self.changes():
            raise ValueError("give at least one field to change besides id")
        return self


class JobIdBody(Body):
    job_id: JobId


class PageBody(Body):
    page_num: Annotated[int, Field(ge=1, le=10_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=50)] = 10

    @property
    def offset(self) -> int:
        return (self.page_num - 1) * self.page_size


class BizPageBody(PageBody):
    biz_type: BizType = 1
