"""Blocks: a user who keeps another away (their postings out of the blocker's lists and details, the
blocker's number out of their reach, each out of the other's contact history)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Block(Model):
    """A user blocking another."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()  # who blocks
    blocked_id = fields.BigIntField()  # whom
    create_at = fields.DatetimeField()

    class Meta:
        table = "user_blocks"
        unique_together = (("user_id", "blocked_id"),)
        indexes = (("blocked_id", "user_id"),)  # "who blocked me" (the contact histories)
