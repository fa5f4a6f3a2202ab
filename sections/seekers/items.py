"""The seekers section's item shapes, as the API document declares them."""

from __future__ import annotations


from pydantic import Field

from sections.items import HIGHLIGHT, MinePosting, SavedPosting, UnsignedItem



SALARY_DOC = "期望月薪（元）；salary_min 与 salary_max 均为 -1 时为面议"


class SeekerItem(UnsignedItem):
    """A card as the listing and the detail show it: no owner's account id."""

    biz_type: int = Field(description="2=求职")
    status: int = Field(description="1 求职中、2 已关闭（已关闭的卡片只有本人能看到）")
    name: str = Field(description="称呼（本人填写，如 王师傅）")
    sex: int = Field(description="1 男、2 女")
    birth_year: int
    age: int = Field(description="今年减出生年份")
    positions: list[str] = Field(description="期望岗位（1–3 个）")
    salary_min: int = Field(description=SALARY_DOC)
    salary_max: int = Field(description=SALARY_DOC)
    experience_years: int = Field(description="工作经验（年）")
    available: str = Field(description="到岗时间：随时、一周内、一月内")
    longitude: float = Field(description="约 500 米精度的位置（不公开精确位置）")
    latitude: float = Field(description="约 500 米精度的位置（不公开精确位置）")
    address: str = Field(description="所在区域：省、市、区名（如 上海市静安区）；本人填写的地址文字只在本人的详情中显示")


class ListedSeeker(SeekerItem):
    distance: int | None = Field(None, description="附近列表（query_type 2）：到卡片公开位置（约 500 米精度）的距离，米")
    highlight: dict[str, list[str]] | None = HIGHLIGHT


class MySeekerCard(MinePosting):
    """One of my cards in `/jobs/my` (biz_type 2)."""

    name: str
    positions: list[str]
    purpose_user_name: str = Field(description="称呼")
    salary_min: int = Field(description=SALARY_DOC)
    salary_max: int = Field(description=SALARY_DOC)


class SeekerFavorite(SavedPosting):
    """A saved card in `/collect/my` (biz_type 2)."""

    seeker_id: int
    address: str = Field(description="所在区域：省、市、区名（不显示本人填写的地址文字）")
    name: str
    positions: list[str]
    salary_min: int = Field(description=SALARY_DOC)
    salary_max: int = Field(description=SALARY_DOC)
    experience_years: int
    unavailable: bool = Field(description="已关闭或已被下架：只保留 seeker_id、时间与状态，内容不再展示")


