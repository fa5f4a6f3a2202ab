from tortoise import fields
from tortoise.models import Model


class User(Model):
    """A mini-program user: worker, employer, or both."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True)
    unionid = fields.CharField(max_length=64, null=True)
    phone = fields.CharField(max_length=20, default="")
    name = fields.CharField(max_length=32, default="")
    avatar = fields.CharField(max_length=512, default="")
    sex = fields.SmallIntField(default=0)  # 0 unknown, 1 male, 2 female
    inviter_id = fields.BigIntField(null=True)
    first_area_id = fields.BigIntField(null=True)
    second_area_id = fields.BigIntField(null=True)
    third_area_id = fields.BigIntField(null=True)
    address = fields.CharField(max_length=255, default="")
    longitude = fields.DecimalField(max_digits=10, decimal_places=6, null=True)
    latitude = fields.DecimalField(max_digits=10, decimal_places=6, null=True)
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()
    banned_at = fields.DatetimeField(null=True)  # by an operator: cannot log in, post or pay

    class Meta:
        table = "users"
