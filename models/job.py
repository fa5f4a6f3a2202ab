from tortoise import fields
from tortoise.models import Model

STATUS_OPEN = 1
STATUS_CLOSED = 2

# Why a closed job is closed, when it was not its owner: "hidden" (reported by enough users, until an
# operator decides) or "taken_down" (by an operator). Either way it is out of the listing and not editable.
MODERATION_HIDDEN = "hidden"
MODERATION_TAKEN_DOWN = "taken_down"

# WeChat content security's word on a job's texts: "" publishable, CONTENT_REVIEW flagged for an operator,
# CONTENT_PENDING stored while WeChat gave no verdict (checked again in the background), "risky" found so
# by that later check (the job is then hidden).
CONTENT_REVIEW = "review"
CONTENT_PENDING = "pending"

BIZ_RECRUIT = 1  # 2 job seekers and 3 shop rentals come later, in the same table shape


# is_top is not stored: a job is on top exactly while now < top_end_time.
class Job(Model):
    """A posting."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    biz_type = fields.SmallIntField(default=BIZ_RECRUIT)
    positions = fields.CharField(max_length=32)
    longitude = fields.DecimalField(max_digits=10, decimal_places=6)
    latitude = fields.DecimalField(max_digits=10, decimal_places=6)
    address = fields.CharField(max_length=255)
    contact = fields.CharField(max_length=32)
    contact_person_name = fields.CharField(max_length=32, default="")
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
    salary_min = fields.IntField()
    salary_max = fields.IntField()
    basic_protection = fields.JSONField(default=list)
    salary_benefits = fields.JSONField(default=list)
    attendance_leave = fields.JSONField(default=list)
    status = fields.SmallIntField(default=STATUS_OPEN)
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()
    last_refresh_time = fields.DatetimeField(null=True)
    top_start_time = fields.DatetimeField(null=True)
    top_end_time = fields.DatetimeField(null=True)
    # Free refreshes used on `free_refresh_day` (Asia/Shanghai calendar day).
    free_refresh_day = fields.DateField(null=True)
    free_refresh_count = fields.SmallIntField(default=0)
    # Grows with every committed change (models/job_writes.py); the index keeps it as the document's
    # external version, so an older state can never overwrite a newer one in the engine.
    version = fields.BigIntField(default=1)
    moderation = fields.CharField(max_length=16, default="")  # "", MODERATION_HIDDEN or MODERATION_TAKEN_DOWN
    content_check = fields.CharField(max_length=8, default="", db_index=True)
    # A risky image was removed from it: out of the listing until its owner edits it.
    photo_held = fields.BooleanField(default=False)

    class Meta:
        table = "jobs"
        indexes = (("user_id", "biz_type", "create_at"),)


class Favorite(Model):
    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    job: fields.ForeignKeyRelation[Job] = fields.ForeignKeyField("models.Job", related_name="favorites")
    create_at = fields.DatetimeField()

    class Meta:
        table = "job_favorites"
        unique_together = (("user_id", "job_id"),)
        indexes = (("user_id", "create_at"),)
