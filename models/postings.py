"""What every section's posting is made of.

A posting is referred to everywhere (favourites, contacts, orders, reports, the index outbox) by its section's
biz_type and its id, as the seed's purpose_type + purpose_id do; the section registry (`sections.by_biz_type`)
knows which model holds the postings of a biz_type. models/ itself names no section.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

STATUS_OPEN = 1
STATUS_CLOSED = 2

# Why a closed posting is closed, when it was not its owner: "hidden" (reported by enough users, until an
# operator decides) or "taken_down" (by an operator). Either way it is out of the listing and not editable.
MODERATION_HIDDEN = "hidden"
MODERATION_TAKEN_DOWN = "taken_down"

# WeChat content security's word on a posting's texts: "" publishable, CONTENT_REVIEW flagged for an operator,
# CONTENT_PENDING stored while WeChat gave no verdict (checked again in the background), "risky" found so
# by that later check (the posting is then hidden).
CONTENT_REVIEW = "review"
CONTENT_PENDING = "pending"

# is_top is not stored: a posting is on top exactly while now < top_end_time.
class Posting(Model):
    """The fields every section's posting has: owner, place, contact, lifecycle, paid top, moderation."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    biz_type = fields.SmallIntField()
    longitude = fields.DecimalField(max_digits=10, decimal_places=6)
    latitude = fields.DecimalField(max_digits=10, decimal_places=6)
    address = fields.CharField(max_length=255)
    contact = fields.CharField(max_length=32)
    description = fields.TextField()
    photo_urls = fields.JSONField(default=list)
    first_area_id = fields.BigIntField(null=True)
    first_area_des = fields.CharField(max_length=64, default="")
    second_area_id = fields.BigIntField(null=True)
    second_area_des = fields.CharField(max_length=64, default="")
    third_area_id = fields.BigIntField(null=True)
    third_area_des = fields.CharField(max_length=64, default="")
    four_area_id = fields.BigIntField(null=True)
    four_area_des = fields.CharField(max_length=64, default="")
    status = fields.SmallIntField(default=STATUS_OPEN)
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()
    last_refresh_time = fields.DatetimeField(null=True)
    top_start_time = fields.DatetimeField(null=True)
    top_end_time = fields.DatetimeField(null=True)
    # Free refreshes used on `free_refresh_day` (Asia/Shanghai calendar day).
    free_refresh_day = fields.DateField(null=True)
    free_refresh_count = fields.SmallIntField(default=0)
    # Grows with every committed change (models/posting_writes.py); the index keeps it as the document's
    # external version, so an older state can never overwrite a newer one in the engine.
    version = fields.BigIntField(default=1)
    moderation = fields.CharField(max_length=16, default="")  # "", MODERATION_HIDDEN or MODERATION_TAKEN_DOWN
    content_check = fields.CharField(max_length=8, default="", db_index=True)
    # A risky image was removed from it: out of the listing until its owner edits it.
    photo_held = fields.BooleanField(default=False)

    class Meta:
        abstract = True
