"""招租 (biz_type 3): shops to let (出租) or to transfer (转让). The whole declaration of the section: its bodies
(bodies.py), items (items.py), index document and filters (search.py) and samples (samples.py); its model is
models/shop.py, its mapping es_mappings/shops.json. Its routes are made from `api`. It has no rules of its own
beyond its bodies' (a shop's rent, fee and area stand alone; an owner or an agent may post many shops).

A shop is a business, not a person: its place is published exact (as a job's), and a closed shop's detail stays
public (a favourite can say it is gone), its number its owner's only.

面议 (rent_month 0) is "ask", not "free": a rent filter keeps 面议 shops in whatever its bounds (they may well
fit), and no list sorts by rent. A transfer fee of 0 is truly none, so `transfer_fee_max` counts it as 0.
"""

from __future__ import annotations

from decimal import Decimal
from importlib.resources import files

from models.shop import BIZ_SHOP, Shop
from sections.registry import Prices, Section, SectionApi, register
from search.documents import AREA_DES
from sections.shops.items import ListedShop, MyShop, ShopFavorite, ShopItem
from sections.shops.bodies import CreateShopBody, ShopListBody, UpdateShopBody
from sections.shops.samples import random_shops
from sections.shops.search import shop_document, shop_filters


MONEY = "金额均为整数元：rent_month 为月租金（0 为面议，不是免费），transfer_fee 为转让费（0 为无）。"

SHOPS = register(Section(
    name="shops",
    share_letter="r",  # share codes' scenes: r42
    biz_type=BIZ_SHOP,
    mapping=files("es_mappings") / "shops.json",
    document=shop_document,
    filters=shop_filters,
    model=Shop,
    verified_label=True,  # its postings show their owner's verified business (营业执照)
    target="shop",
    title="招租",
    # Every text a shop publishes (industry and facilities are tags of a fixed vocabulary: nothing to check).
    texts=("title", "floor", "description", "address", "contact_name", "first_area_des", "second_area_des",
           "third_area_des", "four_area_des"),
    contact_name="contact_name",
    # A contact history item names a shop by its title (no positions): see ShopContactHistoryItem.
    summary=lambda shop: {"title": shop.title, "address": shop.address},
    item=ShopItem,
    listed=ListedShop,
    mine=MyShop,
    favorite=ShopFavorite,
    price_key="shop",
    keyword_numbers=("area",),
    suggested="industry",
    highlighted=("title", "industry", "facilities", "description", "address", "floor", *AREA_DES),
    api=SectionApi(
        create=CreateShopBody, update=UpdateShopBody, listing=ShopListBody,
        noun="招租信息", owner="发布者", browser="用户", id_text="店铺 id", example_id=7,
        create_summary="发布招租（店铺出租、转让）", update_summary="修改招租信息", list_summary="招租列表",
        create_note=MONEY + "业态、配套设施只能取文档列出的值，否则 400。文字与图片经过内容安全检测。",
        list_note=("类型：1 推荐（置顶在前，再按刷新时间）、2 附近（距离）、3 最新（发布时间倒序）。筛选：出租/转让、月租金、面积、"
                   "转让费、业态、配套设施（须全部具备）、区域；范围的上下限都包含在内。月租金筛选时面议（0）的店铺总在内；"
                   "任何列表都不按租金排序。可以不带 token；带 token 时，已解锁或自己的店铺显示完整电话。"),
        detail_note="已关闭的店铺仍可查看（status 2），电话只有本人能看到。" + MONEY,
        report_example="店铺已经租出去了"),
    prices=Prices(top={24: Decimal("5.00"), 72: Decimal("12.00"), 168: Decimal("19.90")}, refresh=Decimal("2.99")),
    samples=lambda count, owner_ids, seed: random_shops(count, owner_ids[0], seed),
))
