from tortoise import fields
from tortoise.models import Model

from models.postings import (  # noqa: F401  (the shared posting vocabulary, as job modules name it)
    CONTENT_PENDING,
    CONTENT_REVIEW,
    MODERATION_HIDDEN,
    MODERATION_TAKEN_DOWN,
    STATUS_CLOSED,
    STATUS_OPEN,
    Posting,
)

BIZ_RECRUIT = 1  # the seed's biz_type of 招聘


# A 招聘 posting: a restaurant's job offer. (Its docstring is the table's comment: kept as first migrated.)
class Job(Posting):
    """A posting."""

    biz_type = fields.SmallIntField(default=BIZ_RECRUIT)
    positions = fields.CharField(max_length=32)
    contact_person_name = fields.CharField(max_length=32, default="")
    salary_min = fields.IntField()
    salary_max = fields.IntField()
    basic_protection = fields.JSONField(default=list)
    salary_benefits = fields.JSONField(default=list)
    attendance_leave = fields.JSONField(default=list)
    # The owner's verified business name while its licence is approved (server/services/verification.py):
    # what `verified` shows; null when none.
    verified_name = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "jobs"
        indexes = (("user_id", "biz_type", "create_at"),)
