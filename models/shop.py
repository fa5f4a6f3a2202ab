from tortoise import fields

from models.postings import Posting

BIZ_SHOP = 3  # the seed's biz_type of 招租

DEAL_RENT, DEAL_TRANSFER = 1, 2  # 出租 (let by the owner), 转让 (the tenant hands the shop on, often for a fee)
RENT_NEGOTIABLE = 0  # rent_month 0: 面议 (not free)

# The trades a shop suits (industry) and what it is fitted with (facilities): the tags the mini-program offers.
# Anything else is refused (400), so a filter on a tag always means the same thing.
INDUSTRIES = ("中餐", "火锅", "烧烤", "奶茶", "咖啡", "快餐", "小吃", "面馆", "西餐", "日料", "韩餐", "烘焙",
              "酒吧", "其他")
FACILITIES = ("明火", "排烟", "上下水", "燃气", "三相电", "外摆", "空调", "停车位", "隔油池")


class Shop(Posting):
    """A 招租 posting: a shop (usually a restaurant with its kitchen) to let or to transfer.

    Money is whole yuan in integers: `rent_month` yuan a month (RENT_NEGOTIABLE, 0: 面议), `transfer_fee` yuan
    (0: none). Lengths are integers of tenths of a metre / square metre (`area_tenths` 1234 is 123.4 m²),
    exact where a float is not; the API shows them in m and m². A shop is a business, not a person: its place
    is published exact."""

    biz_type = fields.SmallIntField(default=BIZ_SHOP)
    title = fields.CharField(max_length=40)
    deal_type = fields.SmallIntField()  # DEAL_RENT or DEAL_TRANSFER
    area_tenths = fields.IntField()  # tenths of a square metre: 10–1,000,000 (1–100,000 m²)
    rent_month = fields.IntField()  # yuan a month; 0 面议
    transfer_fee = fields.IntField(default=0)  # yuan; 0 none
    industry = fields.JSONField(default=list)  # 1-5 of INDUSTRIES
    floor = fields.CharField(max_length=16, default="")
    frontage_tenths = fields.IntField(null=True)  # tenths of a metre of shop front; null: not given
    facilities = fields.JSONField(default=list)  # of FACILITIES
    contact_name = fields.CharField(max_length=32)
    # The owner's verified business name while its licence is approved (server/services/verification.py):
    # what `verified` shows; null when none.
    verified_name = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "shops"
        indexes = (("user_id", "biz_type", "create_at"),)
