"""The operators of the console (/admin): people who moderate and run the board, not WeChat users."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

ROLES = ("moderator", "finance", "admin")


class Operator(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)  # also the actor in moderation_actions
    role = fields.CharField(max_length=16)
    password_hash = fields.CharField(max_length=255)  # argon2id, with its parameters (argon2-cffi's format)
    totp_secret = fields.CharField(max_length=64, null=True)  # base32; null: no second factor
    disabled_at = fields.DatetimeField(null=True)
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()

    class Meta:
        table = "operators"
