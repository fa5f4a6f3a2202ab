"""Bodies and answers of blocking (`/user/block`, `/user/unblock`, `/user/blocks`) and of a posting's figures
(`/posting/stats`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from sections.fields import BizType, Body, Id, integer
from sections.items import TIME, Data
from sections.posting_bodies import BIZ_TYPE_DOC
from server.services.posting_stats import MAX_DAYS


class BlockBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"user_id": 42}]})

    user_id: Id = Field(description="要屏蔽（或解除屏蔽）的用户 id")


class BlockedUser(Data):
    user_id: int
    name: str = Field(description="昵称")
    avatar: str
    create_at: str = Field(description="屏蔽时间，" + TIME)


class BlockList(Data):
    list: Annotated[list[BlockedUser], Field(description="我屏蔽的用户，最近的在前")]
    total: int


class StatsBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"biz_type": 1, "id": 42, "days": 30}]})

    biz_type: BizType = Field(description=BIZ_TYPE_DOC)
    id: Id = Field(description="信息 id（须为自己发布的）")
    days: integer(ge=1, le=MAX_DAYS) = Field(7, description=f"最近几天（含今天），1–{MAX_DAYS}")


class DayFigures(Data):
    day: str = Field(description="日期（Asia/Shanghai）YYYY-MM-DD")
    views: int = Field(description="看过详情的人数（登录用户，每人每天计一次，不含自己）")
    favorites: int = Field(description="被收藏次数")
    contacts: int = Field(description="电话被解锁次数")
    impressions: int = Field(description="在列表页中出现的次数")


class PostingStatsSeries(Data):
    biz_type: int
    id: int
    days: int
    series: list[DayFigures] = Field(description="每天一项，最早的在前（约一分钟内的数据）")
