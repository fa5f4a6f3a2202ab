"""Subscribe messages (一次性订阅) and share codes: the credits users gave by accepting a template, the outbox of
messages written in the same transaction as their event, and the share codes already made."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# A message's life: pending (waiting for a send or a retry) → sending (claimed, its credit spent, the call to
# WeChat under way) → sent | refused (43101) | failed (bad data, or retries ran out: its credit given back) |
# unknown (the process died, or the answer was lost, mid-call: never sent again) | no_credit (nothing to spend).
PENDING, SENDING, SENT, REFUSED, FAILED, UNKNOWN, NO_CREDIT = (
    "pending", "sending", "sent", "refused", "failed", "unknown", "no_credit")


class SubscribeCredit(Model):
    """How many sends of one template a user has accepted and not yet been spent."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    template_id = fields.CharField(max_length=64)
    remaining = fields.IntField(default=0)
    update_at = fields.DatetimeField()

    class Meta:
        table = "subscribe_credits"
        unique_together = (("user_id", "template_id"),)


class SubscribeMessage(Model):
    ""'One message to one user, written in the transaction of its event, then claimed, sent and settled by the sender.'""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    event = fields.CharField(max_length=32)
    template_id = fields.CharField(max_length=64)
    page = fields.CharField(max_length=255, default="")
    data = fields.JSONField(default=dict)  # the template's values, as WeChat takes them ({"thing1": {"value": ...}})
    # Set for events that must be told once whatever writes them again (a top's end, a report's decision).
    dedupe_key = fields.CharField(max_length=128, null=True, unique=True)
    state = fields.CharField(max_length=16, default=PENDING)
    credit_claimed = fields.BooleanField(default=False)
    attempts = fields.SmallIntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=64, default="")
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()

    class Meta:
        table = "subscribe_messages"
        indexes = (("state", "next_attempt_at"), ("user_id", "create_at"))


class ShareCode(Model):
    """A share code (小程序码) already made for a scene and page, and the key storage keeps its PNG under."""

    id = fields.BigIntField(primary_key=True)
    scene = fields.CharField(max_length=32)
    page = fields.CharField(max_length=255)
    object_key = fields.CharField(max_length=128)  # its storage key: the URL is the storage's (a CDN may change)
    create_at = fields.DatetimeField()

    class Meta:
        table = "share_codes"
        unique_together = (("scene", "page"),)
