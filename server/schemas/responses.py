"""The `data` of success responses, as pydantic models: only the API document is built from them.

Closed (extra="forbid"): a field a service starts to send without documenting it here makes the document
untrue, and the tests that check real responses against the document fail.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from sections.core import TIME, Data
from sections.jobs import FavoriteItem, JobItem, ListedJob, MyPosting  # a section's items: declared with it
from sections.seekers import ListedSeeker, MySeekerCard, SeekerFavorite, SeekerItem
from sections.shops import ListedShop, MyShop, ShopFavorite, ShopItem


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


class LoggedIn(Data):
    user_info: UserRef


class Profile(Data):
    user_id: int
    avatar: str
    name: str
    sex: int = Field(description="0 未知、1 男、2 女")
    phone: str


class JobCreated(Data):
    id: int = Field(description="新招聘信息的 id")


class JobList(Data):
    jobs: list[ListedJob]
    total: int
    request_id: str | None = Field(None, description="请求体中的 request_id，原样返回")


class SeekerCreated(Data):
    id: int = Field(description="新求职卡片的 id")


class SeekerList(Data):
    seekers: list[ListedSeeker]
    total: int
    request_id: str | None = Field(None, description="请求体中的 request_id，原样返回")


class ShopCreated(Data):
    id: int = Field(description="新招租信息的 id")


class ShopList(Data):
    shops: list[ListedShop]
    total: int
    request_id: str | None = Field(None, description="请求体中的 request_id，原样返回")


class HotSearch(Data):
    keyword: str = Field(description="关键词（规范化后：半角、小写）")
    count: int = Field(description="近 7 天搜索过它的人数")


class HotSearchList(Data):
    jobs: list[HotSearch] = Field(description="招聘列表的热门搜索")
    seekers: list[HotSearch] = Field(description="求职卡片列表的热门搜索")
    shops: list[HotSearch] = Field(description="招租列表的热门搜索")


class SuggestionList(Data):
    suggestions: list[str] = Field(description="补全建议（最多 10 个）：热门搜索、信息中的岗位/业态、行业词库，前缀匹配的在前")


class MyPostings(Data):
    contacts: list[MyPosting | MySeekerCard | MyShop] = Field(
        description="biz_type 1：我的招聘；2：我的求职卡片；3：我的招租")
    total: int


class MyFavorites(Data):
    list: Annotated[list[FavoriteItem | SeekerFavorite | ShopFavorite],
                    Field(description="biz_type 1：收藏的招聘（job_id）；2：收藏的求职卡片（seeker_id）；"
                                      "3：收藏的店铺（shop_id）")]
    total: int


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


class Prices(Data):
    top: list[TopPrice] = Field(description="招聘信息置顶")
    refresh: RefreshPrice = Field(description="招聘信息付费刷新")
    contact_voucher: list[VoucherPrice]
    seeker: PostingPrices = Field(description="求职卡片的置顶与付费刷新（/seekers/top、/seekers/refresh/pay）")
    shop: PostingPrices = Field(description="招租信息的置顶与付费刷新（/shops/top、/shops/refresh/pay）")


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
