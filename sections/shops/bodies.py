"""Request bodies of the 招租 section (a shop to let or transfer) and its list."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints

from models.shop import FACILITIES, INDUSTRIES, RENT_NEGOTIABLE
from sections.fields import (
    one_line,
    split_list,
    AreaFields,
    Address,
    HttpUrlText,
    Id,
    Latitude,
    Longitude,
    PersonName,
    choice,
    decimal,
    integer,
    number,
    text,
)
from sections.posting_bodies import (
    Contact,
    Description,
    ListBody,
    AreaFilter,
    VerifiedFilter,
    SomethingToChange,
    split_photo_urls,
)

MAX_PHOTOS = 9
MAX_INDUSTRIES = 5
MAX_RENT = 10_000_000  # yuan a month: a bound for typos
MAX_TRANSFER_FEE = 100_000_000  # yuan
MAX_AREA = 100_000  # m²


Industry = Literal[INDUSTRIES]
Facility = Literal[FACILITIES]
IndustryList = Annotated[list[Industry], BeforeValidator(split_list), Field(min_length=1, max_length=MAX_INDUSTRIES)]
FacilityList = Annotated[list[Facility], BeforeValidator(split_list), Field(max_length=len(FACILITIES))]
ShopPhotoUrls = Annotated[list[HttpUrlText], BeforeValidator(split_photo_urls), Field(max_length=MAX_PHOTOS)]
Area = decimal(ge="1", le=str(MAX_AREA), places=1)
Frontage = decimal(ge="0.1", le="1000", places=1)
Rent = integer(ge=0, le=MAX_RENT)
TransferFee = integer(ge=0, le=MAX_TRANSFER_FEE)

RENT_DOC = "月租金（元/月，整数）；0 或不填为面议（不是免费）"
FEE_DOC = "转让费（元，整数）；0 或不填为无转让费"
AREA_DOC = "面积（平方米，1–100000，最多一位小数，如 85.5）"
INDUSTRY_DOC = f"适合业态 1–{MAX_INDUSTRIES} 个：数组，或用逗号、顿号分隔的字符串；取值：{'、'.join(INDUSTRIES)}"
FACILITY_DOC = f"配套设施（可多选）：数组，或用逗号、顿号分隔的字符串；取值：{'、'.join(FACILITIES)}"


def _tenths(value: Decimal) -> int:
    """123.4 (at most one decimal, validated) → 1234, as stored."""
    return int(value * 10)


class ShopFields(AreaFields):
    """Every writable field of a shop; create requires some, update takes any subset."""

    blank_is_value: ClassVar[frozenset[str]] = frozenset({"photo_urls"})

    title: one_line(max_length=40) | None = Field(None, description="标题（最多 40 字）")
    deal_type: choice(1, 2) | None = Field(None, description="1 出租、2 转让")
    area_m2: Area | None = Field(None, description=AREA_DOC)
    rent_month: Rent | None = Field(None, description=RENT_DOC)
    transfer_fee: TransferFee | None = Field(None, description=FEE_DOC)
    industry: IndustryList | None = Field(None, description=INDUSTRY_DOC)
    floor: text(max_length=16) | None = Field(None, description="楼层，如 1层、B1、1-2层")
    frontage_m: Frontage | None = Field(None, description="门宽（米，最多一位小数；可不填）")
    facilities: FacilityList | None = Field(None, description=FACILITY_DOC)
    description: Description | None = Field(None, description="详细介绍（最多 2000 字）")
    contact: Contact | None = Field(None, description="联系电话：手机号或带区号的座机（解锁前打码）")
    contact_name: PersonName | None = Field(None, description="联系人，如 张先生")
    photo_urls: ShopPhotoUrls | None = Field(
        None, description=f'照片链接（本站上传的）：数组或逗号拼接的字符串；"" 为清空，最多 {MAX_PHOTOS} 张')
    longitude: Longitude | None = Field(None, description="店铺位置（公开，附近搜索用）")
    latitude: Latitude | None = None
    address: Annotated[Address, StringConstraints(min_length=1)] | None = Field(None, description="店铺地址")

    def changes(self) -> dict:
        """The fields the client sent, as model columns (lengths and areas in tenths)."""
        sent = self.model_dump(exclude_unset=True, exclude={"id"})
        if "area_m2" in sent:
            sent["area_tenths"] = _tenths(sent.pop("area_m2"))
        if "frontage_m" in sent:
            sent["frontage_tenths"] = _tenths(sent.pop("frontage_m"))
        return sent


class CreateShopBody(ShopFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "静安寺旁临街餐饮旺铺转让，可明火", "deal_type": 2, "area_m2": 85.5, "rent_month": 18000,
        "transfer_fee": 150000, "industry": ["中餐", "火锅"], "floor": "1层", "frontage_m": 6.5,
        "facilities": ["明火", "排烟", "上下水", "燃气"], "description": "原川菜馆，厨房设备齐全，接手即可营业。",
        "contact": "13812341234", "contact_name": "张先生", "photo_urls": [],
        "longitude": 121.4454, "latitude": 31.2235, "address": "上海市静安区南京西路1000号",
        "first_area_id": 31, "first_area_des": "上海市", "second_area_id": 3101, "second_area_des": "上海市",
        "third_area_id": 310106, "third_area_des": "静安区"}]})

    title: one_line(max_length=40) = Field(description="标题（最多 40 字）")
    deal_type: choice(1, 2) = Field(description="1 出租、2 转让")
    area_m2: Area = Field(description=AREA_DOC)
    industry: IndustryList = Field(description=INDUSTRY_DOC)
    contact: Contact = Field(description="联系电话：手机号或带区号的座机（解锁前打码）")
    contact_name: PersonName = Field(description="联系人，如 张先生")
    longitude: Longitude = Field(description="店铺位置（公开，附近搜索用）")
    latitude: Latitude
    address: Annotated[Address, StringConstraints(min_length=1)] = Field(description="店铺地址")

    def changes(self) -> dict:
        fields = super().changes()
        fields.setdefault("rent_month", RENT_NEGOTIABLE)
        fields.setdefault("transfer_fee", 0)
        return fields


class UpdateShopBody(ShopFields, SomethingToChange):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 7, "rent_month": 16000, "transfer_fee": 0,
                                                               "facilities": ["明火", "排烟"]}]})

    id: Id = Field(description="必填参数：要修改的店铺 id")


class ShopListFilter(AreaFilter, VerifiedFilter):
    ranges: ClassVar[tuple[str, ...]] = ("rent", "area")

    deal_type: choice(1, 2) | None = Field(None, description="1 出租、2 转让")
    rent_min: Rent | None = Field(None, description="月租金下限（元，含）；面议（0）的店铺总在内")
    rent_max: Rent | None = Field(None, description="月租金上限（元，含）；面议（0）的店铺总在内")
    area_min: number(ge=0, le=MAX_AREA) | None = Field(None, description="面积下限（平方米，含）")
    area_max: number(ge=0, le=MAX_AREA) | None = Field(None, description="面积上限（平方米，含）")
    transfer_fee_max: TransferFee | None = Field(None, description="转让费上限（元，含）；0 为只要无转让费的")
    industry: Industry | None = Field(None, description=f"适合该业态的店铺；取值：{'、'.join(INDUSTRIES)}")
    facilities: Annotated[list[Facility], Field(max_length=len(FACILITIES))] = Field(
        [], description=f"配套设施：须包含每一项；取值：{'、'.join(FACILITIES)}")



class ShopListBody(ListBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "request_id": "1", "query_type": 2,
        "filter": {"deal_type": 2, "rent_min": 10000, "rent_max": 30000, "area_min": 50, "area_max": 150,
                   "transfer_fee_max": 200000, "industry": "火锅", "facilities": ["明火", "排烟"],
                   "third_area_id": 310106, "longitude": 121.4454, "latitude": 31.2235, "distance_km": 5},
        "page_num": 1, "page_size": 10}]})

    filter: ShopListFilter = Field(default_factory=ShopListFilter, description=(
        "筛选：出租/转让、月租金、面积、转让费、业态、配套设施、区域；附近：经纬度与距离"))
