"""The jobs section's item shapes, as the API document declares them."""

from __future__ import annotations


from pydantic import Field

from sections.items import HIGHLIGHT, VERIFIED, MinePosting, PostingItem, SavedPosting, Verified



class JobItem(PostingItem):
    """A job as the listing and the detail show it."""

    biz_type: int = Field(description="1=招聘、2=求职、3=招租")
    status: int = Field(description="1 招聘中、2 已关闭")
    positions: str
    contact_person_name: str
    salary_min: int
    salary_max: int
    basic_protection: list[str]
    salary_benefits: list[str]
    attendance_leave: list[str]
    verified: Verified | None = VERIFIED


class ListedJob(JobItem):
    distance: int | None = Field(None, description="附近列表（query_type 2）：距离，米")
    highlight: dict[str, list[str]] | None = HIGHLIGHT


class MyPosting(MinePosting):
    positions: str
    salary_min: int
    salary_max: int


class FavoriteItem(SavedPosting):
    job_id: int
    positions: str
    salary_min: int
    salary_max: int


