"""求职 (biz_type 2): workers' own cards. The whole declaration of the section: its bodies
(bodies.py), items (items.py), index document and filters (search.py), rules (rules.py) and samples (samples.py);
its model is models/seeker.py, its mapping es_mappings/seekers.json. Its routes are made from `api`.

A card is a person, not a shop (PIPL): its place is indexed and published rounded to a grid of about 500 m, and
the nearby list filters, sorts and measures its distance on that point alone. The exact point stays in the
database: were it in the index, a radius search (distance_km narrowed step by step) would measure it to the
metre. A closed card is its owner's only (`closed_is_private`). Others never see the owner's account id
(`shows_owner`), nor the typed address: the index and every item shown to others hold the card's area names
(province, city, district) in its place; the text stays the owner's ("my postings", their own detail).
"""

from __future__ import annotations

from decimal import Decimal
from importlib.resources import files

from models.seeker import BIZ_SEEKER, Seeker
from sections.registry import Prices, Section, SectionApi, register
from search.documents import AREA_DES
from sections.seekers.items import ListedSeeker, MySeekerCard, SeekerFavorite, SeekerItem
from sections.seekers import rules
from sections.seekers.bodies import CreateSeekerBody, SeekerListBody, UpdateSeekerBody
from sections.seekers.samples import random_seekers
from sections.seekers.search import seeker_derived, seeker_document, seeker_filters, shown_to_others


PRIVATE = "位置只显示约 500 米精度；电话未解锁时打码；已关闭的卡片只有本人能看到。"

SEEKERS = register(Section(
    name="seekers",
    share_letter="s",  # share codes' scenes: s42
    biz_type=BIZ_SEEKER,
    mapping=files("es_mappings") / "seekers.json",
    document=seeker_document,
    filters=seeker_filters,
    derived=seeker_derived,
    model=Seeker,
    target="seeker",
    title="求职",
    # Everything a card publishes (the positions joined into one text).
    texts=("name", "positions", "description", "address", "first_area_des", "second_area_des",
           "third_area_des", "four_area_des"),
    contact_name="name",
    summary=lambda card: {"positions": "、".join(card.positions or []), **shown_to_others(card)},
    item=SeekerItem,
    listed=ListedSeeker,
    mine=MySeekerCard,
    favorite=SeekerFavorite,
    price_key="seeker",
    closed_is_private=True,
    one_open_per_user=True,
    shows_owner=False,
    shown_to_others=shown_to_others,
    keyword_numbers=("salary", "experience", "sex"),
    suggested="positions",
    highlighted=("positions", "description", *AREA_DES),
    api=SectionApi(
        create=CreateSeekerBody, update=UpdateSeekerBody, listing=SeekerListBody,
        noun="求职卡片", owner="求职者", browser="商家", id_text="求职卡片 id", example_id=12,
        create_summary="发布求职卡片（求职者）", update_summary="修改求职卡片（求职者）", list_summary="求职卡片列表（商家）",
        create_note=("每人只能有一张求职中的卡片：已有时 400，data.seeker_id 为那一张（请修改它或先关闭）。"
                     "salary_min、salary_max 都不填为面议。" + PRIVATE),
        list_note=("类型：1 推荐（置顶在前，再按刷新时间）、2 附近（距离）、3 最新（发布时间倒序）。筛选：期望岗位、月薪、性别、"
                   "年龄、工作经验、区域。可以不带 token；带 token 时，已解锁或自己的卡片显示完整电话。" + PRIVATE),
        detail_note=PRIVATE,
        report_example="电话是空号"),
    prices=Prices(top={24: Decimal("1.00"), 72: Decimal("2.50"), 168: Decimal("4.90")}, refresh=Decimal("0.99")),
    prepare=rules.prepare,
    check_edit=rules.check_edit,
    samples=random_seekers,
))
