"""What every section's posting actions read besides the posting's id (`<target>_id`): a report's reason,
a paid top's hours and price, a paid refresh's price. A section's body is its id body plus one of these."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from models.moderation import REPORT_REASONS
from server.schemas.fields import Body, Money, integer

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
