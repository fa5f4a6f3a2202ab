"""Favourites: postings a user saved, of any section."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


# No foreign key: a posting lives in its section's table (models.postings).
class Favorite(Model):
    """A posting saved by a user."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    biz_type = fields.SmallIntField()
    posting_id = fields.BigIntField()
    create_at = fields.DatetimeField()

    class Meta:
        table = "favorites"
        unique_together = (("user_id", "biz_type", "posting_id"),)
        indexes = (("user_id", "biz_type", "create_at"),)
