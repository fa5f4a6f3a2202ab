"""The shops section's item shapes, as the API document declares them."""

from __future__ import annotations


from pydantic import Field

from sections.items import HIGHLIGHT, VERIFIED, MinePosting, PostingItem, SavedPosting, Verified



RENT_DOC = "月租金（元/月，整数）；0 为面议（不是免费）"
FEE_DOC = "转让费（元，整数）；0 为无转让费"
AREA_DOC = "面积（平方米，一位小数）"


class ShopItem(PostingItem):
    """A shop as the listing and the detail show it."""

    biz_type: int = Field(description="3=招租")
    status: int = Field(description="1 招租中、2 已关闭")
    title: str = Field(description="标题")
    deal_type: int = Field(description="1 出租、2 转让")
    area_m2: float = Field(description=AREA_DOC)
    rent_month: int = Field(description=RENT_DOC)
    transfer_fee: int = Field(description=FEE_DOC)
    industry: list[str] = Field(description="适合业态（1–5 个）")
    floor: str = Field(description="楼层，如 1层、B1；未填为 \"\"")
    frontage_m: float | None = Field(description="门宽（米，一位小数）；未填为 null")
    facilities: list[str] = Field(description="配套设施")
    contact_name: str = Field(description="联系人")
    address: str = Field(description="店铺地址")
    verified: Verified | None = VERIFIED


class ListedShop(ShopItem):
    distance: int | None = Field(None, description="附近列表（query_type 2）：距离，米")
    highlight: dict[str, list[str]] | None = HIGHLIGHT


class MyShop(MinePosting):
    """One of my shops in `/jobs/my` (biz_type 3)."""

    title: str
    deal_type: int = Field(description="1 出租、2 转让")
    rent_month: int = Field(description=RENT_DOC)
    transfer_fee: int = Field(description=FEE_DOC)


class ShopFavorite(SavedPosting):
    """A saved shop in `/collect/my` (biz_type 3)."""

    shop_id: int
    title: str
    deal_type: int = Field(description="1 出租、2 转让")
    rent_month: int = Field(description=RENT_DOC)
    transfer_fee: int = Field(description=FEE_DOC)
    unavailable: bool = Field(description="已被下架（举报隐藏或运营下架）：只保留 shop_id、时间与状态，内容不再展示")


