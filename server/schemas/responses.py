"""The `data` of success responses, as pydantic models: only the API document is built from them.

The shapes that hold one part per section (a section's list and created answer, "my postings", "my
favourites", the prices, the hot searches) are made from the registry (the `*_shape` functions), so that a
section's items are declared with it (sections/<name>/items.py) and a new one needs no change here.

Closed (extra="forbid"): a field a service starts to send without documenting it here makes the document
untrue, and the tests that check real responses against the document fail.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import Field, create_model

from sections import Section, all_sections
from search.listing import COUNT_LIMIT
from sections.items import TIME, Data


class ErrorEnvelope(Data):
    """Every error: `code` equals the HTTP status (400 bad input, 401 not logged in, 402 no contact voucher
    left, 403 not yours, 404,
    408 body not received in time, 429 too many requests with Retry-After, 500 with only the request id,
    502 WeChat failed, 503 a dependency unavailable)."""

    code: int = Field(ge=400, le=599, description="等于 HTTP 状态码")
    message: str
    data: Any = Field(description="400: 每个出错字段及原因；500: request_id；其他: 说明或 null")


class UserRef(Data):
    id: int


class Uploaded(Data):
    url: str = Field(description="图片地址：填进 photo_urls 或 avatar")


class LicenceSubmission(Data):
    id: int = Field(description="认证申请 id")
    status: Literal["reading", "pending", "approved", "rejected", "revoked", "expired", "replaced"] = Field(
        description="reading 识别中（微信识别暂不可用，稍后自动重试）、pending 待运营审核、approved 已认证、"
                    "rejected 未通过、revoked 被撤销、expired 执照已过期、replaced 已被新的执照取代")
    registration_number: str = Field(description="识别出的统一社会信用代码/注册号；识别中为 \"\"")
    enterprise_name: str = Field(description="识别出的企业名称；识别中为 \"\"")
    valid_period: str = Field(description="识别出的营业期限，如 \"长期\"")
    reason: str = Field(description="未通过或被撤销的理由；其余为 \"\"")


class MyLicence(Data):
    submission: LicenceSubmission | None = Field(description="最近一次提交；从未提交为 null")


class LoggedIn(Data):
    user_info: UserRef


class Profile(Data):
    user_id: int
    avatar: str
    name: str
    sex: int = Field(description="0 未知、1 男、2 女")
    phone: str


class HotSearch(Data):
    keyword: str = Field(description="关键词（规范化后：半角、小写）")
    count: int = Field(description="近 7 天搜索过它的人数")


class SuggestionList(Data):
    suggestions: list[str] = Field(description="补全建议（最多 10 个）：热门搜索、信息中的岗位/业态、行业词库，前缀匹配的在前")


class Alive(Data):
    status: str = Field(description='"alive"')


class Readiness(Data):
    database: str = Field(description='"ok" 或出错原因')
    cache: str
    search: str = Field(description='"ok"、"unavailable: 原因"，或 "degraded: 原因"（索引别名缺失、指向多个索引或被同名索引占用；索引待同步记录过久）')
    workers: str | None = Field(None, description='仅多 worker（WORKERS>1）时出现："ok" 或未在服务的 worker 名')


class PayParams(Data):
    """What the mini-program passes to wx.requestPayment as is."""

    timeStamp: str
    nonceStr: str
    package: str = Field(description="prepay_id=...")
    signType: str = Field(description='"RSA"')
    paySign: str


class OrderCreated(Data):
    order_id: int
    order_no: str = Field(description="TOP/REF/CV 开头的订单号，支付后用 /order/info 查询")
    amount: float = Field(description="金额（元）")
    pay_params: PayParams


class OrderInfo(Data):
    order_id: int
    order_no: str
    kind: str = Field(description='"top" 置顶、"refresh" 付费刷新、"contact_voucher" 联系券')
    status: str = Field(description='"created" 待支付、"paid" 已支付（已生效）、"closed" 已关闭（未支付）')
    amount: float = Field(description="金额（元）")
    biz_type: int | None = Field(description="置顶、刷新订单：信息所属 1=招聘、2=求职、3=招租；联系券订单为 null")
    posting_id: int | None = Field(description="置顶、刷新订单：信息 id（招聘、求职卡片…）")
    job_id: int | None = Field(description="招聘信息的订单：招聘信息 id（同 posting_id），其他为 null")
    top_hour: int | None
    contact_voucher_num: int | None
    create_at: str = Field(description=TIME)
    expire_at: str = Field(description="未支付订单的关闭时间，" + TIME)
    paid_at: str = Field(description=TIME)
    refunded: float = Field(description="已退款到账的金额（元），未退款为 0")


class TopPrice(Data):
    top_hour: int
    price: float = Field(description="元")


class RefreshPrice(Data):
    price: float = Field(description="元")


class VoucherPrice(Data):
    contact_voucher_num: int
    price: float = Field(description="元")


class PostingPrices(Data):
    top: list[TopPrice]
    refresh: RefreshPrice


class VoucherRecord(Data):
    id: int
    type: str = Field(description='"buy" 购买、"cost" 使用、"gift" 赠送')
    title: str
    change_num: int = Field(description="变动张数：购买为正、使用为负")
    create_at: str = Field(description=TIME)


class VoucherRecords(Data):
    contact_voucher_num: int = Field(description="当前余额（张）")
    list: list[VoucherRecord]
    list_total: int


class ContactAnswer(Data):
    purpose_id: int = Field(description="信息 id（招聘信息、求职卡片或招租信息）")
    purpose_user_id: int = Field(description="发布者 id；求职卡片为 0（不公开求职者的账号）")
    name: str = Field(description="联系人")
    phone: str = Field(description="完整电话")
    contact_voucher_num: int = Field(description="剩余联系券")


class ContactRecord(Data):
    """A contact history item of any section; each adds how it names the posting (`Section.summary`)."""

    contact_id: int = Field(description="这次联系记录的 id")
    address: str
    purpose_user_id: int = Field(description="/out：发布者（求职卡片为 0：不公开求职者的账号）；/in：联系我的人")
    purpose_user_name: str
    purpose_user_phone: str = Field(description="/out：已关闭时为空（同详情）")
    create_at: str = Field(description="联系时间，" + TIME)
    status: int = Field(description="信息状态：1 招聘中（求职中、招租中），2 已关闭")
    unavailable: bool = Field(description="/out：已被下架（举报隐藏或运营下架）：只保留 id 与联系时间，内容与电话不再展示")


class ContactHistoryItem(ContactRecord):
    id: int = Field(description="信息 id：招聘信息（用于 /jobs/info）或求职卡片（用于 /seekers/info）")
    positions: str = Field(description="岗位；求职卡片为期望岗位，用“、”连接")


class ShopContactHistoryItem(ContactRecord):
    """biz_type 3: a shop is named by its title (it has no positions)."""

    id: int = Field(description="店铺 id（用于 /shops/info）")
    title: str = Field(description="招租标题")


class ContactHistoryList(Data):
    list: Annotated[list[ContactHistoryItem | ShopContactHistoryItem],
                    Field(description="biz_type 1、2：岗位（positions）与地址（求职卡片为省、市、区名）；3：店铺标题（title）与地址")]
    total: int


# Made from the registry: one model per section (or per set of sections), named as the document shows it.

def _union(models: list[type[Data]]) -> Any:
    return models[0] if len(models) == 1 else Union[tuple(models)]  # noqa: UP007 (a runtime union of classes)


def _stem(section: Section) -> str:
    return section.target.title()  # Job, Seeker, Shop


@cache
def created_shape(section: Section) -> type[Data]:
    return create_model(f"{_stem(section)}Created", __base__=Data,
                        id=(int, Field(description=f"新{section.api.noun}的 id")))


@cache
def list_shape(section: Section) -> type[Data]:
    return create_model(f"{_stem(section)}List", __base__=Data, **{section.name: (list[section.listed], ...)},
                        total=(int, Field(description=f"符合条件的总数；最多数到 {COUNT_LIMIT}，超过时为下限")),
                        total_relation=(Literal["eq", "gte"], Field(
                            "eq", description=f"eq：total 为准确总数；gte：总数超过 {COUNT_LIMIT}，total 为下限")),
                        cursor=(str | None, Field(None, description="下一页的翻页游标（放入下一次请求的 cursor）；"
                                                                    "没有下一页时为 null")),
                        request_id=(str | None, Field(None, description="请求体中的 request_id，原样返回")))


def _biz_types(sections: tuple[Section, ...], with_id: bool = False) -> str:
    return "；".join(f"biz_type {section.biz_type}：{section.api.noun}" + (f"（{section.target}_id）" if with_id else "")
                    for section in sections)


@cache
def _mine_shape(sections: tuple[Section, ...]) -> type[Data]:
    return create_model("MyPostings", __base__=Data, contacts=(
        list[_union([section.mine for section in sections])], Field(description=_biz_types(sections))),
        total=(int, ...))


def mine_shape() -> type[Data]:
    """`/jobs/my`: one section's postings, in its `mine` shape (the seed calls the list `contacts`)."""
    return _mine_shape(tuple(all_sections()))


@cache
def _favorites_shape(sections: tuple[Section, ...]) -> type[Data]:
    return create_model("MyFavorites", __base__=Data, list=(
        list[_union([section.favorite for section in sections])],
        Field(description=_biz_types(sections, with_id=True))),
        total=(int, ...))


def favorites_shape() -> type[Data]:
    """`/collect/my`: one section's saved postings, in its `favorite` shape."""
    return _favorites_shape(tuple(all_sections()))


@cache
def _hot_searches_shape(sections: tuple[Section, ...]) -> type[Data]:
    return create_model("HotSearchList", __base__=Data, **{
        section.name: (list[HotSearch], Field(description=f"{section.title}列表的热门搜索")) for section in sections})


def hot_searches_shape() -> type[Data]:
    return _hot_searches_shape(tuple(all_sections()))


@cache
def _prices_shape(sections: tuple[Section, ...]) -> type[Data]:
    fields: dict[str, Any] = {"contact_voucher": (list[VoucherPrice], ...)}
    for section in sections:
        if section.price_key:
            fields[section.price_key] = (PostingPrices, Field(description=(
                f"{section.api.noun}的置顶与付费刷新（/{section.name}/top、/{section.name}/refresh/pay）")))
        else:  # the top level, as the seed's jobs have them
            fields["top"] = (list[TopPrice], Field(description=f"{section.api.noun}置顶"))
            fields["refresh"] = (RefreshPrice, Field(description=f"{section.api.noun}付费刷新"))
    return create_model("Prices", __base__=Data, **fields)


def prices_shape() -> type[Data]:
    """`GET /pay/prices`: the vouchers', and each section's top and paid refresh (at its `price_key`)."""
    return _prices_shape(tuple(all_sections()))


class SubscribeAccepted(Data):
    accepted: list[str] = Field(description="计入的模板 id（每个可发送一次消息）")
    ignored: list[str] = Field(description="服务器未配置的模板 id，已忽略")


class ShareCodeAnswer(Data):
    url: str = Field(description="小程序码图片（PNG）的地址")
    scene: str = Field(description="码中的 scene，如 j42（栏目字母 + 信息 id）")
    page: str = Field(description="扫码打开的页面")


class SharedPosting(Data):
    biz_type: int = Field(description="1=招聘、2=求职、3=招租")
    id: int = Field(description="信息 id")
