"""Contacts: a user who spent a voucher on a posting, which unlocks its phone number for them for good."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

PURPOSE_JOB = 1  # seed: purpose_type 1 = a job posting (job seekers and shop rentals come later)


# One row per (caller, posting): the unlock that shows them the number, and their contact history entry.
class ContactHistory(Model):
    """A contact of a posting by a user."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()  # who called
    purpose_type = fields.SmallIntField(default=PURPOSE_JOB)
    purpose_id = fields.BigIntField()  # the job
    biz_type = fields.SmallIntField()
    owner_id = fields.BigIntField()  # whom they called: the posting's owner
    create_at = fields.DatetimeField()

    class Meta:
        table = "contact_history"
        unique_together = (("user_id", "purpose_type", "purpose_id"),)
        indexes = (("user_id", "biz_type", "create_at"), ("owner_id", "biz_type", "create_at"))
