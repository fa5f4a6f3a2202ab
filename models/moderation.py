"""Trust and safety records: users' reports of postings, and the audit of every operator (or automatic) action."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

REPORT_REASONS = ("fraud", "false_information", "discrimination", "other")


class Report(Model):
    """A report of a posting (biz_type, posting_id) by a user."""

    id = fields.BigIntField(primary_key=True)
    biz_type = fields.SmallIntField()
    posting_id = fields.BigIntField()
    user_id = fields.BigIntField()
    reason = fields.CharField(max_length=24)
    text = fields.CharField(max_length=500, default="")
    create_at = fields.DatetimeField()

    class Meta:
        table = "reports"
        unique_together = (("user_id", "biz_type", "posting_id"),)  # one report per user and posting
        indexes = (("biz_type", "posting_id", "create_at"),)


class ModerationAction(Model):
    """An audit row: who did what to which job or user, why, and when."""

    id = fields.BigIntField(primary_key=True)
    actor = fields.CharField(max_length=64)  # the operator's name, or "system" for the report threshold
    action = fields.CharField(max_length=16)  # hide, takedown, restore, ban, unban
    # What target_id is: "user", or a posting by its section: "job" (biz_type 1; "seeker" and "shop" to come).
    target_type = fields.CharField(max_length=8)
    target_id = fields.BigIntField()
    reason = fields.CharField(max_length=500)
    create_at = fields.DatetimeField()

    class Meta:
        table = "moderation_actions"
        indexes = (("target_type", "target_id"),)


class ImageCheck(Model):
    """An uploaded image submitted to the WeChat media check, and the verdict its push brought."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=128, unique=True)  # the storage key
    url = fields.CharField(max_length=512)
    user_id = fields.BigIntField()  # the uploader
    trace_id = fields.CharField(max_length=64, null=True, unique=True)  # null: not submitted yet (retried)
    verdict = fields.CharField(max_length=8, default="")  # "" awaited, pass, review, risky
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()

    class Meta:
        table = "image_checks"


async def issued_images(user_id: int, keys: list[str]) -> set[str]:
    """Of these storage keys, those `user_id` uploaded and the media check has not removed."""
    rows = ImageCheck.filter(user_id=user_id, key__in=keys).exclude(verdict="risky")
    return set(await rows.values_list("key", flat=True))


HOT_ALLOW, HOT_BLOCK = "allow", "block"


class HotSearchRule(Model):
    """An operator's word on 热门搜索: `allow` a word outside the trade's vocabulary (a chain's name), so keywords
    holding it may count; `block` a keyword (its word set) or a word, so no keyword holding it is shown."""

    id = fields.BigIntField(primary_key=True)
    keyword = fields.CharField(max_length=64)  # normalised: one word, or a keyword's words sorted and spaced
    rule = fields.CharField(max_length=8)
    actor = fields.CharField(max_length=64)
    reason = fields.CharField(max_length=500)
    create_at = fields.DatetimeField()

    class Meta:
        table = "hot_search_rules"
        unique_together = (("keyword", "rule"),)
