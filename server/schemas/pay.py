"""Request bodies of the money path: paid top and refresh (seed section 二), vouchers (section 三), orders."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from sections.fields import BizType, Body, Id, Money, integer
from sections.posting_bodies import PageBody

OrderNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32,
                                           pattern=r"^[A-Za-z0-9_-]+$")]


class VoucherBuyBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"price": 3.99, "contact_voucher_num": 1}]})

    price: Money = Field(description="价格（元），须等于 /pay/prices 中的价格")
    contact_voucher_num: integer(ge=1, le=10_000) = Field(description="联系券数量，取 /pay/prices 中的一项")


class OrderNoBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"order_no": "TOP202601101520151234567890"}]})

    order_no: OrderNo


class DevConfirmBody(OrderNoBody):
    pass


class VoucherRecordsBody(PageBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"page_num": 1, "page_size": 2}]})


class ContactCostBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "purpose_id": 2, "purpose_type": 1, "purpose_user_id": 301, "purpose_user_name": "段先生",
        "purpose_user_phone": "15039021712"}]})

    purpose_id: Id = Field(description="信息 id：招聘信息（purpose_type 1）、求职卡片（2）或招租信息（3）的 id")
    purpose_type: BizType = Field(1, description="1=招聘、2=求职、3=招租（栏目的 biz_type）")
    # The seed's body also names the employer (purpose_user_*): not declared, so ignored whatever it
    # holds; the server reads the employer from the posting.
